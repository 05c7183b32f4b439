package dev.kindling.kernel.spi;

import dev.kindling.api.DType;

import java.nio.Buffer;
import java.nio.ByteBuffer;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.nio.ShortBuffer;

/**
 * Which {@link java.nio.Buffer} holds a dtype's elements, and bulk moves between such a buffer and the host arrays of
 * {@link TensorBackend#toHost(View)}: the plumbing of {@link TensorBackend#toHost(View, Buffer)} and
 * {@link TensorBackend#fromHost(Buffer, View)}, shared by their defaults and by backends that override them.
 *
 * <p>Each dtype has one buffer type, the one whose element is its host array's: FLOAT32 {@link FloatBuffer}, FLOAT64
 * {@link DoubleBuffer}, INT64 {@link LongBuffer}, INT32 {@link IntBuffer}, FLOAT16 and BFLOAT16 {@link ShortBuffer} (the
 * bits), INT8, UINT8 and BOOL {@link ByteBuffer} (BOOL as bytes 0 and 1; any non-zero byte reads as true). Moves are
 * relative: they start at the buffer's position and advance it, as {@code FloatBuffer.put(float[])} does.
 */
public final class HostBuffers {
    private HostBuffers() {}

    /** The buffer type that holds {@code dtype}'s elements. */
    public static Class<? extends Buffer> typeFor(DType dtype) {
        switch (dtype) {
            case FLOAT32: return FloatBuffer.class;
            case FLOAT64: return DoubleBuffer.class;
            case INT64: return LongBuffer.class;
            case INT32: return IntBuffer.class;
            case FLOAT16:
            case BFLOAT16: return ShortBuffer.class;
            default: return ByteBuffer.class; // INT8, UINT8, BOOL
        }
    }

    /** A host array of {@link TensorBackend#toHost(View)}'s type for {@code dtype}, of {@code n} elements. */
    public static Object newArray(DType dtype, int n) {
        switch (dtype) {
            case FLOAT32: return new float[n];
            case FLOAT64: return new double[n];
            case INT64: return new long[n];
            case INT32: return new int[n];
            case FLOAT16:
            case BFLOAT16: return new short[n];
            case BOOL: return new boolean[n];
            default: return new byte[n];
        }
    }

    /**
     * Checks that {@code buffer} can take part in a move of {@code numel} elements of {@code dtype} ({@code write}:
     * into it), before anything moves, so that a refused call leaves both sides as they were. {@code what} names the
     * call in the message.
     */
    public static void check(String what, Buffer buffer, DType dtype, long numel, boolean write) {
        if (buffer == null) throw new NullPointerException(what + ": the buffer is null");
        Class<? extends Buffer> type = typeFor(dtype);
        if (!type.isInstance(buffer)) {
            throw new IllegalArgumentException(what + ": a " + dtype + " tensor's elements " + (write ? "go into" : "come from") + " a "
                    + type.getSimpleName() + ", not a " + bufferKind(buffer));
        }
        if (write && buffer.isReadOnly()) {
            throw new IllegalArgumentException(what + ": the " + type.getSimpleName() + " is read-only");
        }
        if (buffer.remaining() < numel) {
            throw new IllegalArgumentException(what + ": the tensor has " + numel + " elements but the " + type.getSimpleName() + " has "
                    + buffer.remaining() + " remaining (position " + buffer.position() + ", limit " + buffer.limit() + ")");
        }
    }

    private static String bufferKind(Buffer b) {
        for (Class<?> c = b.getClass(); c != null; c = c.getSuperclass()) {
            if (c.getSuperclass() == Buffer.class) return c.getSimpleName();
        }
        return b.getClass().getSimpleName();
    }

    /** Puts {@code array[off, off + n)} into {@code dst} at its position (the types of {@link #typeFor}). */
    public static void put(Buffer dst, Object array, int off, int n) {
        if (array instanceof float[] a) ((FloatBuffer) dst).put(a, off, n);
        else if (array instanceof double[] a) ((DoubleBuffer) dst).put(a, off, n);
        else if (array instanceof long[] a) ((LongBuffer) dst).put(a, off, n);
        else if (array instanceof int[] a) ((IntBuffer) dst).put(a, off, n);
        else if (array instanceof short[] a) ((ShortBuffer) dst).put(a, off, n);
        else if (array instanceof byte[] a) ((ByteBuffer) dst).put(a, off, n);
        else if (array instanceof boolean[] a) {
            ByteBuffer b = (ByteBuffer) dst;
            for (int i = off; i < off + n; i++) b.put(a[i] ? (byte) 1 : (byte) 0);
        } else {
            throw new IllegalArgumentException("not a host array: " + array.getClass().getSimpleName());
        }
    }

    /** Gets {@code n} elements from {@code src} at its position into {@code array[off, off + n)}. */
    public static void get(Buffer src, Object array, int off, int n) {
        if (array instanceof float[] a) ((FloatBuffer) src).get(a, off, n);
        else if (array instanceof double[] a) ((DoubleBuffer) src).get(a, off, n);
        else if (array instanceof long[] a) ((LongBuffer) src).get(a, off, n);
        else if (array instanceof int[] a) ((IntBuffer) src).get(a, off, n);
        else if (array instanceof short[] a) ((ShortBuffer) src).get(a, off, n);
        else if (array instanceof byte[] a) ((ByteBuffer) src).get(a, off, n);
        else if (array instanceof boolean[] a) {
            ByteBuffer b = (ByteBuffer) src;
            for (int i = off; i < off + n; i++) a[i] = b.get() != 0;
        } else {
            throw new IllegalArgumentException("not a host array: " + array.getClass().getSimpleName());
        }
    }
}
