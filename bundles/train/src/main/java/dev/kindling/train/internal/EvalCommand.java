package dev.kindling.train.internal;

import dev.kindling.api.Device;
import dev.kindling.data.DataLoader;
import dev.kindling.data.Dataset;
import dev.kindling.data.Sample;
import dev.kindling.kernel.Kernel;
import dev.kindling.nn.Module;
import dev.kindling.optim.SGD;
import dev.kindling.train.EvalResult;
import dev.kindling.train.Trainer;
import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Descriptor;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

import java.util.List;
import java.util.Locale;

import static dev.kindling.train.internal.Words.Kind.VALUE;

/** {@code kindling:eval}: measures a saved model or checkpoint on a dataset, by default its run's held-out test split. */
@Component(service = EvalCommand.class, property = {"osgi.command.scope=kindling", "osgi.command.function=eval"})
public class EvalCommand {
    private final Kernel kernel;

    @Activate
    public EvalCommand(@Reference(name = "kernel") Kernel kernel) {
        this.kernel = kernel;
    }

    @Descriptor("evaluate a saved model or checkpoint on a dataset: loss, accuracy, top-k accuracy, macro precision / recall / F1 "
            + "and the confusion matrix. kindling:eval <model-file|checkpoint-dir|run-dir> [<dataset> [key=value...]] "
            + "[--split test|train|all] [--batch-size N] [--top-k K] [--device D] [--seed N] [--test-fraction F]; the dataset, its "
            + "preprocessing and split default to the run's (run.json), so the test split is the one held out in training")
    public Object eval(CommandSession session,
                       @Descriptor("model or checkpoint, optional dataset with parameters, options") String... args) {
        return eval(Console.of(session), args);
    }

    String eval(Console c, String... args) {
        Words w = Words.parse("kindling:eval", 1, List.of(new Words.Positional("model", false), new Words.Positional("dataset", true)),
                List.of(new Words.Option("split", VALUE), new Words.Option("batch-size", VALUE), new Words.Option("top-k", VALUE),
                        new Words.Option("device", VALUE), new Words.Option("seed", VALUE), new Words.Option("test-fraction", VALUE),
                        new Words.Option("workers", VALUE)), args);
        if (w.help()) return "kindling:eval <model-file|checkpoint-dir|run-dir> [<dataset> [key=value...]] [--split test|train|all] "
                + "[--batch-size N] [--top-k K] [--device D] [--seed N] [--test-fraction F]";
        return new CommandFormatter(c.cwd()).eval(evaluate(c, w));
    }

    private EvalReport evaluate(Console c, Words w) {
        DataPrep.Split split = DataPrep.Split.valueOf(w.choice("split", "test", "test", "train", "all").toUpperCase(Locale.ROOT));
        int batchSize = w.integer("batch-size", 256, 1);
        int topK = w.integer("top-k", 5, 1);
        int workers = w.integer("workers", 0, 0);
        Device device = RunSetup.device(kernel, w.string("device", "cpu"));
        ModelFiles.Loaded loaded = EvalSetup.loadModel("kindling:eval", c.cwd(), w.positional(0), device);
        EvalSetup.Prepared p = EvalSetup.data("kindling:eval", kernel, c.cwd(), w, loaded, 1);
        ModelFactory.check(loaded.model(), p.data().test(), p.data().numClasses(), p.data().name());
        Module loss = RunSetup.loss(kernel, p.config());
        Trainer t = Trainer.builder(loaded.model()).optimizer(new SGD(loaded.model().parameters(), 0.0)).loss(loss).device(device).topK(topK).build();
        Dataset<Sample> ds = p.data().split(split);
        EvalResult r;
        try (DataLoader<Sample> loader = DataLoader.builder(ds).batchSize(batchSize).numWorkers(workers).build()) {
            r = t.evaluate(loader);
        }
        return new EvalReport(loaded, p.data().name(), p.data().splitDescription(split), r, p.data().classes());
    }
}
