package dev.kindling.backend.cpu;

import dev.kindling.kernel.tensor.Half;

/**
 * Bulk float32 to and from float16/bfloat16: {@link VectorHalf} where {@link VectorApi#AVAILABLE}, the plain-Java loops
 * of {@link Half} for the tail and everywhere else. Both give the same bits.
 */
final class HalfArrays {
    private HalfArrays() {}

    private static final int VECTOR_MIN = 16;

    static void toFloat(boolean bf16, short[] src, int s, float[] dst, int d, int n) {
        int i = n >= VECTOR_MIN && VectorApi.AVAILABLE ? VectorHalf.convert(VectorHalf.WIDEN, bf16, null, 0, src, s, dst, d, n) : 0;
        Half.toFloat(bf16, src, s + i, dst, d + i, n - i);
    }

    static void fromFloat(boolean bf16, float[] src, int s, short[] dst, int d, int n) {
        int i = n >= VECTOR_MIN && VectorApi.AVAILABLE ? VectorHalf.convert(VectorHalf.NARROW, bf16, src, s, dst, d, null, 0, n) : 0;
        Half.fromFloat(bf16, src, s + i, dst, d + i, n - i);
    }

    /**
     * float32 values rounded to float16/bfloat16 and widened back, in one pass ({@code src} and {@code dst} may be the
     * same array at the same offset): what a cast there and back gives, without the half array in between.
     */
    static void round(boolean bf16, float[] src, int s, float[] dst, int d, int n) {
        int i = n >= VECTOR_MIN && VectorApi.AVAILABLE ? VectorHalf.convert(VectorHalf.ROUND, bf16, src, s, null, 0, dst, d, n) : 0;
        for (; i < n; i++) dst[d + i] = round(bf16, src[s + i]);
    }

    /** One float32 value rounded to float16/bfloat16 and widened back. */
    static float round(boolean bf16, float v) { return Half.toFloat(bf16, Half.fromFloat(bf16, v)); }
}
