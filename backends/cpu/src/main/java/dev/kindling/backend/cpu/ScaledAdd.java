package dev.kindling.backend.cpu;

import dev.kindling.kernel.spi.View;

/**
 * {@code out = a + α·b} on float32 in one pass, one {@link Math#fma} per element ({@link VectorBinary} on contiguous rows),
 * as PyTorch's vectorised add-with-alpha does.
 */
final class ScaledAdd {
    private ScaledAdd() {}

    /** Float32 a, b and out only; false for anything else. */
    static boolean run(View a, View b, float alpha, View out) {
        if (!(a.storage() instanceof CpuStorage.F32 && b.storage() instanceof CpuStorage.F32 && out.storage() instanceof CpuStorage.F32)) {
            return false;
        }
        float[] x = ((CpuStorage.F32) a.storage()).a, y = ((CpuStorage.F32) b.storage()).a, o = ((CpuStorage.F32) out.storage()).a;
        Strided.rowsParallel(out.shape(), (base, n, st) -> row(x, base[0], st[0], y, base[1], st[1], alpha, o, base[2], st[2], n), a, b, out);
        return true;
    }

    static void row(float[] x, int xo, int xs, float[] y, int yo, int ys, float alpha, float[] o, int oo, int os, int n) {
        if (xs == 1 && ys == 1 && os == 1) {
            int i = n >= VectorBinary.MIN_LENGTH && VectorApi.AVAILABLE ? VectorBinary.scaledAdd(x, xo, y, yo, alpha, o, oo, n) : 0;
            for (; i < n; i++) o[oo + i] = Math.fma(y[yo + i], alpha, x[xo + i]);
        } else {
            for (int i = 0; i < n; i++) o[oo + i * os] = Math.fma(y[yo + i * ys], alpha, x[xo + i * xs]);
        }
    }
}
