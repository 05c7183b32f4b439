package dev.kindling.serving.internal;

import dev.kindling.api.DType;
import dev.kindling.api.Tensor;
import dev.kindling.api.Torch;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * Raw tensor bytes of Triton's binary tensor extension: little-endian, row-major, one element after another (BOOL one byte,
 * FP16/BF16 two). Reads the inputs from the bytes after a request's JSON header, in order, and writes outputs.
 */
final class Raw {
    private final byte[] body;
    private int at;
    private final boolean present;

    /** {@code jsonLength} < 0: the request has no binary part. */
    Raw(byte[] body, int jsonLength) {
        this.body = body;
        this.at = Math.max(0, jsonLength);
        this.present = jsonLength >= 0;
    }

    static long numel(long[] shape) {
        long n = 1;
        for (long d : shape) n = Math.multiplyExact(n, d);
        return n;
    }

    /** The next {@code size} bytes as a tensor of {@code dtype} and {@code shape}. */
    Tensor take(String what, DType dtype, long[] shape, long numel, long size) {
        if (!present) throw ServingException.badRequest(what + " has binary_data_size, but the request has no Inference-Header-Content-Length header");
        if (numel * dtype.itemSize() != size) {
            throw ServingException.badRequest(what + ": shape " + Arrays.toString(shape) + " of " + Datatypes.name(dtype) + " takes " + numel * dtype.itemSize()
                    + " bytes, but binary_data_size is " + size);
        }
        if (size > body.length - at) throw ServingException.badRequest(what + ": binary_data_size " + size + " runs past the end of the body");
        ByteBuffer b = ByteBuffer.wrap(body, at, (int) size).order(ByteOrder.LITTLE_ENDIAN);
        at += (int) size;
        int n = (int) numel;
        switch (dtype) {
            case FLOAT32 -> {
                float[] f = new float[n];
                b.asFloatBuffer().get(f);
                return Torch.tensor(f, shape);
            }
            case FLOAT64 -> {
                double[] d = new double[n];
                b.asDoubleBuffer().get(d);
                return Torch.tensor(d, shape);
            }
            case FLOAT16, BFLOAT16 -> {
                float[] f = new float[n];
                for (int i = 0; i < n; i++) {
                    int bits = b.getShort() & 0xffff;
                    f[i] = dtype == DType.FLOAT16 ? halfToFloat(bits) : Float.intBitsToFloat(bits << 16);
                }
                return Torch.tensor(f, dtype, shape);
            }
            case INT64 -> {
                long[] l = new long[n];
                b.asLongBuffer().get(l);
                return Torch.tensor(l, shape);
            }
            case INT32 -> {
                int[] v = new int[n];
                b.asIntBuffer().get(v);
                return Torch.tensor(v, shape);
            }
            case BOOL -> {
                boolean[] v = new boolean[n];
                for (int i = 0; i < n; i++) v[i] = b.get() != 0;
                return Torch.tensor(v, shape);
            }
            default -> { // INT8, UINT8
                long[] l = new long[n];
                for (int i = 0; i < n; i++) l[i] = dtype == DType.UINT8 ? b.get() & 0xff : b.get();
                return Torch.tensor(l, dtype, shape);
            }
        }
    }

    /** Every byte after the JSON must belong to an input. */
    void checkAllUsed() {
        if (present && at != body.length) {
            throw ServingException.badRequest((body.length - at) + " bytes after the JSON header belong to no input (binary_data_size)");
        }
    }

    /** IEEE 754 binary16 to float (Float.float16ToFloat is Java 20). */
    static float halfToFloat(int h) {
        int e = (h >>> 10) & 0x1f, m = h & 0x3ff;
        float v;
        if (e == 0) v = m * 0x1p-24f;
        else if (e == 31) v = m == 0 ? Float.POSITIVE_INFINITY : Float.NaN;
        else v = Float.intBitsToFloat(((e + 112) << 23) | (m << 13));
        return (h & 0x8000) != 0 ? -v : v;
    }

    /** A (CPU, FP32/FP64/INT/BOOL) tensor's elements as little-endian bytes. */
    static byte[] bytes(Tensor t, DType dtype) {
        int n = (int) t.numel();
        ByteBuffer b = ByteBuffer.allocate(n * dtype.itemSize()).order(ByteOrder.LITTLE_ENDIAN);
        switch (dtype) {
            case FLOAT32 -> b.asFloatBuffer().put(t.toFloatArray());
            case FLOAT64 -> b.asDoubleBuffer().put(t.toDoubleArray());
            case INT64 -> b.asLongBuffer().put(t.toLongArray());
            case INT32 -> b.asIntBuffer().put(t.toIntArray());
            case BOOL -> {
                for (boolean x : t.toBooleanArray()) b.put((byte) (x ? 1 : 0));
            }
            default -> {
                for (long x : t.toLongArray()) b.put((byte) x);
            }
        }
        return b.array();
    }
}
