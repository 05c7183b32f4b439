package dev.kindling.onnx.internal.load;

import dev.kindling.onnx.OnnxModel;

import java.nio.file.Path;

/** Parses ONNX files into models that run on Kindling ops. */
public final class OnnxLoader {
    private OnnxLoader() {}

    public static OnnxModel load(Path path) {
        throw new UnsupportedOperationException("ONNX import is being written");
    }

    public static OnnxModel load(byte[] bytes, String source) {
        throw new UnsupportedOperationException("ONNX import is being written");
    }
}
