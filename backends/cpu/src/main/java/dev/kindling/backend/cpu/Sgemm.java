package dev.kindling.backend.cpu;

import dev.kindling.api.DType;

/**
 * Single-precision matrix product {@code C = A * B} on strided operands: element {@code (i, p)} of A is
 * {@code a[aOff + i*rsA + p*csA]}, element {@code (p, j)} of B is {@code b[bOff + p*rsB + j*csB]}, and C is row-major with
 * row stride {@code ldc}. Transposed views need no copy: the kernels pack their panels from any strides. A and B may be
 * float16/bfloat16 arrays ({@link Operand}), widened as they are packed; C is float32. Each finished block of C goes to
 * an {@link Epilogue} on the thread that computed it, while it is still in that core's cache: rounding to
 * bfloat16/float16 values, or narrowing into a half output (a separate pass over a weight gradient read half of it from
 * the other core, and a half output went through a float32 buffer the size of C).
 * {@link #best()} picks the Vector API kernel where {@link VectorApi#AVAILABLE} and the plain-Java one otherwise, so the
 * backend works in servers that do not add the module.
 */
interface Sgemm {
    /**
     * {@code C = A * B}, handing each finished block of C to {@code epilogue} (null: none) on the thread that computed
     * it, while the block is still in that core's cache.
     */
    void gemm(int m, int n, int k, Operand a, int aOff, int rsA, int csA, Operand b, int bOff, int rsB, int csB, float[] c, int cOff, int ldc,
              Epilogue epilogue);

    /** C rounded to {@code roundTo}'s values (null: not rounded). */
    default void gemm(int m, int n, int k, Operand a, int aOff, int rsA, int csA, Operand b, int bOff, int rsB, int csB, float[] c, int cOff, int ldc,
                      DType roundTo) {
        gemm(m, n, k, a, aOff, rsA, csA, b, bOff, rsB, csB, c, cOff, ldc, rounding(roundTo));
    }

    default void gemm(int m, int n, int k, Operand a, int aOff, int rsA, int csA, Operand b, int bOff, int rsB, int csB, float[] c, int cOff, int ldc) {
        gemm(m, n, k, a, aOff, rsA, csA, b, bOff, rsB, csB, c, cOff, ldc, (Epilogue) null);
    }

    default void gemm(int m, int n, int k, float[] a, int aOff, int rsA, int csA, float[] b, int bOff, int rsB, int csB, float[] c, int cOff, int ldc) {
        gemm(m, n, k, Operand.of(a), aOff, rsA, csA, Operand.of(b), bOff, rsB, csB, c, cOff, ldc);
    }

    /** Contiguous row-major convenience: {@code C = A[m,k] * B[k,n]}. */
    default void gemm(float[] a, float[] b, float[] c, int m, int n, int k) { gemm(m, n, k, a, 0, k, 1, b, 0, n, 1, c, 0, n); }

    String name();

    /** What becomes of each finished block of C. */
    @FunctionalInterface
    interface Epilogue {
        /**
         * Rows [i0, i1) by columns [j0, j1) of C, as the kernel addresses it ({@code cOff}, row stride {@code ldc}), are
         * final. A kernel may shift {@code cOff} by whole rows for a part of the product it computes on its own.
         */
        void finish(float[] c, int cOff, int ldc, int i0, int i1, int j0, int j1);
    }

    /** Rounding in place to {@code roundTo}'s values; null (no epilogue) when it is null. */
    static Epilogue rounding(DType roundTo) {
        return roundTo == null ? null : (c, cOff, ldc, i0, i1, j0, j1) -> round(roundTo, c, cOff, ldc, i0, i1, j0, j1);
    }

    /**
     * Narrowing into a float16/bfloat16 matrix: element (i, j) of the C that starts at {@code cBase} goes to
     * {@code dst[dOff + i*ldd + j]}. A half output is then written from cache, not read back from a float32 buffer
     * in a second pass.
     */
    static Epilogue narrowing(boolean bf16, int cBase, short[] dst, int dOff, int ldd) {
        return (c, cOff, ldc, i0, i1, j0, j1) -> {
            int rows = (cOff - cBase) / ldc; // whole rows, by the contract above
            for (int i = i0; i < i1; i++) HalfArrays.fromFloat(bf16, c, cOff + i * ldc + j0, dst, dOff + (rows + i) * ldd + j0, j1 - j0);
        };
    }

    /** Rows [i0, i1) by columns [j0, j1) of C rounded in place to {@code roundTo}'s values; nothing when it is null. */
    static void round(DType roundTo, float[] c, int cOff, int ldc, int i0, int i1, int j0, int j1) {
        if (roundTo == null || i1 <= i0 || j1 <= j0) return;
        boolean bf16 = roundTo == DType.BFLOAT16;
        if (j0 == 0 && j1 == ldc) {
            int at = cOff + i0 * ldc;
            HalfArrays.round(bf16, c, at, c, at, (i1 - i0) * ldc);
            return;
        }
        for (int i = i0; i < i1; i++) {
            int at = cOff + i * ldc + j0;
            HalfArrays.round(bf16, c, at, c, at, j1 - j0);
        }
    }

    /** The fastest kernel this JVM offers. */
    static Sgemm best() { return Holder.BEST; }

    final class Holder {
        private Holder() {}

        static final Sgemm BEST = choose();

        private static Sgemm choose() { return VectorApi.AVAILABLE ? VectorSgemm.forThisMachine() : new ScalarSgemm(); }
    }
}
