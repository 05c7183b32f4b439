package dev.kindling.onnx.internal.export;

import ai.onnx.proto.OnnxMl.TensorProto;
import com.google.protobuf.ByteString;
import dev.kindling.api.DType;
import dev.kindling.api.Tensor;
import dev.kindling.kernel.tensor.Half;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Kindling dtypes and tensors as ONNX element types and {@code TensorProto}s (raw little-endian data). */
final class TensorProtos {
    private TensorProtos() {}

    static int elemType(DType d) {
        switch (d) {
            case FLOAT32: return TensorProto.DataType.FLOAT_VALUE;
            case FLOAT64: return TensorProto.DataType.DOUBLE_VALUE;
            case FLOAT16: return TensorProto.DataType.FLOAT16_VALUE;
            case BFLOAT16: return TensorProto.DataType.BFLOAT16_VALUE;
            case INT64: return TensorProto.DataType.INT64_VALUE;
            case INT32: return TensorProto.DataType.INT32_VALUE;
            case INT8: return TensorProto.DataType.INT8_VALUE;
            case UINT8: return TensorProto.DataType.UINT8_VALUE;
            case BOOL: return TensorProto.DataType.BOOL_VALUE;
            default: throw new IllegalArgumentException("no ONNX element type for " + d);
        }
    }

    /** {@code t}'s values (copied to the host) as a named initializer or constant. */
    static TensorProto of(String name, Tensor t) {
        TensorProto.Builder b = TensorProto.newBuilder().setName(name).setDataType(elemType(t.dtype()));
        for (long s : t.shape()) b.addDims(s);
        long n = t.numel();
        ByteBuffer buf = ByteBuffer.allocate(Math.toIntExact(n * t.dtype().itemSize())).order(ByteOrder.LITTLE_ENDIAN);
        Tensor c = t.detach().contiguous();
        switch (t.dtype()) {
            case FLOAT32: for (float v : c.toFloatArray()) buf.putFloat(v); break;
            case FLOAT64: for (double v : c.toDoubleArray()) buf.putDouble(v); break;
            case FLOAT16: for (float v : c.toFloatArray()) buf.putShort(Half.floatToHalf(v)); break;
            case BFLOAT16: for (float v : c.toFloatArray()) buf.putShort(Half.floatToBf16(v)); break;
            case INT64: for (long v : c.toLongArray()) buf.putLong(v); break;
            case INT32: for (int v : c.toIntArray()) buf.putInt(v); break;
            case INT8: case UINT8: for (long v : c.toLongArray()) buf.put((byte) v); break;
            case BOOL: for (boolean v : c.toBooleanArray()) buf.put((byte) (v ? 1 : 0)); break;
            default: throw new IllegalArgumentException("cannot export a " + t.dtype() + " tensor");
        }
        return b.setRawData(ByteString.copyFrom(buf.array())).build();
    }

    static TensorProto int64s(String name, long[] values, boolean scalar) {
        TensorProto.Builder b = TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.INT64_VALUE);
        if (!scalar) b.addDims(values.length);
        for (long v : values) b.addInt64Data(v);
        return b.build();
    }

    /** A scalar (0-dim) of {@code dtype} holding {@code value}. */
    static TensorProto scalar(String name, double value, DType dtype) {
        TensorProto.Builder b = TensorProto.newBuilder().setName(name).setDataType(elemType(dtype));
        ByteBuffer buf = ByteBuffer.allocate(dtype.itemSize()).order(ByteOrder.LITTLE_ENDIAN);
        switch (dtype) {
            case FLOAT32: buf.putFloat((float) value); break;
            case FLOAT64: buf.putDouble(value); break;
            case FLOAT16: buf.putShort(Half.floatToHalf((float) value)); break;
            case BFLOAT16: buf.putShort(Half.floatToBf16((float) value)); break;
            case INT64: buf.putLong((long) value); break;
            case INT32: buf.putInt((int) value); break;
            case INT8: case UINT8: buf.put((byte) value); break;
            case BOOL: buf.put((byte) (value != 0 ? 1 : 0)); break;
            default: throw new IllegalArgumentException("no scalar of " + dtype);
        }
        return b.setRawData(ByteString.copyFrom(buf.array())).build();
    }
}
