package dev.kindling.backend.cpu;

import dev.kindling.api.DType;
import dev.kindling.kernel.spi.View;
import dev.kindling.kernel.spi.Window2d;

/**
 * conv2d's products on the CPU ({@code _conv2d_im2col} and its gradients). The forward is one GEMM of the weight by all samples' columns,
 * which im2col lays out as a {@code [k, N·L]} matrix, whose epilogue adds the bias to each finished block of C and
 * writes it straight into the {@code [N, O, oh, ow]} output while the block is in cache (narrowing a half output there
 * too, after the bias: one rounding). Before, the product went to a fresh {@code [O, N·L]} tensor and a second pass read
 * it back transposed to add the bias: for the CNN's first convolution 6.4 MB more allocated, written and read again.
 * C itself is a reused per-thread buffer.
 */
final class ConvColumns {
    private ConvColumns() {}

    /** Whether it ran: float32 and half, all of one dtype, columns in im2col's layout (or one sample), output contiguous. */
    static boolean run(View columns, View weight, View bias, View out) {
        DType t = out.dtype();
        if ((t != DType.FLOAT32 && !HalfOps.isHalf(t)) || columns.dtype() != t || weight.dtype() != t || (bias != null && bias.dtype() != t)) return false;
        if (!out.isContiguous()) return false;
        long[] cs = columns.shape(), st = columns.strides(), ws = weight.strides();
        long n = cs[0], k = cs[1], l = cs[2], o = weight.shape()[0];
        boolean wide = im2colLayout(columns);
        if ((!wide && n != 1) || o * n * l > Integer.MAX_VALUE || k * n * l > Integer.MAX_VALUE) return false;
        int cols = (int) (n * l), run = (int) l, channels = (int) o;
        int rsB = wide ? cols : (int) st[1], csB = wide ? 1 : (int) st[2];
        float[] b = bias == null ? null : values(bias, channels);
        float[] c = Scratch.floats(Scratch.Slot.PRODUCT, channels * cols);
        int dOff = (int) out.offset();
        CpuStorage dst = CpuBackend.s(out);
        float[] f = dst instanceof CpuStorage.F32 ? ((CpuStorage.F32) dst).a : null;
        short[] h = f == null ? ((CpuStorage.F16) dst).a : null;
        boolean bf16 = t == DType.BFLOAT16;
        Sgemm.Epilogue epilogue = (cc, cOff, ldc, i0, i1, j0, j1) -> {
            int shift = cOff / ldc; // whole rows, by the epilogue's contract
            for (int i = i0; i < i1; i++) {
                int row = shift + i, src = cOff + i * ldc;
                float add = b == null ? 0f : b[row];
                // column j of C is sample j / L, position j % L: one contiguous run of the output per sample
                for (int j = j0; j < j1; ) {
                    int sample = j / run, pos = j - sample * run, len = Math.min(j1 - j, run - pos);
                    int at = dOff + (sample * channels + row) * run + pos;
                    if (b != null) for (int q = 0; q < len; q++) cc[src + j + q] += add;
                    if (f != null) System.arraycopy(cc, src + j, f, at, len);
                    else HalfArrays.fromFloat(bf16, cc, src + j, h, at, len);
                    j += len;
                }
            }
        };
        MatMul.kernelFor((long) channels * cols * k).gemm(channels, cols, (int) k, MatMul.operand(weight), (int) weight.offset(), (int) ws[0], (int) ws[1],
                MatMul.operand(columns), (int) columns.offset(), rsB, csB, c, 0, cols, epilogue);
        return true;
    }

    /** Columns' gradients are made for groups of samples of at most this many floats (1 MiB), to be summed from cache. */
    private static final long GROUP_FLOATS = 1L << 18;

    /**
     * The input's gradient {@code col2im(weightᵀ @ grad)}, a group of samples at a time: the group's columns gradient
     * goes to this thread's buffer, with the contiguous {@code [N, O, L]} gradient read as the {@code [O, N·L]} matrix
     * where it is ({@link Operand#grouped}), and {@link Windows#col2im} sums it into the group's planes at once, from
     * cache. Unfused, the whole {@code [k, N·L]} columns gradient (14.4 MB for the CNN's second convolution) went to
     * memory and col2im read it back. Each element of the product sums over O alone, however the columns are grouped,
     * half values are rounded to their dtype before the sums as the unfused product's half output was, and col2im
     * adds the same values in the same order: the unfused pair's bits.
     */
    static boolean backwardInput(View grad, View weight, Window2d w, View out) {
        DType t = out.dtype();
        if (!sameFloatDType(t, grad, weight) || !grad.isContiguous()) return false;
        long[] gs = grad.shape(), ws = weight.strides(), os = out.shape();
        long n = gs[0], o = gs[1], l = gs[2] * gs[3], k = weight.shape()[1];
        long planes = os[1] * os[2] * os[3];
        if (k * n * l > Integer.MAX_VALUE || o * n * l > Integer.MAX_VALUE || n * planes > Integer.MAX_VALUE) return false;
        int per = (int) Math.max(1, Math.min(n, GROUP_FLOATS / Math.max(1, k * l)));
        int groups = (int) ((n + per - 1) / per), rows = (int) k, inner = (int) o, run = (int) l, all = (int) (n * l);
        Operand g = gradientMatrix(grad, all, run, (int) (o * l)), a = MatMul.operand(weight);
        boolean half = HalfOps.isHalf(t);
        Sgemm gemm = MatMul.kernelFor((long) rows * all * inner / groups);
        int chunks = ComputePool.chunksFor(groups, (long) rows * all * inner);
        ComputePool.ranges(chunks, groups, (chunk, lo, hi) -> {
            for (int gi = lo; gi < hi; gi++) {
                int s0 = gi * per, ns = (int) Math.min(per, n - s0), cols = ns * run;
                float[] c = Scratch.floats(Scratch.Slot.PRODUCT, rows * cols);
                gemm.gemm(rows, cols, inner, a, (int) weight.offset(), (int) ws[1], (int) ws[0], g, s0 * run, all, 1, c, 0, cols, half ? Sgemm.rounding(t) : null);
                View part = new View(new CpuStorage.F32(c), new long[] {ns, rows, run}, new long[] {run, cols, 1}, 0);
                long[] shape = {ns, os[1], os[2], os[3]};
                View target = new View(out.storage(), shape, out.strides(), out.offset() + s0 * out.strides()[0]);
                if (!half) {
                    Windows.col2im(part, w, target);
                    continue;
                }
                // half: summed in float32 and rounded once, as the unfused col2im of half columns does
                int size = (int) (ns * planes);
                float[] acc = Scratch.floats(Scratch.Slot.HALF_B, size);
                java.util.Arrays.fill(acc, 0, size, 0f);
                View sums = new View(new CpuStorage.F32(acc), shape, CpuBackend.contiguous(shape), 0);
                Windows.col2im(part, w, sums);
                FastCopy.copy(sums, target);
            }
        });
        return true;
    }

    /**
     * The weight's gradient {@code grad [O, N·L] @ columns [k, N·L]ᵀ} into {@code out [O, k]}, the gradient read as that
     * matrix where it is (see {@link #backwardInput}) and the columns, in im2col's layout, transposed by their strides.
     */
    static boolean backwardWeight(View grad, View columns, View out) {
        DType t = out.dtype();
        if (!sameFloatDType(t, grad, columns) || !grad.isContiguous() || !out.isContiguous()) return false;
        long[] gs = grad.shape();
        long n = gs[0], o = gs[1], l = gs[2] * gs[3], k = columns.shape()[1];
        if (!im2colLayout(columns) || k * n * l > Integer.MAX_VALUE || o * n * l > Integer.MAX_VALUE) return false;
        int cols = (int) (n * l);
        Operand g = gradientMatrix(grad, cols, (int) l, (int) (o * l));
        product((int) o, (int) k, cols, g, 0, cols, 1, MatMul.operand(columns), (int) columns.offset(), 1, cols, out);
        return true;
    }

    private static boolean sameFloatDType(DType t, View a, View b) {
        return (t == DType.FLOAT32 || HalfOps.isHalf(t)) && a.dtype() == t && b.dtype() == t;
    }

    /** {@code [N, k, L]} columns as im2col lays them out: the {@code [k, N·L]} matrix, rows N·L apart. */
    private static boolean im2colLayout(View columns) {
        long[] cs = columns.shape(), st = columns.strides();
        return st[2] == 1 && st[0] == cs[2] && st[1] == cs[0] * cs[2];
    }

    /** A contiguous [N, O, L] gradient as the [O, N·L] matrix: row o, column (n, l) at n·O·L + o·L + l. */
    private static Operand gradientMatrix(View grad, int cols, int l, int groupStride) {
        return MatMul.operand(grad).grouped((int) grad.offset(), cols, l, groupStride, l);
    }

    /** {@code out} (row-major from its offset, row stride {@code n}) = A·B; a half output is narrowed block by block. */
    private static void product(int m, int n, int k, Operand a, int aOff, int rsA, int csA, Operand b, int bOff, int rsB, int csB, View out) {
        CpuStorage s = CpuBackend.s(out);
        Sgemm g = MatMul.kernelFor((long) m * n * k);
        if (s instanceof CpuStorage.F32) {
            g.gemm(m, n, k, a, aOff, rsA, csA, b, bOff, rsB, csB, ((CpuStorage.F32) s).a, (int) out.offset(), n, (Sgemm.Epilogue) null);
            return;
        }
        CpuStorage.F16 h = (CpuStorage.F16) s;
        float[] c = Scratch.floats(Scratch.Slot.PRODUCT, m * n);
        g.gemm(m, n, k, a, aOff, rsA, csA, b, bOff, rsB, csB, c, 0, n, Sgemm.narrowing(h.bf16, 0, h.a, (int) out.offset(), n));
    }

    /** A float32 or half vector's values as floats (a half value is exact in float32). */
    private static float[] values(View v, int n) {
        float[] out = new float[n];
        CpuStorage s = CpuBackend.s(v);
        for (int i = 0; i < n; i++) out[i] = (float) s.getD((int) (v.offset() + i * v.strides()[0]));
        return out;
    }
}
