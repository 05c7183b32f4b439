package dev.kindling.backend.cpu;

import dev.kindling.kernel.spi.View;

/**
 * Sums over a contiguous tensor's last dims and some of its leading ones: a convolution's bias gradient, {@code [N, C,
 * H, W]} summed over N, H and W. The general strided path takes one output at a time and walks its runs, which lie
 * C·H·W apart in memory, on one thread: 1.0–1.3 ms for the CNN's [64, 32, 28, 28] gradient from memory. Here every run
 * of the last dims is summed once, in memory order and split across threads, and then each output adds its runs' sums
 * in row-major order, the order the general path adds them in: the same bits, on any thread count.
 */
final class RunSums {
    private RunSums() {}

    /** Shorter runs stay on the general path, where merging dims may give longer ones. */
    static final int MIN_RUN = 16;

    /**
     * How many trailing dims of {@code in} form the runs, or 0 where this path does not apply: {@code in} must be
     * contiguous, its last dims (at least {@link #MIN_RUN} elements) all reduced, and its leading dims must hold both
     * a reduced dim and a kept one (the other cases have paths of their own).
     */
    static int trailingDims(View in, int[] dims) {
        int r = in.dim();
        if (r < 2 || !in.isContiguous()) return 0;
        boolean[] reduced = new boolean[r];
        for (int d : dims) reduced[d] = true;
        int t = 0;
        long len = 1;
        while (t < r && reduced[r - 1 - t]) len *= in.shape()[r - 1 - t++];
        if (t == 0 || t == r || len < MIN_RUN || len > Integer.MAX_VALUE) return 0;
        boolean leadingReduced = false, leadingKept = false;
        for (int d = 0; d < r - t; d++) {
            if (in.shape()[d] == 1) continue;
            if (reduced[d]) leadingReduced = true;
            else leadingKept = true;
        }
        return leadingReduced && leadingKept ? t : 0;
    }

    /**
     * {@code out} (float32, the reduced dims of size 1) gets the sums of {@code in}, whose elements {@code x} reads
     * (float32, or half widened run by run); {@code t} is {@link #trailingDims}.
     */
    static void sum(View in, Operand x, int[] dims, int t, View out) {
        long[] shape = in.shape();
        int r = shape.length, lead = r - t;
        int len = 1;
        for (int d = lead; d < r; d++) len *= (int) shape[d];
        final int runLength = len;
        int runs = Math.toIntExact(in.numel() / len);
        int base = (int) in.offset();
        double[] runSum = new double[runs];
        int chunks = ComputePool.chunksFor(runs, in.numel());
        ComputePool.ranges(chunks, runs, (c, lo, hi) -> {
            float[] buf = x.f != null ? null : Scratch.floats(Scratch.Slot.RUN, runLength);
            for (int i = lo; i < hi; i++) {
                int off = base + i * runLength;
                if (buf == null) {
                    runSum[i] = FastF32.sumRun(x.f, off, runLength);
                } else {
                    x.run(off, buf, 0, runLength);
                    runSum[i] = FastF32.sumRun(buf, 0, runLength);
                }
            }
        });
        // runs in row-major order of the leading dims, so each output meets its runs in row-major order of the reduced ones
        boolean[] reduced = new boolean[r];
        for (int d : dims) reduced[d] = true;
        long[] index = new long[lead];
        double[] acc = new double[(int) out.numel()];
        for (int i = 0; i < runs; i++) {
            int s = 0;
            for (int d = 0; d < lead; d++) if (!reduced[d]) s = (int) (s * shape[d] + index[d]);
            acc[s] += runSum[i];
            for (int d = lead - 1; d >= 0 && ++index[d] == shape[d]; d--) index[d] = 0;
        }
        // acc is row-major over the kept dims, as out's elements are (its reduced dims have size 1)
        float[] o = ((CpuStorage.F32) CpuBackend.s(out)).a;
        int[] at = Strided.offsets(out);
        for (int s = 0; s < acc.length; s++) o[at[s]] = (float) acc[s];
    }
}
