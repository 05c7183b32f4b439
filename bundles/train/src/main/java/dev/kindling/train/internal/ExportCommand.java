package dev.kindling.train.internal;

import dev.kindling.api.Tensor;
import dev.kindling.kernel.Kernel;
import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Descriptor;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static dev.kindling.train.internal.Words.Kind.FLAG;
import static dev.kindling.train.internal.Words.Kind.VALUE;

/**
 * {@code kindling:export}: a saved model, checkpoint or run as an ONNX file. The model is traced in eval mode on one
 * sample of its run's dataset (preprocessed as in training), with a dynamic batch axis unless {@code --static}.
 * The tracer and exporter come from the kindling-onnx bundle, which this bundle imports optionally (a Karaf
 * {@code kindling} feature without {@code kindling-onnx} still trains): only {@link OnnxSupport} names their classes.
 */
@Component(service = ExportCommand.class, property = {"osgi.command.scope=kindling", "osgi.command.function=export"})
public class ExportCommand {
    private final Kernel kernel;

    @Activate
    public ExportCommand(@Reference(name = "kernel") Kernel kernel) {
        this.kernel = kernel;
    }

    @Descriptor("export a saved model, checkpoint or run as ONNX: kindling:export <model-file|checkpoint-dir|run-dir> --onnx out.onnx "
            + "[--opset 17|18|20|21] [<dataset> [key=value...]] [--static]; traced in eval mode on a sample of the run's dataset (or the one "
            + "named), with a dynamic batch axis unless --static")
    public Object export(CommandSession session, @Descriptor("model, output file, options") String... args) {
        return export(Console.of(session), args);
    }

    String export(Console c, String... args) {
        Words w = Words.parse("kindling:export", 1, List.of(new Words.Positional("model", false), new Words.Positional("dataset", true)),
                List.of(new Words.Option("onnx", VALUE), new Words.Option("opset", VALUE), new Words.Option("static", FLAG),
                        new Words.Option("seed", VALUE), new Words.Option("test-fraction", VALUE)), args);
        if (w.help()) return "kindling:export <model-file|checkpoint-dir|run-dir> --onnx out.onnx [--opset 17|18|20|21] [<dataset> [key=value...]] [--static]";
        String out = w.value("onnx");
        if (out == null) throw new IllegalArgumentException("kindling:export: name the file to write with --onnx out.onnx");
        int opset = w.integer("opset", 17, 1);
        OnnxSupport exporter = OnnxSupport.require("kindling:export");
        if (!exporter.supportsOpset(opset)) {
            throw new IllegalArgumentException("kindling:export: --opset " + opset + " is not one the exporter writes (17, 18, 20 or 21)");
        }
        ModelFiles.Loaded loaded = EvalSetup.loadModel("kindling:export", c.cwd(), w.positional(0), dev.kindling.api.Device.CPU);
        EvalSetup.Prepared p = EvalSetup.data("kindling:export", kernel, c.cwd(), w, loaded, 1);
        if (p.data().test().size() == 0) throw new IllegalArgumentException("kindling:export: the dataset " + p.data().name() + " has no samples to trace with");
        Tensor example = p.data().test().get(0).input().unsqueeze(0);
        boolean dynamic = !w.flag("static");
        loaded.model().eval();
        Path target = c.cwd().resolve(out).normalize();
        OnnxSupport.Written traced = exporter.export(loaded.model(), example, dynamic, target, opset);
        long bytes;
        try {
            bytes = Files.size(target);
        } catch (IOException e) {
            bytes = -1;
        }
        return "exported " + loaded.describe() + "\n  to " + Text.path(target, c.cwd()) + " (ONNX opset " + opset + ", " + traced.nodes()
                + " traced ops, " + traced.initializers() + " initializers, " + (bytes + 1023) / 1024 + " KiB)\n  input 'input' "
                + traced.inputShape() + " " + traced.inputDtype() + " -> output 'output' "
                + traced.outputShape() + (dynamic ? "; batch is dynamic" : "; every size is fixed (--static)")
                + "\n  traced on sample 0 of " + p.data().name() + " " + Arrays.toString(example.shape());
    }
}
