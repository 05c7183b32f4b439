package dev.kindling.backend.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * A BLIS-style SGEMM: B is packed in panels of {@link #NR} columns and A in panels of {@link #MR} rows (k-major, so the
 * micro-kernel reads both sequentially), k is walked in blocks of {@link #KC} that stay in cache, and a 6 x 16
 * micro-kernel keeps twelve 8-float accumulators in registers, updated with FMA. Blocks of rows run on several threads
 * only when the product is large enough to pay for it. Loaded only where {@code jdk.incubator.vector} is present.
 */
final class VectorSgemm implements Sgemm {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_256;
    static final int MR = 6;
    static final int NR = 16;
    private static final int KC = 256;
    private static final int MC = MR * 16;
    private static final int NC = 4096;

    VectorSgemm() {
        // touch the species so a missing module fails here, where Sgemm.best() falls back
        if (S.length() != 8) throw new IllegalStateException("unexpected vector length " + S.length());
    }

    @Override public String name() { return "vector-6x16"; }

    @Override
    public void gemm(float[] a, float[] b, float[] c, int m, int n, int k) {
        if (m == 0 || n == 0 || k == 0) return;
        for (int jc = 0; jc < n; jc += NC) {
            int nc = Math.min(NC, n - jc);
            int panels = (nc + NR - 1) / NR;
            float[] bp = new float[panels * NR * Math.min(KC, k)];
            for (int pc = 0; pc < k; pc += KC) {
                int kc = Math.min(KC, k - pc);
                packB(b, n, pc, kc, jc, nc, bp);
                int blocks = (m + MC - 1) / MC;
                final int fjc = jc;
                final int fpc = pc;
                CpuBackend.parallelFor(blocks, (long) MC * nc * kc,
                        blk -> block(a, k, c, n, blk * MC, Math.min(MC, m - blk * MC), fpc, kc, fjc, nc, bp));
            }
        }
    }

    /** B[pc:pc+kc, jc:jc+nc] into panels of NR columns, zero-padded: bp[(panel * kc + p) * NR + j]. */
    private static void packB(float[] b, int n, int pc, int kc, int jc, int nc, float[] bp) {
        int panels = (nc + NR - 1) / NR;
        for (int jp = 0; jp < panels; jp++) {
            int j0 = jc + jp * NR;
            int w = Math.min(NR, jc + nc - j0);
            int base = jp * kc * NR;
            for (int p = 0; p < kc; p++) {
                int src = (pc + p) * n + j0;
                int dst = base + p * NR;
                System.arraycopy(b, src, bp, dst, w);
                for (int j = w; j < NR; j++) bp[dst + j] = 0;
            }
        }
    }

    private static void block(float[] a, int k, float[] c, int n, int ic, int mc, int pc, int kc, int jc, int nc, float[] bp) {
        int rowPanels = (mc + MR - 1) / MR;
        float[] ap = new float[rowPanels * MR * kc];
        for (int ip = 0; ip < rowPanels; ip++) {
            int i0 = ic + ip * MR;
            int h = Math.min(MR, ic + mc - i0);
            int base = ip * kc * MR;
            for (int p = 0; p < kc; p++) {
                int dst = base + p * MR;
                for (int i = 0; i < h; i++) ap[dst + i] = a[(i0 + i) * k + pc + p];
                for (int i = h; i < MR; i++) ap[dst + i] = 0;
            }
        }
        float[] tile = new float[MR * NR];
        int colPanels = (nc + NR - 1) / NR;
        for (int jp = 0; jp < colPanels; jp++) {
            int j0 = jc + jp * NR;
            int w = Math.min(NR, jc + nc - j0);
            for (int ip = 0; ip < rowPanels; ip++) {
                int i0 = ic + ip * MR;
                int h = Math.min(MR, ic + mc - i0);
                if (h == MR && w == NR) {
                    kernel(ap, ip * kc * MR, bp, jp * kc * NR, kc, c, i0 * n + j0, n);
                } else {
                    java.util.Arrays.fill(tile, 0);
                    kernel(ap, ip * kc * MR, bp, jp * kc * NR, kc, tile, 0, NR);
                    for (int i = 0; i < h; i++) {
                        for (int j = 0; j < w; j++) c[(i0 + i) * n + j0 + j] += tile[i * NR + j];
                    }
                }
            }
        }
    }

    /** C[6 x 16] at {@code co} (row stride {@code ldc}) += A panel x B panel over kc. */
    private static void kernel(float[] ap, int ao, float[] bp, int bo, int kc, float[] c, int co, int ldc) {
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S);
        FloatVector c40 = FloatVector.zero(S), c41 = FloatVector.zero(S);
        FloatVector c50 = FloatVector.zero(S), c51 = FloatVector.zero(S);
        for (int p = 0; p < kc; p++) {
            int bi = bo + p * NR;
            FloatVector b0 = FloatVector.fromArray(S, bp, bi);
            FloatVector b1 = FloatVector.fromArray(S, bp, bi + 8);
            int ai = ao + p * MR;
            FloatVector a0 = FloatVector.broadcast(S, ap[ai]);
            c00 = a0.fma(b0, c00);
            c01 = a0.fma(b1, c01);
            FloatVector a1 = FloatVector.broadcast(S, ap[ai + 1]);
            c10 = a1.fma(b0, c10);
            c11 = a1.fma(b1, c11);
            FloatVector a2 = FloatVector.broadcast(S, ap[ai + 2]);
            c20 = a2.fma(b0, c20);
            c21 = a2.fma(b1, c21);
            FloatVector a3 = FloatVector.broadcast(S, ap[ai + 3]);
            c30 = a3.fma(b0, c30);
            c31 = a3.fma(b1, c31);
            FloatVector a4 = FloatVector.broadcast(S, ap[ai + 4]);
            c40 = a4.fma(b0, c40);
            c41 = a4.fma(b1, c41);
            FloatVector a5 = FloatVector.broadcast(S, ap[ai + 5]);
            c50 = a5.fma(b0, c50);
            c51 = a5.fma(b1, c51);
        }
        add(c, co, c00, c01);
        add(c, co + ldc, c10, c11);
        add(c, co + 2 * ldc, c20, c21);
        add(c, co + 3 * ldc, c30, c31);
        add(c, co + 4 * ldc, c40, c41);
        add(c, co + 5 * ldc, c50, c51);
    }

    private static void add(float[] c, int o, FloatVector v0, FloatVector v1) {
        FloatVector.fromArray(S, c, o).add(v0).intoArray(c, o);
        FloatVector.fromArray(S, c, o + 8).add(v1).intoArray(c, o + 8);
    }
}
