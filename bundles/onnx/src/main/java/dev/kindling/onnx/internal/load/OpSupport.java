package dev.kindling.onnx.internal.load;

import dev.kindling.api.DType;

/** What the op families need from the loader's internals. */
public final class OpSupport {
    private OpSupport() {}

    /** The Kindling dtype an ONNX element type code is held in (an {@link dev.kindling.onnx.OnnxException} if none). */
    public static DType dtype(int onnxType) { return TensorProtos.dtype(onnxType, "element type"); }
}
