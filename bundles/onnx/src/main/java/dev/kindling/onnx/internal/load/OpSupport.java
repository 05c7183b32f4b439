package dev.kindling.onnx.internal.load;

import ai.onnx.proto.OnnxMl.TensorProto;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.kindling.api.DType;
import dev.kindling.api.Tensor;
import dev.kindling.onnx.OnnxException;

/** What the op families (and tools reading ONNX's serialised tensors) need from the loader's internals. */
public final class OpSupport {
    private OpSupport() {}

    /** The Kindling dtype an ONNX element type code is held in (an {@link OnnxException} if none). */
    public static DType dtype(int onnxType) { return TensorProtos.dtype(onnxType, "element type"); }

    /**
     * Runs a loaded model on inputs that may be {@link Values.Sequence}s or {@link Values.Optional}s as well as
     * tensors (graphs whose inputs or outputs are sequences cannot go through {@code OnnxModel.run}).
     */
    public static java.util.Map<String, Object> runValues(dev.kindling.onnx.OnnxModel model, java.util.Map<String, Object> inputs) {
        if (!(model instanceof LoadedModel m)) throw new IllegalArgumentException("not a model loaded by Onnx.load: " + model.getClass().getName());
        return m.runValues(inputs);
    }

    /** A serialised {@code TensorProto} (as ONNX's test data {@code input_0.pb}) as a tensor; no external data. */
    public static Tensor readTensor(byte[] bytes, String source) {
        TensorProto t;
        try {
            t = TensorProto.parseFrom(bytes);
        } catch (InvalidProtocolBufferException e) {
            throw new OnnxException(source + ": not a serialised TensorProto: " + e.getMessage(), e);
        }
        return TensorProtos.decode(t, null, source);
    }
}
