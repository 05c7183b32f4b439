package dev.kindling.backend.cpu;

import dev.kindling.kernel.tensor.Half;

/**
 * A GEMM operand's array: float32 is read as it is, float16/bfloat16 is widened to float32 while the kernel packs its
 * panels, so a half product runs on the float32 micro-kernel without a float32 copy of either matrix.
 */
final class Operand {
    final float[] f;
    private final short[] h;
    private final boolean bf16;

    private Operand(float[] f, short[] h, boolean bf16) {
        this.f = f;
        this.h = h;
        this.bf16 = bf16;
    }

    static Operand of(float[] a) { return new Operand(a, null, false); }

    static Operand of(short[] a, boolean bf16) { return new Operand(null, a, bf16); }

    float get(int i) { return f != null ? f[i] : Half.toFloat(bf16, h[i]); }

    /** {@code n} consecutive elements from {@code i} into {@code dst} at {@code d}. */
    void run(int i, float[] dst, int d, int n) {
        if (f != null) System.arraycopy(f, i, dst, d, n);
        else HalfArrays.toFloat(bf16, h, i, dst, d, n);
    }
}
