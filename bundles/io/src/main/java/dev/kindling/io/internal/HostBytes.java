package dev.kindling.io.internal;

import dev.kindling.api.DType;

import java.lang.reflect.Array;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Host arrays (as {@code TensorBackend.toHost} returns them) to and from the raw element bytes that safetensors and
 * PyTorch's checkpoint files store: one place for both file formats.
 */
public final class HostBytes {
    private HostBytes() {}

    /** The elements of {@code host} as little-endian bytes of {@code itemSize} each; BOOL as bytes 0 and 1. */
    public static byte[] littleEndian(Object host, int itemSize) {
        int n = Array.getLength(host);
        ByteBuffer b = ByteBuffer.allocate(n * itemSize).order(ByteOrder.LITTLE_ENDIAN);
        if (host instanceof float[]) b.asFloatBuffer().put((float[]) host);
        else if (host instanceof double[]) b.asDoubleBuffer().put((double[]) host);
        else if (host instanceof long[]) b.asLongBuffer().put((long[]) host);
        else if (host instanceof int[]) b.asIntBuffer().put((int[]) host);
        else if (host instanceof short[]) b.asShortBuffer().put((short[]) host);
        else if (host instanceof byte[]) b.put((byte[]) host);
        else for (boolean v : (boolean[]) host) b.put((byte) (v ? 1 : 0));
        return b.array();
    }

    /** The index of the first of {@code b}'s first {@code n} bytes that is neither 0 nor 1 (not a BOOL), or -1. */
    public static int firstNonBool(ByteBuffer b, int n) {
        for (int i = 0; i < n; i++) {
            byte v = b.get(i);
            if (v != 0 && v != 1) return i;
        }
        return -1;
    }

    /**
     * The first {@code n} elements of {@code b}, in its byte order, as the host array of {@code dtype}: float16 and
     * bfloat16 as their raw bits in a {@code short[]}, int8 and uint8 as {@code byte[]}. BOOL bytes must have been
     * checked with {@link #firstNonBool}.
     */
    public static Object hostArray(ByteBuffer b, DType dtype, int n) {
        switch (dtype) {
            case FLOAT32: { float[] a = new float[n]; b.asFloatBuffer().get(a); return a; }
            case FLOAT64: { double[] a = new double[n]; b.asDoubleBuffer().get(a); return a; }
            case FLOAT16: case BFLOAT16: { short[] a = new short[n]; b.asShortBuffer().get(a); return a; }
            case INT64: { long[] a = new long[n]; b.asLongBuffer().get(a); return a; }
            case INT32: { int[] a = new int[n]; b.asIntBuffer().get(a); return a; }
            case BOOL: {
                boolean[] a = new boolean[n];
                for (int i = 0; i < n; i++) a[i] = b.get(i) == 1;
                return a;
            }
            default: { byte[] a = new byte[n]; b.get(a); return a; }
        }
    }
}
