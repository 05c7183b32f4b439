package dev.kindling.backend.cpu;

import dev.kindling.api.DType;

/**
 * The plain-Java kernel: B is copied once into a contiguous row-major panel, rows of C are computed in blocks of
 * {@code MB} with k in panels of {@code KC} so a panel of B stays in cache; the inner loop over n is branch-free for C2
 * to vectorise.
 */
final class ScalarSgemm implements Sgemm {
    private static final int KC = 128;
    private static final int MB = 32;

    @Override public String name() { return "scalar"; }

    @Override
    public void gemm(int m, int n, int k, Operand a, int aOff, int rsA, int csA, Operand b, int bOff, int rsB, int csB, float[] c, int cOff, int ldc,
                     Epilogue epilogue) {
        float[] bc = new float[k * n];
        for (int p = 0; p < k; p++) for (int j = 0; j < n; j++) bc[p * n + j] = b.get(bOff + p * rsB + j * csB);
        int blocks = (m + MB - 1) / MB;
        ComputePool.parallelFor(blocks, (long) MB * k * n, blk -> {
            int i0 = blk * MB, i1 = Math.min(m, i0 + MB);
            for (int i = i0; i < i1; i++) java.util.Arrays.fill(c, cOff + i * ldc, cOff + i * ldc + n, 0f);
            for (int p0 = 0; p0 < k; p0 += KC) {
                int p1 = Math.min(k, p0 + KC);
                for (int i = i0; i < i1; i++) {
                    int ci = cOff + i * ldc;
                    for (int p = p0; p < p1; p++) {
                        float av = a.get(aOff + i * rsA + p * csA);
                        int bp = p * n;
                        for (int j = 0; j < n; j++) c[ci + j] += av * bc[bp + j];
                    }
                }
            }
            if (epilogue != null) epilogue.finish(c, cOff, ldc, i0, i1, 0, n);
        });
    }
}
