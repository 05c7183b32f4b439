package dev.kindling.backend.cpu;

import dev.kindling.api.DType;

/**
 * A BLIS-style SGEMM: B is packed in panels of {@code nr} columns and A in panels of {@code mr} rows (k-major, so the
 * micro-kernel reads both sequentially), k is walked in blocks that stay in cache, and the micro-kernel
 * ({@link MicroKernels}) keeps its C tile in registers, updated with FMA. Packing reads any strides, so transposed
 * operands need no copy; the one layout where packing is the bottleneck, A·Bᵀ with both running along k (a linear
 * layer's {@code x · Wᵀ}: packing B transposes W element by element), goes to {@link DotSgemm} instead.
 *
 * <p>The tile shape is measured per machine kind. With 256-bit vectors (Zen 3, one thread, JDK 17.0.15 and Temurin 25)
 * 4 x 16 won against 6 x 16: 84–88 GFLOPS against 30–33 at n = 512–2048 (6 x 16 collapsed once rows of C were 2 KiB or
 * more apart), 72 against 66 at n = 128. For 512-bit vectors see {@link #defaultKernel}.
 * {@code -Dkindling.cpu.sgemmKernel=4x16|6x16|12x32|14x32|6x32} overrides, for machines where the measurement comes out
 * the other way, and {@code -Dkindling.cpu.sgemmKc=N} sets the longest k block. Products of 2^24 multiply-adds and more
 * are split by columns across the compute pool (each thread packs its own B panels); pack buffers are per thread and
 * reused.
 */
final class VectorSgemm implements Sgemm {
    private static final int NC = 1024;
    /**
     * Products below this many multiply-adds stay on the calling thread. An MLP's batch-64 products (64 x 784 x 256,
     * 12.8M) ran 1.8x faster on two threads alone, yet a training loop split them and lost: 55,400 samples/s
     * (median of 5 runs) against 60,000 unsplit (Zen 4, 2 cores; the other core's caches are cold for the activations
     * and each thread packs all of A). 2^24 keeps those serial and a 1000-row inference batch (200M) split, 1.5x faster.
     */
    private static final long GEMM_MIN_PARALLEL = 1L << 24;

    private final MicroKernels.MicroKernel kernel;
    private final int mr;
    private final int nr;
    private final int mc;
    /** The longest k block: the C tile is loaded and stored once per block, so longer is better while panels stay in L2. */
    private final int kcMax;
    private final ThreadLocal<float[][]> scratch;

    VectorSgemm(MicroKernels.MicroKernel kernel) {
        this.kernel = kernel;
        this.mr = kernel.mr;
        this.nr = kernel.nr;
        // 512-bit kernels run on CPUs with 1-2 MiB of L2 per core (Sapphire Rapids: 2 MiB): at n = 1024, one thread, 12 x 32
        // took 30 ms with k blocks of 256, 24 ms with 512 and 21.6 ms with 1024, the C tile (rows 4 KiB apart) being read
        // and written once instead of four times. 256-bit kernels keep 256, measured on Zen 3 with 512 KiB of L2.
        this.kcMax = Integer.getInteger("kindling.cpu.sgemmKc", kernel.vectorBits >= 512 ? 1024 : 256);
        // rows of A per block: 16 micro-panels for 256-bit kernels (64 KiB at kc = 256, measured on Zen 3; 96 rows were
        // slower on Zen 4), about 96 rows for 512-bit ones (384 KiB at kc = 1024, inside L2 next to a B panel)
        this.mc = kernel.vectorBits >= 512 ? mr * Math.max(1, 96 / mr) : mr * 16;
        int ncPadded = (NC + nr - 1) / nr * nr;
        this.scratch = ThreadLocal.withInitial(() -> new float[][] {new float[mc * kcMax], new float[kcMax * ncPadded], new float[mr * nr], new float[Math.max(kcMax, ncPadded)]});
    }

    VectorSgemm(String kernelName) { this(MicroKernels.named(kernelName)); }

    /**
     * The kernel for this machine: {@code -Dkindling.cpu.sgemmKernel} if set, else {@link #defaultKernel}.
     */
    static VectorSgemm forThisMachine() {
        String forced = System.getProperty("kindling.cpu.sgemmKernel", "");
        if (!forced.isEmpty()) return new VectorSgemm(forced);
        return new VectorSgemm(defaultKernel());
    }

    /**
     * The kernel of {@link VectorApi#BITS}, the one vector width of every kernel. At 512 bits 6 x 32: measured on an AMD
     * EPYC Zen 5 (family 26, which computes 512 bits at once), one thread, the MLP's products took 136–205 us against
     * 205–320 for 256-bit 4 x 32, while 12 x 32 and 14 x 32 were never ahead by more than noise and took 15–28 ms
     * instead of 0.14–0.28 on one or two of the six products (a cause not pinned down; {@code MlpGemmBenchmark}). sgemm
     * 1024 on Zen 5: 228 GFLOPS on one thread, 400 on two (256-bit 4 x 32: 217 on two). On a Sapphire Rapids Xeon
     * 12 x 32 ran at 100 GFLOPS against 64 for 256-bit 4 x 16 (one thread, n = 1024). At 256 bits, 4 x 32 where the CPU
     * has AVX-512's thirty-two vector registers, 4 x 16 on AVX2's sixteen: on a Zen 4 (AVX-512 run as two 256-bit
     * halves) 4 x 32 ran at 108–112 GFLOPS on a 64 x 512 x 256 block against 99–103 for 4 x 16, and a 512-bit 8 x 32 at
     * 112–114, so Zen 4 should lose nothing at 512 bits either (not re-measured with every kernel at 512). The choice is fixed per machine, never timed at start-up; the 256-bit shapes give the
     * same bits as one another, and so do the 512-bit ones (one FMA chain per element, the k blocks set by kcMax alone).
     */
    static String defaultKernel() {
        if (VectorApi.BITS == 512) return "6x32";
        return MicroKernels.thirtyTwoVectorRegisters() ? "4x32" : "4x16";
    }

    @Override public String name() { return "vector-" + kernel.name; }

    @Override
    public void gemm(int m, int n, int k, Operand a, int aOff, int rsA, int csA, Operand b, int bOff, int rsB, int csB, float[] c, int cOff, int ldc,
                     Epilogue epilogue) {
        if (m == 0 || n == 0) return;
        if (k == 0) {
            for (int i = 0; i < m; i++) java.util.Arrays.fill(c, cOff + i * ldc, cOff + i * ldc + n, 0f);
            if (epilogue != null) epilogue.finish(c, cOff, ldc, 0, m, 0, n);
            return;
        }
        if (n < nr && m >= 2 * n) {
            // a thin product (a 3x3 single-channel convolution's weight gradient has n = 9): computing Cᵀ = Bᵀ Aᵀ fills
            // the 16-wide micro-tiles instead of padding 9 columns to 16, and splits across threads by columns
            float[] t = new float[n * m];
            gemm(n, m, k, b, bOff, csB, rsB, a, aOff, csA, rsA, t, 0, m);
            for (int i = 0; i < m; i++) for (int j = 0; j < n; j++) c[cOff + i * ldc + j] = t[j * m + i];
            if (epilogue != null) epilogue.finish(c, cOff, ldc, 0, m, 0, n);
            return;
        }
        long work = (long) m * n * k;
        if (DotSgemm.applies(m, n, k, a, csA, b, rsB)) {
            // x · Wᵀ: both operands run along k, so dot products beat transposing W into panels
            DotSgemm.gemm(m, n, k, a, aOff, rsA, b, bOff, csB, c, cOff, ldc, work < GEMM_MIN_PARALLEL ? 1 : ComputePool.chunksFor((n + 3) / 4, work), epilogue);
            return;
        }
        // split columns in multiples of nr across threads when the product is large enough; rows (in multiples of the
        // micro-kernel's height) when there are too few columns, as in a weight gradient [out, N*L] x [N*L, k] with k = 9
        int panels = (n + nr - 1) / nr;
        int rowPanels = (m + mr - 1) / mr;
        if (panels < 2 * ComputePool.threads() && rowPanels > panels) {
            int tr = ComputePool.chunksFor(rowPanels, work); // conv weight gradients (n = 9): split, measured faster in the CNN
            ComputePool.run(tr, chunk -> {
                int i0 = (int) ((long) rowPanels * chunk / tr) * mr;
                int i1 = Math.min(m, (int) ((long) rowPanels * (chunk + 1) / tr) * mr);
                if (i1 <= i0) return;
                serial(i1 - i0, 0, n, k, a, aOff + i0 * rsA, rsA, csA, b, bOff, rsB, csB, c, cOff + i0 * ldc, ldc, epilogue);
            });
            return;
        }
        int t = work < GEMM_MIN_PARALLEL ? 1 : ComputePool.chunksFor(panels, work);
        ComputePool.run(t, chunk -> {
            int j0 = (int) ((long) panels * chunk / t) * nr;
            int j1 = Math.min(n, (int) ((long) panels * (chunk + 1) / t) * nr);
            if (j1 <= j0) return;
            serial(m, j0, j1, k, a, aOff, rsA, csA, b, bOff, rsB, csB, c, cOff, ldc, epilogue);
        });
    }

    /** Rows [0, m) by columns [j0, j1) on this thread; each (row block, column block) goes to the epilogue once its last k block is in. */
    private void serial(int m, int j0, int j1, int k, Operand a, int aOff, int rsA, int csA, Operand b, int bOff, int rsB, int csB,
                        float[] c, int cOff, int ldc, Epilogue epilogue) {
        float[][] buf = scratch.get();
        float[] ap = buf[0], bp = buf[1], tile = buf[2], run = buf[3];
        // k in equal blocks of at most kcMax: k = 1100 gives two of 550, not 1024 and a thin 76
        int kBlocks = (k + kcMax - 1) / kcMax;
        int kcStep = (k + kBlocks - 1) / kBlocks;
        for (int jc = j0; jc < j1; jc += NC) {
            int nc = Math.min(NC, j1 - jc);
            for (int pc = 0; pc < k; pc += kcStep) {
                int kc = Math.min(kcStep, k - pc);
                boolean first = pc == 0;
                packB(b, bOff, rsB, csB, pc, kc, jc, nc, bp, run);
                for (int ic = 0; ic < m; ic += mc) {
                    int mcur = Math.min(mc, m - ic);
                    packA(a, aOff, rsA, csA, ic, mcur, pc, kc, ap, run);
                    macro(ap, bp, tile, kc, ic, mcur, jc, nc, c, cOff, ldc, first);
                    if (pc + kc >= k && epilogue != null) epilogue.finish(c, cOff, ldc, ic, ic + mcur, jc, jc + nc);
                }
            }
        }
    }

    /**
     * B[pc:pc+kc, jc:jc+nc] into panels of nr columns, zero-padded: bp[(panel * kc + p) * nr + j]. A half (or rounded)
     * B is converted run by run, through {@code run} (as long as k blocks and column blocks).
     */
    private void packB(Operand b, int bOff, int rsB, int csB, int pc, int kc, int jc, int nc, float[] bp, float[] run) {
        float[] fb = b.f;
        int panels = (nc + nr - 1) / nr;
        if (fb == null && csB == 1) {
            // a half or rounded B with contiguous rows (the weight in g · W): each row's nc elements in one conversion,
            // then cut into panels. Converting 16 at a time made a bf16 CNN's 64 x 128 x 3136 product 3.5x its float32 one.
            for (int p = 0; p < kc; p++) {
                b.run(bOff + (pc + p) * rsB + jc, run, 0, nc);
                for (int jp = 0; jp < panels; jp++) {
                    int w = Math.min(nr, nc - jp * nr), dst = (jp * kc + p) * nr;
                    System.arraycopy(run, jp * nr, bp, dst, w);
                    for (int j = w; j < nr; j++) bp[dst + j] = 0;
                }
            }
            return;
        }
        for (int jp = 0; jp < panels; jp++) {
            int j0 = jc + jp * nr;
            int w = Math.min(nr, jc + nc - j0);
            int base = jp * kc * nr;
            if (csB != 1 && rsB == 1) {
                // B is a transposed view (a linear layer's weight): read each column's run of k contiguously. (Writing
                // the panel in blocks of 16 or 64 k steps, to keep the written block in L1, measured slower on Zen 4.)
                for (int j = 0; j < w; j++) {
                    int src = bOff + pc + (j0 + j) * csB;
                    if (fb != null) {
                        for (int p = 0; p < kc; p++) bp[base + p * nr + j] = fb[src + p];
                    } else {
                        b.run(src, run, 0, kc);
                        for (int p = 0; p < kc; p++) bp[base + p * nr + j] = run[p];
                    }
                }
                for (int p = 0; p < kc; p++) for (int j = w; j < nr; j++) bp[base + p * nr + j] = 0;
                continue;
            }
            for (int p = 0; p < kc; p++) {
                int src = bOff + (pc + p) * rsB + j0 * csB;
                int dst = base + p * nr;
                if (csB == 1) {
                    b.run(src, bp, dst, w);
                } else {
                    for (int j = 0; j < w; j++) bp[dst + j] = b.get(src + j * csB);
                }
                for (int j = w; j < nr; j++) bp[dst + j] = 0;
            }
        }
    }

    /** A[ic:ic+mcur, pc:pc+kc] into panels of mr rows, k-major, zero-padded: ap[(panel * kc + p) * mr + i]. */
    private void packA(Operand a, int aOff, int rsA, int csA, int ic, int mcur, int pc, int kc, float[] ap, float[] run) {
        float[] fa = a.f;
        int rowPanels = (mcur + mr - 1) / mr;
        if (fa == null && rsA == 1) {
            // a transposed half A (a weight gradient's gᵀ under autocast): each k step's mcur rows are one contiguous run,
            // converted at once and then cut into panels, instead of element by element at stride csA
            for (int p = 0; p < kc; p++) {
                a.run(aOff + ic + (pc + p) * csA, run, 0, mcur);
                for (int ip = 0; ip < rowPanels; ip++) {
                    int h = Math.min(mr, mcur - ip * mr), dst = ip * kc * mr + p * mr;
                    System.arraycopy(run, ip * mr, ap, dst, h);
                    for (int i = h; i < mr; i++) ap[dst + i] = 0;
                }
            }
            return;
        }
        for (int ip = 0; ip < rowPanels; ip++) {
            int i0 = ic + ip * mr;
            int h = Math.min(mr, ic + mcur - i0);
            int base = ip * kc * mr;
            if (fa != null && rsA == 1) {
                // A is a transposed view (a weight gradient's input): each k step's mr rows are already contiguous
                for (int p = 0; p < kc; p++) System.arraycopy(fa, aOff + i0 + (pc + p) * csA, ap, base + p * mr, h);
            } else for (int i = 0; i < h; i++) {
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
        int colPanels = (nc + nr - 1) / nr;
        for (int jp = 0; jp < colPanels; jp++) {
            int j0 = jc + jp * nr;
            int w = Math.min(nr, jc + nc - j0);
            for (int ip = 0; ip < rowPanels; ip++) {
                int i0 = ic + ip * mr;
                int h = Math.min(mr, ic + mcur - i0);
                int ao = ip * kc * mr, bo = jp * kc * nr;
                if (h == mr && w == nr) {
                    kernel.run(ap, ao, bp, bo, kc, c, cOff + i0 * ldc + j0, ldc, !first);
                } else {
                    kernel.run(ap, ao, bp, bo, kc, tile, 0, nr, false);
                    for (int i = 0; i < h; i++) {
                        int ci = cOff + (i0 + i) * ldc + j0;
                        if (first) System.arraycopy(tile, i * nr, c, ci, w);
                        else for (int j = 0; j < w; j++) c[ci + j] += tile[i * nr + j];
                    }
                }
            }
        }
    }
}
