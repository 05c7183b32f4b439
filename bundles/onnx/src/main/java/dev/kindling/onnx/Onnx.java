package dev.kindling.onnx;

import dev.kindling.api.Tensor;
import dev.kindling.io.AtomicFiles;
import dev.kindling.jit.Jit;
import dev.kindling.jit.TracedModule;
import dev.kindling.nn.Module;
import dev.kindling.onnx.internal.export.OnnxExporter;
import dev.kindling.onnx.internal.load.OnnxLoader;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/**
 * ONNX in and out (PyTorch's {@code torch.onnx.export}, plus what no JVM library has: ONNX models run on Kindling's
 * own backends, trainable).
 * <pre>{@code
 * Onnx.export(model, Torch.randn(1, 784), Path.of("mlp.onnx"));
 * Onnx.export(model, new Tensor[] {x}, Path.of("mlp.onnx"), ExportOptions.builder().opset(18)
 *         .inputNames("x").outputNames("logits").dynamicAxes(Map.of("x", Map.of(0, "batch"))).build());
 * Module back = Onnx.load(Path.of("mlp.onnx"));   // runs on Kindling's backends; parameters train
 * }</pre>
 * Exports are single self-contained files (initializers inline, named by the model's state-dict keys), stamped with
 * the minimum IR version of the opset, with Kindling's metadata ({@code kindling.modelspec}, {@code kindling.io}) in
 * {@code metadata_props}. The file is written atomically: a failed export leaves no file behind.
 */
public final class Onnx {
    private Onnx() {}

    /** Exports {@code model} at opset 17, traced on {@code exampleInput} (in eval mode). */
    public static void export(Module model, Tensor exampleInput, Path path) {
        export(model, new Tensor[] {exampleInput}, path, ExportOptions.defaults());
    }

    /** Exports {@code model}, traced on {@code inputs} (in eval mode), as {@code options} say. */
    public static void export(Module model, Tensor[] inputs, Path path, ExportOptions options) {
        write(path, toBytes(model, inputs, options));
    }

    /** Exports an already traced module. */
    public static void export(TracedModule traced, Path path, ExportOptions options) {
        write(path, OnnxExporter.export(traced, options));
    }

    /** The ONNX file's bytes, without writing them anywhere. */
    public static byte[] toBytes(Module model, Tensor[] inputs, ExportOptions options) {
        TracedModule traced = Jit.trace(model, inputs, options.inputNames(), options.outputNames(), options.dynamicAxes());
        return OnnxExporter.export(traced, options);
    }

    /** A traced module's ONNX file bytes at opset 17, named and dynamic as it was traced. */
    public static byte[] toBytes(TracedModule traced) { return toBytes(traced, ExportOptions.defaults()); }

    /** A traced module's ONNX file bytes. */
    public static byte[] toBytes(TracedModule traced, ExportOptions options) { return OnnxExporter.export(traced, options); }

    /** Loads an ONNX model to run on Kindling's backends; its initializers are parameters (trainable). */
    public static OnnxModel load(Path path) { return OnnxLoader.load(path); }

    /** Loads an ONNX model from its bytes; {@code source} names it in error messages. */
    public static OnnxModel load(byte[] bytes, String source) { return OnnxLoader.load(bytes, source); }

    private static void write(Path path, byte[] bytes) {
        try {
            AtomicFiles.write(path, channel -> channel.write(java.nio.ByteBuffer.wrap(bytes)));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + path, e);
        }
    }
}
