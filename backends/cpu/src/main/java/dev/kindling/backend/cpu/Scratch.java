package dev.kindling.backend.cpu;

import java.lang.ref.SoftReference;

/**
 * Per-thread float buffers that kernels reuse from call to call, one per {@link Slot}. A fresh array per call is zeroed
 * by the JVM and then overwritten: a weight gradient's float32 result cost as much to allocate as to round, and the
 * float32 copies of a bfloat16 CNN step came to about 40 MB a step. Callers overwrite what they use (or clear it); a
 * buffer is held softly, so the collector may take it back, and never outlives the call that asked for it. Each
 * user has its own slot, so kernels that run inside one another on a thread never share one.
 */
final class Scratch {
    private Scratch() {}

    enum Slot {
        /** {@link HalfOps}: the first and second widened operand, and the float32 result before rounding. */
        HALF_A, HALF_B, HALF_RESULT,
        /** {@link MatMul}: the float32 product before it is copied to a strided or half output. */
        PRODUCT,
        /** {@link DotSgemm}: half operands widened to float32 rows. */
        DOT_A, DOT_B,
        /** {@link RunSums}: one half run widened to float32. */
        RUN
    }

    /** Buffers above this many floats (16 MiB) are allocated per call instead of kept. */
    static final int MAX = 1 << 22;

    @SuppressWarnings("unchecked")
    private static final ThreadLocal<SoftReference<float[]>[]> HELD = ThreadLocal.withInitial(() -> new SoftReference[Slot.values().length]);

    /** At least {@code n} floats for {@code slot} on this thread, with whatever values they last held. */
    static float[] floats(Slot slot, int n) {
        if (n > MAX) return new float[n];
        SoftReference<float[]>[] held = HELD.get();
        SoftReference<float[]> ref = held[slot.ordinal()];
        float[] a = ref == null ? null : ref.get();
        if (a == null || a.length < n) {
            a = new float[Math.max(n, 1024)];
            held[slot.ordinal()] = new SoftReference<>(a);
        }
        return a;
    }
}
