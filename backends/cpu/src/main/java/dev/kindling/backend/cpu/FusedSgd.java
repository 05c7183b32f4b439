package dev.kindling.backend.cpu;

import dev.kindling.kernel.spi.View;

/**
 * SGD's momentum step in one pass ({@code FusedOptimizerKernels.sgd}): per element {@code b = buffer * momentum;
 * b = fma(grad, 1 - dampening, b); param = fma(b, -lr, param)}, the roundings of the mul_ and the two add_s (each a
 * fused multiply-add, as {@link ScaledAdd}) it replaces, which read and wrote the buffer and the parameter once each
 * (an MLP's 256 x 784 weight: the three took 53 us a step, the one pass takes 42, Zen 4). Elements are independent, so splitting
 * across threads changes no bits.
 */
final class FusedSgd {
    private FusedSgd() {}

    /** Float32 views, all contiguous; false for anything else. */
    static boolean run(View param, View buffer, View grad, double lr, double momentum, double dampening) {
        if (!(param.storage() instanceof CpuStorage.F32 && buffer.storage() instanceof CpuStorage.F32 && grad.storage() instanceof CpuStorage.F32)
                || !param.isContiguous() || !buffer.isContiguous() || !grad.isContiguous()) {
            return false;
        }
        float[] p = ((CpuStorage.F32) param.storage()).a, b = ((CpuStorage.F32) buffer.storage()).a, g = ((CpuStorage.F32) grad.storage()).a;
        int po = (int) param.offset(), bo = (int) buffer.offset(), go = (int) grad.offset(), n = (int) param.numel();
        float mom = (float) momentum, keep = (float) (1 - dampening), step = (float) -lr;
        // split only from 2^18 elements: the MLP's 256 x 784 weight took 73-124 us on two threads against 42 on one (the
        // other core's caches do not hold the gradient the backward just wrote)
        int chunks = ComputePool.chunksFor(n / 4096, n);
        ComputePool.ranges(chunks, n, (c, lo, hi) -> row(p, po + lo, b, bo + lo, g, go + lo, mom, keep, step, hi - lo));
        return true;
    }

    static void row(float[] p, int po, float[] b, int bo, float[] g, int go, float mom, float keep, float step, int n) {
        int i = VectorApi.AVAILABLE && n >= VectorBinary.MIN_LENGTH ? VectorBinary.sgd(p, po, b, bo, g, go, mom, keep, step, n) : 0;
        for (; i < n; i++) {
            float buf = Math.fma(g[go + i], keep, b[bo + i] * mom);
            b[bo + i] = buf;
            p[po + i] = Math.fma(buf, step, p[po + i]);
        }
    }
}
