package dev.kindling.onnx.internal.export;

import dev.kindling.jit.TracedModule;
import dev.kindling.onnx.ExportOptions;

/** Writes traced graphs as ONNX models (being written). */
public final class OnnxExporter {
    private OnnxExporter() {}

    public static byte[] export(TracedModule traced, ExportOptions options) {
        throw new UnsupportedOperationException("ONNX export is being written");
    }
}
