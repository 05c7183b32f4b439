package dev.kindling.train.internal;

import dev.kindling.api.DType;
import dev.kindling.api.Device;
import dev.kindling.api.Tensor;
import dev.kindling.api.Torch;
import dev.kindling.data.Dataset;
import dev.kindling.data.Sample;
import dev.kindling.kernel.Kernel;
import dev.kindling.nn.Module;
import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Descriptor;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

import static dev.kindling.train.internal.Words.Kind.FLAG;
import static dev.kindling.train.internal.Words.Kind.VALUE;

/** {@code kindling:predict}: the classes a saved model predicts for a dataset's samples or a file of raw samples. */
@Component(service = PredictCommand.class, property = {"osgi.command.scope=kindling", "osgi.command.function=predict"})
public class PredictCommand {
    private final Kernel kernel;

    @Activate
    public PredictCommand(@Reference(name = "kernel") Kernel kernel) {
        this.kernel = kernel;
    }

    /** The model's inputs, one per row, what to call each row, and (for a dataset's samples) the true classes. */
    private record Inputs(Tensor x, Tensor targets, List<String> labels, List<String> classes, String source) {}

    @Descriptor("predict classes with a saved model or checkpoint: kindling:predict <model> <inputs> [--top K] [--raw], where "
            + "inputs are a dataset's samples (a dataset name with parameters; --index 0,5,17 or 0-9, default the first 10; --split "
            + "test|train|all) or a file of raw samples: CSV rows (digits: 64 values 0..16) or a safetensors file (tensor 'input' "
            + "or its only tensor, one sample per row), preprocessed as in training unless --raw. Prints the predicted class, "
            + "its probability and the top K")
    public Object predict(CommandSession session, @Descriptor("model, inputs and options") String... args) {
        return predict(Console.of(session), args);
    }

    String predict(Console c, String... args) {
        Words w = Words.parse("kindling:predict", 2, List.of(new Words.Positional("model", false), new Words.Positional("inputs", true)),
                List.of(new Words.Option("index", VALUE), new Words.Option("split", VALUE), new Words.Option("top", VALUE),
                        new Words.Option("raw", FLAG), new Words.Option("device", VALUE), new Words.Option("seed", VALUE),
                        new Words.Option("test-fraction", VALUE)), args);
        if (w.help()) return "kindling:predict <model> <dataset [key=value...] [--index 0,5,17|0-9] [--split test|train|all] | file.csv | "
                + "file.safetensors> [--top K] [--raw] [--device D]";
        Device device = RunSetup.device(kernel, w.string("device", "cpu"));
        int top = w.integer("top", 3, 1);
        ModelFiles.Loaded loaded = EvalSetup.loadModel("kindling:predict", c.cwd(), w.positional(0), device);
        Inputs in = InputFiles.isInputFile(w.positional(1)) ? fromFile(c, w, loaded) : fromDataset(c, w, loaded);
        return new CommandFormatter(c.cwd()).predictions(predict(loaded, device, in, top));
    }

    private static Inputs fromFile(Console c, Words w, ModelFiles.Loaded loaded) {
        if (!w.params(1).isEmpty()) throw new IllegalArgumentException("kindling:predict: key=value parameters are for datasets, not files");
        if (w.has("index") || w.has("split")) throw new IllegalArgumentException("kindling:predict: --index and --split are for datasets, not files");
        Path f = c.cwd().resolve(w.positional(1)).normalize();
        RunConfig run = RunDirectories.runOf("kindling:predict", loaded.path());
        List<Tensor> rows = InputFiles.rows(w.positional(1), f);
        Tensor x = Torch.stack(InputFiles.preprocess(rows, run, w.flag("raw")), 0);
        List<String> labels = new ArrayList<>();
        for (int i = 0; i < rows.size(); i++) labels.add(Integer.toString(i + 1));
        boolean preprocessed = run != null && !w.flag("raw") && run.rawDtype != null
                && DataPrep.preprocessing(run.dataset, RunConfig.array(run.rawShape), DType.of(run.rawDtype), run.imageLayout) != null;
        String source = Text.path(f, c.cwd()) + " (" + rows.size() + " rows" + (preprocessed ? ", preprocessed as " + run.dataset + " samples are in training)"
                : ", fed to the model as they are)");
        return new Inputs(x, null, labels, run != null ? run.classes : List.of(), source);
    }

    private Inputs fromDataset(Console c, Words w, ModelFiles.Loaded loaded) {
        EvalSetup.Prepared p = EvalSetup.data("kindling:predict", kernel, c.cwd(), w, loaded, 1);
        DataPrep.Split split = DataPrep.Split.valueOf(w.choice("split", "test", "test", "train", "all").toUpperCase(Locale.ROOT));
        Dataset<Sample> ds = p.data().split(split);
        int[] idx = indices(w.value("index"), ds.size());
        List<Tensor> xs = new ArrayList<>();
        long[] ys = new long[idx.length];
        List<String> labels = new ArrayList<>();
        for (int i = 0; i < idx.length; i++) {
            Sample s = ds.get(idx[i]);
            xs.add(s.input());
            ys[i] = s.target().itemLong();
            labels.add(Integer.toString(idx[i]));
        }
        String source = p.data().name() + ", " + split.name().toLowerCase(Locale.ROOT) + " split: " + p.data().splitDescription(split);
        return new Inputs(Torch.stack(xs, 0), Torch.tensor(ys), labels, p.data().classes(), source);
    }

    /** Runs the model on the inputs and ranks the classes of each by probability (softmax of its outputs). */
    private static Predictions predict(ModelFiles.Loaded loaded, Device device, Inputs in, int top) {
        Module model = loaded.model();
        Tensor probs;
        model.eval();
        try (var g = Torch.noGrad()) {
            Tensor outp = model.forward(in.x().to(device)).cpu();
            if (outp.dim() != 2) throw new IllegalArgumentException("kindling:predict: the model gives outputs of shape " + Arrays.toString(outp.shape())
                    + ", not one score per class");
            probs = outp.softmax(1);
        } catch (RuntimeException e) {
            if (e.getMessage() != null && e.getMessage().startsWith("kindling:predict")) throw e;
            throw new IllegalArgumentException("kindling:predict: the model cannot take these inputs " + Arrays.toString(in.x().shape()) + ": " + e.getMessage(), e);
        }
        int n = (int) probs.size(0), k = (int) probs.size(1);
        float[] pv = probs.toFloatArray();
        long[] tv = in.targets() == null ? null : in.targets().toLongArray();
        List<Predictions.Prediction> rows = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Integer[] order = new Integer[k];
            for (int j = 0; j < k; j++) order[j] = j;
            final int row = i;
            Arrays.sort(order, (a, b) -> Float.compare(pv[row * k + b], pv[row * k + a]));
            List<Predictions.Ranked> best = new ArrayList<>();
            for (int j = 0; j < Math.min(top, k); j++) best.add(new Predictions.Ranked(order[j], pv[row * k + order[j]]));
            rows.add(new Predictions.Prediction(in.labels().get(i), order[0], pv[row * k + order[0]], best, tv == null ? null : tv[i]));
        }
        return new Predictions(loaded, in.source(), k, Math.min(top, k), in.classes(), tv != null, rows);
    }

    /** "0,5,17", "0-9", "3"; default the first 10. */
    static int[] indices(String spec, int size) {
        List<Integer> out = new ArrayList<>();
        if (spec == null) {
            for (int i = 0; i < Math.min(10, size); i++) out.add(i);
        } else {
            for (String part : spec.split(",")) {
                String s = part.trim();
                if (s.isEmpty()) continue;
                try {
                    int dash = s.indexOf('-', 1);
                    int a = Integer.parseInt(dash < 0 ? s : s.substring(0, dash).trim());
                    int b = dash < 0 ? a : Integer.parseInt(s.substring(dash + 1).trim());
                    if (a < 0 || b < a) throw new NumberFormatException();
                    for (int i = a; i <= b; i++) out.add(i);
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("kindling:predict: --index takes indices and ranges such as 0,5,17 or 0-9, got '" + spec + "'");
                }
            }
        }
        if (out.isEmpty()) throw new IllegalArgumentException("kindling:predict: no samples selected");
        if (out.size() > 10_000) throw new IllegalArgumentException("kindling:predict: at most 10000 samples at once, got " + out.size());
        int[] idx = new int[out.size()];
        for (int i = 0; i < idx.length; i++) {
            idx[i] = out.get(i);
            if (idx[i] >= size) throw new IllegalArgumentException("kindling:predict: --index " + idx[i] + " is out of range: the split has " + size + " samples");
        }
        return idx;
    }
}
