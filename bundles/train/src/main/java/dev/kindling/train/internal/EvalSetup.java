package dev.kindling.train.internal;

import dev.kindling.api.Device;
import dev.kindling.kernel.Kernel;

import java.io.IOException;
import java.nio.file.Path;

/**
 * What eval and predict share: the saved model, and the dataset to run it on. Unless the command line names another,
 * the dataset, its parameters, seed and test fraction are the run's (run.json), so the test split is the held-out one.
 */
final class EvalSetup {
    private EvalSetup() {}

    /** The dataset (and settings) a command uses with a loaded model. */
    record Prepared(RunConfig config, DataPrep.Data data) {}

    static ModelFiles.Loaded loadModel(String command, Path cwd, String arg, Device device) {
        try {
            return ModelFiles.load(cwd.resolve(arg).normalize(), device);
        } catch (IOException e) {
            throw new IllegalArgumentException(command + ": cannot load a model from " + arg + ": " + Text.message(e), e);
        }
    }

    /** The data for {@code loaded}: positional {@code datasetArg} of {@code w} with its parameters, else the run's. */
    static Prepared data(String command, Kernel kernel, Path cwd, Words w, ModelFiles.Loaded loaded, int datasetArg) {
        RunConfig run = RunDirectories.runOf(command, loaded.path());
        RunConfig cfg = new RunConfig();
        String name = w.positional(datasetArg);
        if (name == null) {
            if (run == null) throw new IllegalArgumentException(command + ": name the dataset (no run.json next to " + loaded.path() + " says which one)");
            name = run.dataset;
        }
        cfg.dataset = kernel.datasets().get(name).name();
        boolean sameData = run != null && run.dataset.equals(cfg.dataset);
        cfg.datasetParams = !w.params(datasetArg).isEmpty() || !sameData ? w.params(datasetArg) : run.datasetParams;
        cfg.seed = w.longValue("seed", sameData ? run.seed : DataPrep.DEFAULT_SEED);
        cfg.testFraction = w.number("test-fraction", sameData ? run.testFraction : DataPrep.DEFAULT_TEST_FRACTION, 0, 1, true, true);
        cfg.imageLayout = sameData ? run.imageLayout : ModelFactory.wantsImages(loaded.spec(), cwd);
        if (run != null) cfg.loss = run.loss;
        return new Prepared(cfg, RunSetup.data(kernel, cfg));
    }
}
