package dev.kindling.backend.cpu;

import dev.kindling.kernel.tensor.Half;

/**
 * A GEMM operand's array: float32 is read as it is, float16/bfloat16 is widened to float32 while the kernel packs its
 * panels, so a half product runs on the float32 micro-kernel without a float32 copy of either matrix. A float32 operand
 * read at a half precision ({@link #rounded}) is rounded the same way while it is packed, so a product "as if cast to
 * bfloat16" needs no bfloat16 copy either.
 */
final class Operand {
    /** The float32 array the kernels may read directly; null where elements must be widened or rounded first. */
    final float[] f;
    private final float[] roundedFrom;
    private final short[] h;
    private final boolean bf16;

    private Operand(float[] f, float[] roundedFrom, short[] h, boolean bf16) {
        this.f = f;
        this.roundedFrom = roundedFrom;
        this.h = h;
        this.bf16 = bf16;
    }

    static Operand of(float[] a) { return new Operand(a, null, null, false); }

    static Operand of(short[] a, boolean bf16) { return new Operand(null, null, a, bf16); }

    /** float32 values read as their nearest bfloat16 ({@code bf16}) or float16 values. */
    static Operand rounded(float[] a, boolean bf16) { return new Operand(null, a, null, bf16); }

    float get(int i) {
        if (f != null) return f[i];
        return roundedFrom != null ? HalfArrays.round(bf16, roundedFrom[i]) : Half.toFloat(bf16, h[i]);
    }

    /** {@code n} consecutive elements from {@code i} into {@code dst} at {@code d}. */
    void run(int i, float[] dst, int d, int n) {
        if (f != null) System.arraycopy(f, i, dst, d, n);
        else if (roundedFrom != null) HalfArrays.round(bf16, roundedFrom, i, dst, d, n);
        else HalfArrays.toFloat(bf16, h, i, dst, d, n);
    }
}
