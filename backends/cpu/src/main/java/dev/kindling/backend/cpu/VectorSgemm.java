package dev.kindling.backend.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * A BLIS-style SGEMM: B is packed in panels of {@link #NR} columns and A in panels of {@code mr} rows (k-major, so the
 * micro-kernel reads both sequentially), k is walked in blocks of {@link #KC} that stay in cache, and the micro-kernel
 * keeps its C tile in registers, updated with FMA. Packing reads any strides, so transposed operands cost nothing extra.
 *
 * <p>Two micro-kernel shapes, 6 x 16 (twelve 8-float accumulators) and 4 x 16 (eight). The notes expected 6 x 16 to
 * win on JDK 17 and lose on JDK 25; measured here (Zen 3, one thread, JDK 17.0.15 and Temurin 25) 4 x 16 wins on both:
 * 84–88 GFLOPS against 30–33 at n = 512–2048 (6 x 16 collapses once rows of C are 2 KiB or more apart), and 72 against 66
 * at n = 128. {@link #forThisJdk()} therefore picks 4 x 16 on every JDK; {@code -Dkindling.cpu.sgemmKernel=6x16|4x16}
 * overrides, for machines where the measurement comes out the other way. Large products are split by columns across the compute pool
 * (each thread packs its own B panels); pack buffers are per thread and reused.
 */
final class VectorSgemm implements Sgemm {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_256;
    static final int NR = 16;
    private static final int KC = 256;
    private static final int NC = 1024;

    private final int mr;
    private final int mc;
    private final ThreadLocal<float[][]> scratch;

    VectorSgemm(int mr) {
        if (mr != 4 && mr != 6) throw new IllegalArgumentException("micro-kernel rows must be 4 or 6, got " + mr);
        this.mr = mr;
        this.mc = mr * 16;
        this.scratch = ThreadLocal.withInitial(() -> new float[][] {new float[mc * KC], new float[KC * NC], new float[mr * NR], new float[KC]});
    }

    static VectorSgemm forThisJdk() {
        String forced = System.getProperty("kindling.cpu.sgemmKernel", "");
        if (forced.equals("6x16")) return new VectorSgemm(6);
        if (forced.equals("4x16")) return new VectorSgemm(4);
        return new VectorSgemm(4);
    }

    @Override public String name() { return "vector-" + mr + "x16"; }

    @Override
    public void gemm(int m, int n, int k, Operand a, int aOff, int rsA, int csA, Operand b, int bOff, int rsB, int csB, float[] c, int cOff, int ldc) {
        if (m == 0 || n == 0) return;
        if (k == 0) {
            for (int i = 0; i < m; i++) java.util.Arrays.fill(c, cOff + i * ldc, cOff + i * ldc + n, 0f);
            return;
        }
        if (n < NR && m >= 2 * n) {
            // a thin product (a 3x3 single-channel convolution's weight gradient has n = 9): computing Cᵀ = Bᵀ Aᵀ fills
            // the 16-wide micro-tiles instead of padding 9 columns to 16, and splits across threads by columns
            float[] t = new float[n * m];
            gemm(n, m, k, b, bOff, csB, rsB, a, aOff, csA, rsA, t, 0, m);
            for (int i = 0; i < m; i++) for (int j = 0; j < n; j++) c[cOff + i * ldc + j] = t[j * m + i];
            return;
        }
        // split columns in multiples of NR across threads when the product is large enough; rows (in multiples of the
        // micro-kernel's height) when there are too few columns, as in a weight gradient [out, N*L] x [N*L, k] with k = 9
        int panels = (n + NR - 1) / NR;
        int rowPanels = (m + mr - 1) / mr;
        if (panels < 2 * ComputePool.threads() && rowPanels > panels) {
            int tr = ComputePool.chunksFor(rowPanels, (long) m * n * k);
            ComputePool.run(tr, chunk -> {
                int i0 = (int) ((long) rowPanels * chunk / tr) * mr;
                int i1 = Math.min(m, (int) ((long) rowPanels * (chunk + 1) / tr) * mr);
                if (i1 > i0) serial(i1 - i0, 0, n, k, a, aOff + i0 * rsA, rsA, csA, b, bOff, rsB, csB, c, cOff + i0 * ldc, ldc);
            });
            return;
        }
        int t = ComputePool.chunksFor(panels, (long) m * n * k);
        ComputePool.run(t, chunk -> {
            int j0 = (int) ((long) panels * chunk / t) * NR;
            int j1 = Math.min(n, (int) ((long) panels * (chunk + 1) / t) * NR);
            if (j1 > j0) serial(m, j0, j1, k, a, aOff, rsA, csA, b, bOff, rsB, csB, c, cOff, ldc);
        });
    }

    private void serial(int m, int j0, int j1, int k, Operand a, int aOff, int rsA, int csA, Operand b, int bOff, int rsB, int csB,
                        float[] c, int cOff, int ldc) {
        float[][] buf = scratch.get();
        float[] ap = buf[0], bp = buf[1], tile = buf[2], run = buf[3];
        for (int jc = j0; jc < j1; jc += NC) {
            int nc = Math.min(NC, j1 - jc);
            for (int pc = 0; pc < k; pc += KC) {
                int kc = Math.min(KC, k - pc);
                boolean first = pc == 0;
                packB(b, bOff, rsB, csB, pc, kc, jc, nc, bp, run);
                for (int ic = 0; ic < m; ic += mc) {
                    int mcur = Math.min(mc, m - ic);
                    packA(a, aOff, rsA, csA, ic, mcur, pc, kc, ap, run);
                    macro(ap, bp, tile, kc, ic, mcur, jc, nc, c, cOff, ldc, first);
                }
            }
        }
    }

    /**
     * B[pc:pc+kc, jc:jc+nc] into panels of NR columns, zero-padded: bp[(panel * kc + p) * NR + j]. A half B is widened
     * run by run, through {@code run} (KC floats) where the run is scattered.
     */
    private static void packB(Operand b, int bOff, int rsB, int csB, int pc, int kc, int jc, int nc, float[] bp, float[] run) {
        float[] fb = b.f;
        int panels = (nc + NR - 1) / NR;
        for (int jp = 0; jp < panels; jp++) {
            int j0 = jc + jp * NR;
            int w = Math.min(NR, jc + nc - j0);
            int base = jp * kc * NR;
            if (csB != 1 && rsB == 1) {
                // B is a transposed view: read each column's run of k contiguously
                for (int j = 0; j < w; j++) {
                    int src = bOff + pc + (j0 + j) * csB;
                    if (fb != null) {
                        for (int p = 0; p < kc; p++) bp[base + p * NR + j] = fb[src + p];
                    } else {
                        b.run(src, run, 0, kc);
                        for (int p = 0; p < kc; p++) bp[base + p * NR + j] = run[p];
                    }
                }
                for (int p = 0; p < kc; p++) for (int j = w; j < NR; j++) bp[base + p * NR + j] = 0;
                continue;
            }
            for (int p = 0; p < kc; p++) {
                int src = bOff + (pc + p) * rsB + j0 * csB;
                int dst = base + p * NR;
                if (csB == 1) {
                    b.run(src, bp, dst, w);
                } else {
                    for (int j = 0; j < w; j++) bp[dst + j] = b.get(src + j * csB);
                }
                for (int j = w; j < NR; j++) bp[dst + j] = 0;
            }
        }
    }

    /** A[ic:ic+mcur, pc:pc+kc] into panels of mr rows, k-major, zero-padded: ap[(panel * kc + p) * mr + i]. */
    private void packA(Operand a, int aOff, int rsA, int csA, int ic, int mcur, int pc, int kc, float[] ap, float[] run) {
        float[] fa = a.f;
        int rowPanels = (mcur + mr - 1) / mr;
        for (int ip = 0; ip < rowPanels; ip++) {
            int i0 = ic + ip * mr;
            int h = Math.min(mr, ic + mcur - i0);
            int base = ip * kc * mr;
            for (int i = 0; i < h; i++) {
                int src = aOff + (i0 + i) * rsA + pc * csA;
                if (fa != null) {
                    for (int p = 0; p < kc; p++) ap[base + p * mr + i] = fa[src + p * csA];
                } else if (csA == 1) {
                    a.run(src, run, 0, kc);
                    for (int p = 0; p < kc; p++) ap[base + p * mr + i] = run[p];
                } else {
                    for (int p = 0; p < kc; p++) ap[base + p * mr + i] = a.get(src + p * csA);
                }
            }
            for (int i = h; i < mr; i++) {
                for (int p = 0; p < kc; p++) ap[base + p * mr + i] = 0;
            }
        }
    }

    private void macro(float[] ap, float[] bp, float[] tile, int kc, int ic, int mcur, int jc, int nc, float[] c, int cOff, int ldc, boolean first) {
        int rowPanels = (mcur + mr - 1) / mr;
        int colPanels = (nc + NR - 1) / NR;
        for (int jp = 0; jp < colPanels; jp++) {
            int j0 = jc + jp * NR;
            int w = Math.min(NR, jc + nc - j0);
            for (int ip = 0; ip < rowPanels; ip++) {
                int i0 = ic + ip * mr;
                int h = Math.min(mr, ic + mcur - i0);
                int ao = ip * kc * mr, bo = jp * kc * NR;
                if (h == mr && w == NR) {
                    if (mr == 6) kernel6(ap, ao, bp, bo, kc, c, cOff + i0 * ldc + j0, ldc, !first);
                    else kernel4(ap, ao, bp, bo, kc, c, cOff + i0 * ldc + j0, ldc, !first);
                } else {
                    if (mr == 6) kernel6(ap, ao, bp, bo, kc, tile, 0, NR, false);
                    else kernel4(ap, ao, bp, bo, kc, tile, 0, NR, false);
                    for (int i = 0; i < h; i++) {
                        int ci = cOff + (i0 + i) * ldc + j0;
                        if (first) System.arraycopy(tile, i * NR, c, ci, w);
                        else for (int j = 0; j < w; j++) c[ci + j] += tile[i * NR + j];
                    }
                }
            }
        }
    }

    /** C[6 x 16] at {@code co} (row stride {@code ldc}) = (or +=, when {@code acc}) A panel x B panel over kc. */
    private static void kernel6(float[] ap, int ao, float[] bp, int bo, int kc, float[] c, int co, int ldc, boolean acc) {
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
            int ai = ao + p * 6;
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
        store(c, co, c00, c01, acc);
        store(c, co + ldc, c10, c11, acc);
        store(c, co + 2 * ldc, c20, c21, acc);
        store(c, co + 3 * ldc, c30, c31, acc);
        store(c, co + 4 * ldc, c40, c41, acc);
        store(c, co + 5 * ldc, c50, c51, acc);
    }

    /** The 4 x 16 tile: eight accumulators, two B vectors and a broadcast stay well inside the sixteen AVX2 registers. */
    private static void kernel4(float[] ap, int ao, float[] bp, int bo, int kc, float[] c, int co, int ldc, boolean acc) {
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S);
        for (int p = 0; p < kc; p++) {
            int bi = bo + p * NR;
            FloatVector b0 = FloatVector.fromArray(S, bp, bi);
            FloatVector b1 = FloatVector.fromArray(S, bp, bi + 8);
            int ai = ao + p * 4;
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
        }
        store(c, co, c00, c01, acc);
        store(c, co + ldc, c10, c11, acc);
        store(c, co + 2 * ldc, c20, c21, acc);
        store(c, co + 3 * ldc, c30, c31, acc);
    }

    private static void store(float[] c, int o, FloatVector v0, FloatVector v1, boolean acc) {
        if (acc) {
            v0 = FloatVector.fromArray(S, c, o).add(v0);
            v1 = FloatVector.fromArray(S, c, o + 8).add(v1);
        }
        v0.intoArray(c, o);
        v1.intoArray(c, o + 8);
    }
}
