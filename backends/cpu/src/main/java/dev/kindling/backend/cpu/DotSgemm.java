package dev.kindling.backend.cpu;

import dev.kindling.api.DType;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * C = A·Bᵀ for operands that both run along k (A's rows and Bᵀ's columns contiguous): a linear layer's forward
 * {@code x · Wᵀ}. Packing B for {@link VectorSgemm}'s outer-product kernel means transposing W element by element
 * (about a quarter of that product's time); here each C element is a dot product of two contiguous rows, sixteen of
 * them at a time (4 rows of A by 4 rows of B: 8 loads feed 16 FMAs), reduced across lanes once per k block. Measured
 * on Zen 4, one thread, 64 x 784 x 256: 80-82 GFLOPS against 65-71 for the packing kernel.
 *
 * <p>B is walked in blocks of columns small enough to stay in L2 while every 4-row group of A passes over them.
 * Each element's summation order depends only on the shape (never on the thread count), so ranks agree bit for bit.
 */
final class DotSgemm {
    private DotSgemm() {}

    private static final VectorSpecies<Float> F = Species.FLOAT;
    private static final int L = F.length();
    /**
     * B is walked in blocks of 256 KiB: all of k (up to {@link #K_BLOCK_MAX}, since every k block costs a lane reduction
     * per element) and as many columns as fit. Measured with {@code Workloads mlp_infer} on one thread (Zen 4, 1 MiB of
     * L2 per core), eight JVMs each: with the whole 784 x 256 weight as one block (800 KiB) three JVMs in eight ran at
     * 70k samples/s instead of 175k, with 512 KiB blocks five in six did; with 256 KiB all eight ran at 163k-176k. A
     * block near L2's size fits or not depending on where its pages land, which differs per JVM. Training at batch 64 was
     * the same either way (medians of eight JVMs 67.0k and 66.0k samples/s).
     */
    private static final int BLOCK_FLOATS = 1 << 16;
    private static final int K_BLOCK_MAX = 2048;
    /** Below this k the lane reductions outweigh what packing costs. */
    static final int MIN_K = 64;
    /** Half operands are widened into per-thread rows first; larger ones go to the packing kernel. */
    private static final int WIDEN_MAX = Scratch.MAX;

    /** Whether {@link #gemm} takes this product: A rows along k (csA = 1), B columns along k (rsB = 1). */
    static boolean applies(int m, int n, int k, Operand a, int csA, Operand b, int rsB) {
        if (csA != 1 || rsB != 1 || k < MIN_K || m < 4 || n < 4 || !VectorApi.AVAILABLE) return false;
        return (a.f != null || (long) m * k <= WIDEN_MAX) && (b.f != null || (long) n * k <= WIDEN_MAX);
    }

    /**
     * C[i, j] = Σ_p A[aOff + i*rsA + p] · B[bOff + j*csB + p]; columns split over {@code threads} chunks (multiples of
     * 4), which changes no element's rounding; each finished column block goes to the epilogue, as in {@link Sgemm}.
     */
    static void gemm(int m, int n, int k, Operand a, int aOff, int rsA, Operand b, int bOff, int csB, float[] c, int cOff, int ldc, int threads,
                     Sgemm.Epilogue epilogue) {
        int kb = Math.min(k, K_BLOCK_MAX);
        int jb = Math.max(4, Math.min(n, BLOCK_FLOATS / kb) & ~3);
        // equal k blocks: k = 3000 gives two of 1504, not 2048 and a thin 952
        int kBlocks = (k + kb - 1) / kb;
        int kStep = ((k + kBlocks - 1) / kBlocks + L - 1) & ~(L - 1);
        int groups = (n + 3) / 4;
        int t = Math.max(1, Math.min(threads, groups));
        ComputePool.run(t, chunk -> {
            int j0 = (int) ((long) groups * chunk / t) * 4;
            int j1 = Math.min(n, (int) ((long) groups * (chunk + 1) / t) * 4);
            if (j1 <= j0) return;
            float[] lanes = new float[16 * L];
            // k blocks outside, column blocks inside: a half operand is widened a block at a time into this thread's
            // buffers (A's rows for one k block, then each block of its B columns), so both stay in cache; widening all
            // of them first wrote ~10 MB per thread for a conv weight gradient and read it back from memory. Each
            // element still sums its k blocks in order, so float32 operands give the same bits as in the other order.
            for (int pc = 0; pc < k; pc += kStep) {
                int p1 = Math.min(k, pc + kStep), kl = p1 - pc;
                float[] fa = a.f != null ? a.f : widen(a, aOff + pc, rsA, 0, m, kl, Scratch.Slot.DOT_A);
                int ao = a.f != null ? aOff : -pc, ra = a.f != null ? rsA : kl;
                for (int jc = j0; jc < j1; jc += jb) {
                    int jEnd = Math.min(j1, jc + jb);
                    float[] fb = b.f != null ? b.f : widen(b, bOff + pc, csB, jc, jEnd, kl, Scratch.Slot.DOT_B);
                    int bo = b.f != null ? bOff : -jc * kl - pc, cb = b.f != null ? csB : kl;
                    block(m, jc, jEnd, pc, p1, fa, ao, ra, fb, bo, cb, c, cOff, ldc, pc == 0, lanes);
                    if (p1 == k && epilogue != null) epilogue.finish(c, cOff, ldc, 0, m, jc, jEnd);
                }
            }
        });
    }

    /** Rows [r0, r1) of a half operand, k elements each from {@code off}, as float32 rows from index 0 of this thread's {@code slot}. */
    private static float[] widen(Operand o, int off, int rowStride, int r0, int r1, int k, Scratch.Slot slot) {
        float[] dst = Scratch.floats(slot, (r1 - r0) * k);
        for (int r = r0; r < r1; r++) o.run(off + r * rowStride, dst, (r - r0) * k, k);
        return dst;
    }

    /** Columns [j0, j1) of C over k range [p0, p1): written when {@code first}, added to otherwise. */
    private static void block(int m, int j0, int j1, int p0, int p1, float[] a, int aOff, int rsA, float[] b, int bOff, int csB,
                              float[] c, int cOff, int ldc, boolean first, float[] lanes) {
        int m4 = m & ~3;
        int j4 = j0 + ((j1 - j0) & ~3);
        for (int i = 0; i < m4; i += 4) {
            int ai = aOff + i * rsA;
            for (int j = j0; j < j4; j += 4) tile(a, ai, rsA, b, bOff + j * csB, csB, p0, p1, c, cOff + i * ldc + j, ldc, first, lanes);
            for (int j = j4; j < j1; j++) {
                for (int r = 0; r < 4; r++) put(c, cOff + (i + r) * ldc + j, dot(a, ai + r * rsA, b, bOff + j * csB, p0, p1, lanes), first);
            }
        }
        for (int i = m4; i < m; i++) {
            int ai = aOff + i * rsA;
            for (int j = j0; j < j1; j++) put(c, cOff + i * ldc + j, dot(a, ai, b, bOff + j * csB, p0, p1, lanes), first);
        }
    }

    private static void put(float[] c, int at, float v, boolean first) {
        c[at] = first ? v : c[at] + v;
    }

    /** One element: a single vector accumulator, then the scalar tail. */
    private static float dot(float[] a, int ai, float[] b, int bj, int p0, int p1, float[] lanes) {
        int pv = p0 + ((p1 - p0) & ~(L - 1));
        FloatVector acc = FloatVector.zero(F);
        for (int p = p0; p < pv; p += L) acc = FloatVector.fromArray(F, a, ai + p).fma(FloatVector.fromArray(F, b, bj + p), acc);
        acc.intoArray(lanes, 0);
        float s = laneSum(lanes, 0);
        for (int p = pv; p < p1; p++) s = Math.fma(a[ai + p], b[bj + p], s);
        return s;
    }

    /** A 4 x 4 tile of C: rows ai + r*rsA of A against rows bj + q*csB of B, sixteen vector accumulators. */
    private static void tile(float[] a, int ai, int rsA, float[] b, int bj, int csB, int p0, int p1, float[] c, int co, int ldc, boolean first,
                             float[] lanes) {
        FloatVector c00 = FloatVector.zero(F), c01 = c00, c02 = c00, c03 = c00, c10 = c00, c11 = c00, c12 = c00, c13 = c00;
        FloatVector c20 = c00, c21 = c00, c22 = c00, c23 = c00, c30 = c00, c31 = c00, c32 = c00, c33 = c00;
        int a0 = ai, a1 = a0 + rsA, a2 = a1 + rsA, a3 = a2 + rsA;
        int b0 = bj, b1 = b0 + csB, b2 = b1 + csB, b3 = b2 + csB;
        int pv = p0 + ((p1 - p0) & ~(L - 1));
        for (int p = p0; p < pv; p += L) {
            FloatVector x0 = FloatVector.fromArray(F, a, a0 + p), x1 = FloatVector.fromArray(F, a, a1 + p);
            FloatVector x2 = FloatVector.fromArray(F, a, a2 + p), x3 = FloatVector.fromArray(F, a, a3 + p);
            FloatVector w = FloatVector.fromArray(F, b, b0 + p);
            c00 = x0.fma(w, c00); c10 = x1.fma(w, c10); c20 = x2.fma(w, c20); c30 = x3.fma(w, c30);
            w = FloatVector.fromArray(F, b, b1 + p);
            c01 = x0.fma(w, c01); c11 = x1.fma(w, c11); c21 = x2.fma(w, c21); c31 = x3.fma(w, c31);
            w = FloatVector.fromArray(F, b, b2 + p);
            c02 = x0.fma(w, c02); c12 = x1.fma(w, c12); c22 = x2.fma(w, c22); c32 = x3.fma(w, c32);
            w = FloatVector.fromArray(F, b, b3 + p);
            c03 = x0.fma(w, c03); c13 = x1.fma(w, c13); c23 = x2.fma(w, c23); c33 = x3.fma(w, c33);
        }
        // Lane sums in a fixed order. reduceLanes leaves its order open, and on JDK 25 the compiled and interpreted orders
        // differ, so one product came out up to 32 ulps apart from one call to the next while C2 warmed up. Stored here, in
        // this method: vectors passed to a helper C2 does not inline would be boxed per tile.
        c00.intoArray(lanes, 0); c01.intoArray(lanes, L); c02.intoArray(lanes, 2 * L); c03.intoArray(lanes, 3 * L);
        c10.intoArray(lanes, 4 * L); c11.intoArray(lanes, 5 * L); c12.intoArray(lanes, 6 * L); c13.intoArray(lanes, 7 * L);
        c20.intoArray(lanes, 8 * L); c21.intoArray(lanes, 9 * L); c22.intoArray(lanes, 10 * L); c23.intoArray(lanes, 11 * L);
        c30.intoArray(lanes, 12 * L); c31.intoArray(lanes, 13 * L); c32.intoArray(lanes, 14 * L); c33.intoArray(lanes, 15 * L);
        row(c, co, first, lanes, 0, a, a0, b, b0, csB, pv, p1);
        row(c, co + ldc, first, lanes, 4 * L, a, a1, b, b0, csB, pv, p1);
        row(c, co + 2 * ldc, first, lanes, 8 * L, a, a2, b, b0, csB, pv, p1);
        row(c, co + 3 * ldc, first, lanes, 12 * L, a, a3, b, b0, csB, pv, p1);
    }

    /** The L lanes from {@code at}, summed pairwise in a fixed order (8 lanes, or two halves of 8). */
    private static float laneSum(float[] lanes, int at) {
        return L == 16 ? eightLanes(lanes, at) + eightLanes(lanes, at + 8) : eightLanes(lanes, at);
    }

    private static float eightLanes(float[] lanes, int at) {
        return ((lanes[at] + lanes[at + 1]) + (lanes[at + 2] + lanes[at + 3])) + ((lanes[at + 4] + lanes[at + 5]) + (lanes[at + 6] + lanes[at + 7]));
    }

    /** One row of a tile: its four lane sums plus the k tail (k not a multiple of 8), written or added. */
    private static void row(float[] c, int co, boolean first, float[] lanes, int at,
                            float[] a, int ar, float[] b, int b0, int csB, int pv, int p1) {
        float v0 = laneSum(lanes, at), v1 = laneSum(lanes, at + L), v2 = laneSum(lanes, at + 2 * L), v3 = laneSum(lanes, at + 3 * L);
        for (int p = pv; p < p1; p++) {
            float x = a[ar + p];
            v0 = Math.fma(x, b[b0 + p], v0);
            v1 = Math.fma(x, b[b0 + csB + p], v1);
            v2 = Math.fma(x, b[b0 + 2 * csB + p], v2);
            v3 = Math.fma(x, b[b0 + 3 * csB + p], v3);
        }
        put(c, co, v0, first);
        put(c, co + 1, v1, first);
        put(c, co + 2, v2, first);
        put(c, co + 3, v3, first);
    }
}
