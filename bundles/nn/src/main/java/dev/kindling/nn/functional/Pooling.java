package dev.kindling.nn.functional;

import dev.kindling.api.Tensor;
import dev.kindling.api.Torch;
import dev.kindling.kernel.ops.Ops;
import dev.kindling.kernel.spi.Window2d;

import java.util.Arrays;

/** {@link F}'s 2-d pooling: max on the kernel's max_pool2d, average as sums over strided windows. */
final class Pooling {
    private Pooling() {}

    static Tensor maxPool2d(Tensor x, int[] kernelSize, int[] stride, int[] padding, int[] dilation, boolean ceilMode) {
        Pool p = new Pool("max_pool2d", x, kernelSize, stride, padding, dilation, ceilMode);
        Window2d win = new Window2d(kernelSize[0], kernelSize[1], stride[0], stride[1], padding[0], padding[1], dilation[0], dilation[1],
                (int) p.oh, (int) p.ow);
        Tensor y = Ops.maxPool2d(p.unbatched ? x.unsqueeze(0) : x, win).values();
        return p.unbatched ? y.squeeze(0) : y;
    }

    static Tensor avgPool2d(Tensor x, int[] kernelSize, int[] stride, int[] padding, boolean ceilMode, boolean countIncludePad,
            Integer divisorOverride) {
        Pool p = new Pool("avg_pool2d", x, kernelSize, stride, padding, Args.pair(1), ceilMode);
        Tensor xp = p.padded(x, 0.0);
        Tensor sums = windows(xp, kernelSize[0], kernelSize[1], stride, Args.pair(1), p.oh, p.ow).sum(new int[] {4, 5}, false);
        Tensor y;
        if (divisorOverride != null) {
            if (divisorOverride == 0) throw new IllegalArgumentException("divisor must be not zero");
            y = sums.div((double) divisorOverride);
        } else {
            double[] rows = divisors(p.h, p.oh, kernelSize[0], stride[0], padding[0], countIncludePad);
            double[] cols = divisors(p.w, p.ow, kernelSize[1], stride[1], padding[1], countIncludePad);
            double[] d = new double[rows.length * cols.length];
            for (int i = 0; i < rows.length; i++) for (int j = 0; j < cols.length; j++) d[i * cols.length + j] = rows[i] * cols[j];
            y = sums.div(Torch.tensor(d, p.oh, p.ow).to(x.dtype()).to(x.device()));
        }
        return p.unbatched ? y.squeeze(0) : y;
    }

    /** The number of elements each window along one axis averages over (PyTorch's pool_size rule). */
    private static double[] divisors(long in, long out, int k, int s, int pad, boolean countIncludePad) {
        double[] d = new double[(int) out];
        for (int i = 0; i < out; i++) {
            long start = (long) i * s - pad;
            long end = Math.min(start + k, in + pad);
            long size = end - start;
            if (!countIncludePad) size = Math.min(end, in) - Math.max(start, 0);
            d[i] = size;
        }
        return d;
    }

    /** Output sizes and padding of a 2-d pooling, with PyTorch's checks and ceil-mode rule. */
    private static final class Pool {
        final boolean unbatched;
        final long h, w, oh, ow;
        final int[] padding;
        final long extraBottom, extraRight;

        Pool(String op, Tensor x, int[] k, int[] s, int[] pad, int[] d, boolean ceil) {
            if (x.dim() != 3 && x.dim() != 4) {
                throw new IllegalArgumentException(op + ": non-empty 3D or 4D (batch mode) tensor expected for input, got input of size "
                        + Arrays.toString(x.shape()));
            }
            Args.checkPositive(k, "kernel size");
            Args.checkPositive(s, "stride");
            Args.checkPositive(d, "dilation");
            for (int i = 0; i < 2; i++) {
                if (pad[i] < 0) throw new IllegalArgumentException("pad should be non-negative");
                if (pad[i] > k[i] / 2) {
                    throw new IllegalArgumentException("pad should be at most half of kernel size, but got pad=" + pad[i] + " and kernel_size=" + k[i]);
                }
            }
            unbatched = x.dim() == 3;
            h = x.size(-2);
            w = x.size(-1);
            oh = outputSize(h, k[0], pad[0], s[0], d[0], ceil);
            ow = outputSize(w, k[1], pad[1], s[1], d[1], ceil);
            if (oh < 1 || ow < 1) {
                throw new IllegalArgumentException("Given input size: (" + x.size(-3) + "x" + h + "x" + w + "). Calculated output size: (" + x.size(-3)
                        + "x" + oh + "x" + ow + "). Output size is too small");
            }
            padding = pad;
            extraBottom = Math.max(0, (oh - 1) * s[0] + (long) d[0] * (k[0] - 1) + 1 - (h + 2L * pad[0]));
            extraRight = Math.max(0, (ow - 1) * s[1] + (long) d[1] * (k[1] - 1) + 1 - (w + 2L * pad[1]));
        }

        Tensor padded(Tensor x, double value) {
            Tensor x4 = unbatched ? x.unsqueeze(0) : x;
            if (padding[0] == 0 && padding[1] == 0 && extraBottom == 0 && extraRight == 0) return x4;
            return x4.pad(new long[] {padding[1], padding[1] + extraRight, padding[0], padding[0] + extraBottom}, value);
        }

        private static long outputSize(long in, int k, int pad, int s, int d, boolean ceil) {
            long num = in + 2L * pad - (long) d * (k - 1) - 1 + (ceil ? s - 1 : 0);
            long out = Math.floorDiv(num, s) + 1;
            if (ceil && (out - 1) * s >= in + pad) out--;
            return out;
        }
    }

    static Tensor adaptiveAvgPool2d(Tensor x, int[] outputSize) {
        if (x.dim() != 3 && x.dim() != 4) {
            throw new IllegalArgumentException("adaptive_avg_pool2d(): Expected 3D or 4D tensor, but got " + Arrays.toString(x.shape()));
        }
        Args.checkPositive(outputSize, "output size");
        long h = x.size(-2), w = x.size(-1);
        Tensor[] sh = adaptiveWindows(h, outputSize[0], x);
        Tensor[] sw = adaptiveWindows(w, outputSize[1], x);
        Tensor sums = sh[0].matmul(x).matmul(sw[0].t());
        return sums.div(sh[1].unsqueeze(1).mul(sw[1].unsqueeze(0)));
    }

    /** {0/1 matrix [out, in] marking each output's input window, window sizes [out]}. */
    private static Tensor[] adaptiveWindows(long in, long out, Tensor like) {
        double[] m = new double[(int) (out * in)];
        double[] sizes = new double[(int) out];
        for (int i = 0; i < out; i++) {
            long start = Math.floorDiv(i * in, out);
            long end = -Math.floorDiv(-(i + 1) * in, out);
            for (long r = start; r < end; r++) m[(int) (i * in + r)] = 1;
            sizes[i] = end - start;
        }
        return new Tensor[] {Torch.tensor(m, out, in).to(like.dtype()).to(like.device()), Torch.tensor(sizes, out).to(like.dtype()).to(like.device())};
    }

    /**
     * The sliding windows of a padded {@code [N, C, H, W]} tensor as a {@code [N, C, oh, ow, kh, kw]} view (the kernel's
     * {@code unfold}, with every dilation-th element of each window).
     */
    private static Tensor windows(Tensor x, int kh, int kw, int[] stride, int[] dilation, long oh, long ow) {
        long ekh = (long) dilation[0] * (kh - 1) + 1, ekw = (long) dilation[1] * (kw - 1) + 1;
        Tensor w = x.unfold(2, ekh, stride[0]).unfold(3, ekw, stride[1]);
        if (w.size(2) != oh) w = w.narrow(2, 0, oh);
        if (w.size(3) != ow) w = w.narrow(3, 0, ow);
        if (dilation[0] > 1) w = w.slice(4, 0, ekh, dilation[0]);
        if (dilation[1] > 1) w = w.slice(5, 0, ekw, dilation[1]);
        return w;
    }
}
