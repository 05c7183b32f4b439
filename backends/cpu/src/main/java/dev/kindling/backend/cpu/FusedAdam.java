package dev.kindling.backend.cpu;

import dev.kindling.kernel.spi.View;

/**
 * Adam's step without amsgrad in one pass ({@code FusedOptimizerKernels.adam}): per element
 * {@code m = fma(g, 1 - b1, m * b1); v = fma(g * g, 1 - b2, v * b2); p = fma(m / (sqrt(v) / c2 + eps), -step, p)}, the
 * roundings of the ten ops it replaces (mul_, add_, mul, addcmul_'s add, sqrt, div, add_, div, addcdiv_'s add: each
 * add with alpha a fused multiply-add, sqrt and division correctly rounded), which made ten passes and three
 * temporaries over each parameter. Elements are independent, so splitting across threads changes no bits.
 */
final class FusedAdam {
    private FusedAdam() {}

    /** Float32 views, all contiguous; false for anything else. */
    static boolean run(View param, View expAvg, View expAvgSq, View grad, double beta1, double beta2, double stepSize, double biasCorrection2Sqrt,
                       double eps) {
        View[] all = {param, expAvg, expAvgSq, grad};
        for (View v : all) if (!(v.storage() instanceof CpuStorage.F32) || !v.isContiguous()) return false;
        float[] p = ((CpuStorage.F32) param.storage()).a, m = ((CpuStorage.F32) expAvg.storage()).a;
        float[] v = ((CpuStorage.F32) expAvgSq.storage()).a, g = ((CpuStorage.F32) grad.storage()).a;
        int po = (int) param.offset(), mo = (int) expAvg.offset(), vo = (int) expAvgSq.offset(), go = (int) grad.offset(), n = (int) param.numel();
        float[] k = {(float) beta1, (float) (1 - beta1), (float) beta2, (float) (1 - beta2), (float) biasCorrection2Sqrt, (float) eps, (float) -stepSize};
        // split from 2^18 elements, as FusedSgd (the other core's caches are cold for the gradient)
        int chunks = ComputePool.chunksFor(n / 4096, n);
        ComputePool.ranges(chunks, n, (c, lo, hi) -> row(p, po + lo, m, mo + lo, v, vo + lo, g, go + lo, k, hi - lo));
        return true;
    }

    /** {@code k} = beta1, 1 - beta1, beta2, 1 - beta2, the bias correction's square root, eps and -step, as floats. */
    static void row(float[] p, int po, float[] m, int mo, float[] v, int vo, float[] g, int go, float[] k, int n) {
        int i = VectorApi.AVAILABLE && n >= VectorBinary.MIN_LENGTH ? VectorBinary.adam(p, po, m, mo, v, vo, g, go, k, n) : 0;
        for (; i < n; i++) {
            float gi = g[go + i];
            float mi = Math.fma(gi, k[1], m[mo + i] * k[0]);
            float vi = Math.fma(gi * gi, k[3], v[vo + i] * k[2]);
            m[mo + i] = mi;
            v[vo + i] = vi;
            float denom = (float) Math.sqrt(vi) / k[4] + k[5];
            p[po + i] = Math.fma(mi / denom, k[6], p[po + i]);
        }
    }
}
