package dev.kindling.train.internal;

import dev.kindling.api.Device;
import dev.kindling.api.Tensor;
import dev.kindling.jit.Jit;
import dev.kindling.jit.TracedModule;
import dev.kindling.nn.Module;
import dev.kindling.onnx.ExportOptions;
import dev.kindling.onnx.Onnx;
import dev.kindling.onnx.OnnxException;
import dev.kindling.onnx.OnnxModel;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The commands' use of the kindling-onnx bundle (tracer, exporter, importer), which this bundle imports optionally:
 * without it the bundle resolves and trains, and only an ONNX command or file fails, saying what to install. No other
 * class of this bundle names an ONNX type, and this one is only loaded after {@link #require} found the bundle wired.
 */
final class OnnxSupport {
    private OnnxSupport() {}

    /** What an export wrote, for the command's summary. */
    record Written(int nodes, int initializers, List<Object> inputShape, String inputDtype, List<Object> outputShape) {}

    /** The ONNX support, or an error naming {@code what} needed it and what to install. */
    static OnnxSupport require(String what) {
        try {
            Class.forName("dev.kindling.onnx.Onnx", false, OnnxSupport.class.getClassLoader());
        } catch (ClassNotFoundException | LinkageError e) {
            throw new IllegalStateException(what + " needs the kindling-onnx bundle (tracing, ONNX export and import), which is not installed"
                    + " or not wired to kindling-train (Karaf: feature:install kindling-onnx; Felix: install it, then refresh kindling-train)");
        }
        return new OnnxSupport();
    }

    boolean supportsOpset(int opset) { return ExportOptions.SUPPORTED_OPSETS.contains(opset); }

    /** Traces {@code model} on {@code example} (the batch axis dynamic when asked) and writes it to {@code target}. */
    Written export(Module model, Tensor example, boolean dynamicBatch, Path target, int opset) {
        // Names and dynamic axes are the trace's; the export writes them as traced.
        TracedModule traced = Jit.trace(model, new Tensor[] {example}, List.of("input"), List.of("output"),
                dynamicBatch ? Map.of("input", Map.of(0, "batch"), "output", Map.of(0, "batch")) : Map.of());
        Onnx.export(traced, target, ExportOptions.builder().opset(opset).build());
        return new Written(traced.graph().nodes().size(), traced.graph().stateValues().size(),
                List.copyOf(traced.graph().inputs().get(0).shape()), traced.graph().inputs().get(0).dtype().torchName(),
                List.copyOf(traced.graph().outputs().get(0).shape()));
    }

    /** An ONNX model file as a module on {@code device}, with the model spec a Kindling export put in its metadata (or null). */
    ModelFiles.Loaded load(Path file, Device device) throws IOException {
        OnnxModel m;
        try {
            m = Onnx.load(file);
        } catch (OnnxException e) {
            throw new IOException(e.getMessage(), e);
        }
        if (!device.isCpu()) m.to(device);
        return new ModelFiles.Loaded(m, m.metadata().get("kindling.modelspec"), file, false, -1, Map.of());
    }
}
