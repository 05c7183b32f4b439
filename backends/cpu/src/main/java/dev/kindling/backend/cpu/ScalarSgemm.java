package dev.kindling.backend.cpu;

/**
 * The plain-Java kernel: rows in blocks of {@code MB}, k in panels of {@code KC} so that a panel of B stays in cache
 * while the block's rows use it; the inner loop over n is branch-free for C2 to vectorise.
 */
final class ScalarSgemm implements Sgemm {
    private static final int KC = 128;
    private static final int MB = 32;

    @Override public String name() { return "scalar"; }

    @Override
    public void gemm(float[] a, float[] b, float[] c, int m, int n, int k) {
        int blocks = (m + MB - 1) / MB;
        CpuBackend.parallelFor(blocks, (long) MB * k * n, blk -> block(a, b, c, blk * MB, Math.min(m, blk * MB + MB), k, n));
    }

    private static void block(float[] a, float[] b, float[] c, int i0, int i1, int k, int n) {
        for (int p0 = 0; p0 < k; p0 += KC) {
            int p1 = Math.min(k, p0 + KC);
            for (int i = i0; i < i1; i++) {
                int ci = i * n;
                int ai = i * k;
                for (int p = p0; p < p1; p++) {
                    float av = a[ai + p];
                    int bp = p * n;
                    for (int j = 0; j < n; j++) c[ci + j] += av * b[bp + j];
                }
            }
        }
    }
}
