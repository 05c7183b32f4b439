package dev.kindling.onnx.internal.load;

import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorProto.DataType;
import com.google.protobuf.ByteString;
import dev.kindling.api.DType;
import dev.kindling.api.Tensor;
import dev.kindling.api.Torch;
import dev.kindling.onnx.OnnxException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * ONNX {@code TensorProto} to Kindling tensors. Every declared size is checked against the bytes actually present
 * (inline or in the external file) before anything is allocated, so a hostile header cannot ask for memory the file
 * does not back.
 *
 * <p>Kindling has no 16-bit integer or unsigned 16/32/64-bit types: INT16 and UINT16 widen to INT32, UINT32 to INT64,
 * and UINT64 to INT64 (values of 2^63 and more wrap, as a Java long does).
 */
final class TensorProtos {
    /** The largest element count one tensor may have (a Java array's limit). */
    static final long MAX_ELEMENTS = Integer.MAX_VALUE - 8;

    private TensorProtos() {}

    /** The Kindling dtype an ONNX element type is held in, or an error naming {@code what}. */
    static DType dtype(int onnxType, String what) {
        switch (onnxType) {
            case DataType.FLOAT_VALUE: return DType.FLOAT32;
            case DataType.DOUBLE_VALUE: return DType.FLOAT64;
            case DataType.FLOAT16_VALUE: return DType.FLOAT16;
            case DataType.BFLOAT16_VALUE: return DType.BFLOAT16;
            case DataType.INT8_VALUE: return DType.INT8;
            case DataType.UINT8_VALUE: return DType.UINT8;
            case DataType.INT16_VALUE: case DataType.UINT16_VALUE: case DataType.INT32_VALUE: return DType.INT32;
            case DataType.UINT32_VALUE: case DataType.UINT64_VALUE: case DataType.INT64_VALUE: return DType.INT64;
            case DataType.BOOL_VALUE: return DType.BOOL;
            default:
                DataType dt = DataType.forNumber(onnxType);
                throw new OnnxException(what + ": element type " + (dt == null ? String.valueOf(onnxType) : dt.name())
                        + " is not supported (Kindling holds float32/64, float16, bfloat16, int8..int64, uint8..uint64 and bool)");
        }
    }

    /** Bytes per element in raw_data. */
    static int rawSize(int onnxType) {
        switch (onnxType) {
            case DataType.DOUBLE_VALUE: case DataType.INT64_VALUE: case DataType.UINT64_VALUE: return 8;
            case DataType.FLOAT_VALUE: case DataType.INT32_VALUE: case DataType.UINT32_VALUE: return 4;
            case DataType.FLOAT16_VALUE: case DataType.BFLOAT16_VALUE: case DataType.INT16_VALUE: case DataType.UINT16_VALUE: return 2;
            default: return 1;
        }
    }

    /** The element count of {@code dims}, checked: no negative dim, no overflow, at most {@link #MAX_ELEMENTS}. */
    static long numel(long[] dims, String what) {
        long n = 1;
        for (int i = 0; i < dims.length; i++) {
            if (dims[i] < 0) throw new OnnxException(what + ": dims[" + i + "] = " + dims[i] + " is negative");
            if (dims[i] != 0 && n > MAX_ELEMENTS / dims[i]) {
                throw new OnnxException(what + ": dims " + java.util.Arrays.toString(dims) + " give more than " + MAX_ELEMENTS + " elements");
            }
            n *= dims[i];
        }
        return n;
    }

    /**
     * Decodes a tensor; {@code modelDir} is where external data lives (null when the model came from bytes).
     * {@code what} names the tensor in errors (e.g. {@code initializer 'fc.weight'}).
     */
    static Tensor decode(TensorProto t, Path modelDir, String what) {
        if (t.hasSegment()) throw new OnnxException(what + ": segmented tensors are not supported");
        int type = t.getDataType();
        DType dtype = dtype(type, what);
        long[] dims = new long[t.getDimsCount()];
        for (int i = 0; i < dims.length; i++) dims[i] = t.getDims(i);
        int n = (int) numel(dims, what);
        ByteBuffer raw = null;
        if (t.getDataLocation() == TensorProto.DataLocation.EXTERNAL) {
            raw = external(t, modelDir, (long) n * rawSize(type), what);
        } else if (t.hasRawData()) {
            ByteString bs = t.getRawData();
            long want = (long) n * rawSize(type);
            if (bs.size() != want) {
                throw new OnnxException(what + ": raw_data has " + bs.size() + " bytes but dims " + java.util.Arrays.toString(dims)
                        + " of " + DataType.forNumber(type) + " need " + want);
            }
            raw = bs.asReadOnlyByteBuffer();
        }
        Object data = raw != null ? fromRaw(raw.order(ByteOrder.LITTLE_ENDIAN), type, n) : fromTyped(t, type, n, what);
        return Torch.tensor(data, dtype, dims);
    }

    private static Object fromRaw(ByteBuffer b, int type, int n) {
        switch (type) {
            case DataType.FLOAT_VALUE: { float[] a = new float[n]; b.asFloatBuffer().get(a); return a; }
            case DataType.DOUBLE_VALUE: { double[] a = new double[n]; b.asDoubleBuffer().get(a); return a; }
            case DataType.INT64_VALUE: case DataType.UINT64_VALUE: { long[] a = new long[n]; b.asLongBuffer().get(a); return a; }
            case DataType.INT32_VALUE: { int[] a = new int[n]; b.asIntBuffer().get(a); return a; }
            case DataType.UINT32_VALUE: {
                long[] a = new long[n];
                for (int i = 0; i < n; i++) a[i] = Integer.toUnsignedLong(b.getInt(b.position() + 4 * i));
                return a;
            }
            case DataType.FLOAT16_VALUE: case DataType.BFLOAT16_VALUE: {
                float[] a = new float[n];
                for (int i = 0; i < n; i++) a[i] = halfBits(b.getShort(b.position() + 2 * i) & 0xffff, type);
                return a;
            }
            case DataType.INT16_VALUE: case DataType.UINT16_VALUE: {
                int[] a = new int[n];
                for (int i = 0; i < n; i++) {
                    short s = b.getShort(b.position() + 2 * i);
                    a[i] = type == DataType.INT16_VALUE ? s : s & 0xffff;
                }
                return a;
            }
            case DataType.BOOL_VALUE: {
                boolean[] a = new boolean[n];
                for (int i = 0; i < n; i++) a[i] = b.get(b.position() + i) != 0;
                return a;
            }
            case DataType.UINT8_VALUE: { byte[] a = new byte[n]; b.get(a); return a; }
            default: { // INT8: held as int so that the sign survives the conversion
                int[] a = new int[n];
                for (int i = 0; i < n; i++) a[i] = b.get(b.position() + i);
                return a;
            }
        }
    }

    private static Object fromTyped(TensorProto t, int type, int n, String what) {
        int have;
        switch (type) {
            case DataType.FLOAT_VALUE: have = t.getFloatDataCount(); break;
            case DataType.DOUBLE_VALUE: have = t.getDoubleDataCount(); break;
            case DataType.INT64_VALUE: have = t.getInt64DataCount(); break;
            case DataType.UINT32_VALUE: case DataType.UINT64_VALUE: have = t.getUint64DataCount(); break;
            default: have = t.getInt32DataCount(); break;
        }
        if (have != n) {
            throw new OnnxException(what + ": holds " + have + " values but its dims need " + n
                    + (have == 0 && n > 0 ? " (no raw_data and no typed data)" : ""));
        }
        switch (type) {
            case DataType.FLOAT_VALUE: { float[] a = new float[n]; for (int i = 0; i < n; i++) a[i] = t.getFloatData(i); return a; }
            case DataType.DOUBLE_VALUE: { double[] a = new double[n]; for (int i = 0; i < n; i++) a[i] = t.getDoubleData(i); return a; }
            case DataType.INT64_VALUE: { long[] a = new long[n]; for (int i = 0; i < n; i++) a[i] = t.getInt64Data(i); return a; }
            case DataType.UINT32_VALUE: case DataType.UINT64_VALUE: {
                long[] a = new long[n];
                for (int i = 0; i < n; i++) a[i] = t.getUint64Data(i);
                return a;
            }
            case DataType.FLOAT16_VALUE: case DataType.BFLOAT16_VALUE: {
                float[] a = new float[n];
                for (int i = 0; i < n; i++) a[i] = halfBits(t.getInt32Data(i) & 0xffff, type);
                return a;
            }
            case DataType.BOOL_VALUE: { boolean[] a = new boolean[n]; for (int i = 0; i < n; i++) a[i] = t.getInt32Data(i) != 0; return a; }
            case DataType.UINT8_VALUE: { byte[] a = new byte[n]; for (int i = 0; i < n; i++) a[i] = (byte) t.getInt32Data(i); return a; }
            case DataType.INT8_VALUE: { int[] a = new int[n]; for (int i = 0; i < n; i++) a[i] = (byte) t.getInt32Data(i); return a; }
            case DataType.INT16_VALUE: { int[] a = new int[n]; for (int i = 0; i < n; i++) a[i] = (short) t.getInt32Data(i); return a; }
            case DataType.UINT16_VALUE: { int[] a = new int[n]; for (int i = 0; i < n; i++) a[i] = t.getInt32Data(i) & 0xffff; return a; }
            default: { int[] a = new int[n]; for (int i = 0; i < n; i++) a[i] = t.getInt32Data(i); return a; }
        }
    }

    /** A float16 or bfloat16 bit pattern as a float. */
    static float halfBits(int bits, int type) {
        if (type == DataType.BFLOAT16_VALUE) return Float.intBitsToFloat(bits << 16);
        int sign = (bits & 0x8000) << 16, exp = (bits >>> 10) & 0x1f, mant = bits & 0x3ff;
        if (exp == 0) {
            float v = mant * 0x1p-24f; // zero or subnormal
            return sign != 0 ? -v : v;
        }
        if (exp == 31) return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13));
        return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
    }

    /**
     * Reads {@code need} bytes of external data: the location must resolve inside the model's directory (no absolute
     * path, no {@code ..}, no symbolic link leading out), and offset/length must lie within the file.
     */
    private static ByteBuffer external(TensorProto t, Path modelDir, long need, String what) {
        String location = null;
        long offset = 0, length = -1;
        for (var e : t.getExternalDataList()) {
            switch (e.getKey()) {
                case "location": location = e.getValue(); break;
                case "offset": offset = parseLong(e.getValue(), what, "offset"); break;
                case "length": length = parseLong(e.getValue(), what, "length"); break;
                default: break; // "checksum" and future keys carry nothing the reader needs
            }
        }
        if (location == null || location.isEmpty()) throw new OnnxException(what + ": external data has no 'location'");
        if (modelDir == null) {
            throw new OnnxException(what + ": external data '" + location + "' needs the model's directory; load the model from its path, not its bytes");
        }
        if (offset < 0) throw new OnnxException(what + ": external data offset " + offset + " is negative");
        if (length >= 0 && length != need) {
            throw new OnnxException(what + ": external data length " + length + " does not match the " + need + " bytes its dims need");
        }
        Path dir = modelDir.toAbsolutePath().normalize();
        Path file;
        try {
            Path rel = Path.of(location);
            if (rel.isAbsolute()) throw new OnnxException(what + ": external data location '" + location + "' is absolute; it must be relative to the model's directory");
            file = dir.resolve(rel).normalize();
        } catch (java.nio.file.InvalidPathException e) {
            throw new OnnxException(what + ": external data location '" + location + "' is not a valid path", e);
        }
        if (!file.startsWith(dir) || file.equals(dir)) throw new OnnxException(what + ": external data location '" + location + "' leaves the model's directory");
        try {
            if (!Files.isRegularFile(file)) throw new OnnxException(what + ": external data file '" + location + "' does not exist");
            Path real = file.toRealPath(), realDir = dir.toRealPath();
            if (!real.startsWith(realDir)) throw new OnnxException(what + ": external data location '" + location + "' links out of the model's directory");
            long size = Files.size(real);
            if (offset > size || need > size - offset) {
                throw new OnnxException(what + ": external data '" + location + "' has " + size + " bytes; offset " + offset + " + " + need + " bytes lies beyond it");
            }
            ByteBuffer buf = ByteBuffer.allocate((int) need);
            try (FileChannel ch = FileChannel.open(real, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
                while (buf.hasRemaining()) {
                    if (ch.read(buf, offset + buf.position()) < 0) throw new OnnxException(what + ": external data '" + location + "' ended early");
                }
            }
            return buf.flip();
        } catch (IOException e) {
            throw new OnnxException(what + ": cannot read external data '" + location + "': " + e.getMessage(), e);
        }
    }

    private static long parseLong(String v, String what, String key) {
        try {
            return Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            throw new OnnxException(what + ": external data " + key + " '" + v + "' is not an integer");
        }
    }
}
