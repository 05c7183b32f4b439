package dev.kindling.nn.functional;

import dev.kindling.api.DType;
import dev.kindling.api.Generator;
import dev.kindling.api.GradMode;
import dev.kindling.api.Tensor;
import dev.kindling.api.Torch;
import dev.kindling.kernel.ops.Ops;
import dev.kindling.kernel.spi.Window2d;
import dev.kindling.nn.internal.Py;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * {@code torch.nn.functional}: stateless layers and losses. Positional arguments follow PyTorch's order; every function
 * is written with differentiable tensor ops, so gradients come from autograd. Losses take {@code reduction} =
 * {@code "mean"}, {@code "sum"} or {@code "none"}.
 */
@SuppressWarnings("try") // try-with-resources for grad mode: the resource is not referenced in the body
public final class F {
    private F() {}

    // =========================================================================================== activations

    public static Tensor relu(Tensor x) { return x.relu(); }

    /** {@code leaky_relu} with PyTorch's default slope 0.01. */
    public static Tensor leakyRelu(Tensor x) { return leakyRelu(x, 0.01); }

    public static Tensor leakyRelu(Tensor x, double negativeSlope) { return Torch.where(x.gt(0.0), x, x.mul(negativeSlope)); }

    /** Exact GELU: {@code x·Φ(x) = x·0.5·(1 + erf(x/√2))}. */
    public static Tensor gelu(Tensor x) { return gelu(x, "none"); }

    /** GELU; {@code approximate} is {@code "none"} (erf) or {@code "tanh"}. */
    public static Tensor gelu(Tensor x, String approximate) {
        switch (approximate) {
            case "none":
                return x.mul(0.5).mul(x.mul(Math.sqrt(0.5)).erf().add(1.0));
            case "tanh": {
                Tensor inner = x.add(x.mul(x).mul(x).mul(0.044715)).mul(Math.sqrt(2.0 / Math.PI));
                return x.mul(0.5).mul(inner.tanh().add(1.0));
            }
            default:
                throw new IllegalArgumentException("approximate argument must be either none or tanh.");
        }
    }

    public static Tensor sigmoid(Tensor x) { return x.sigmoid(); }

    public static Tensor tanh(Tensor x) { return x.tanh(); }

    public static Tensor softmax(Tensor x, int dim) { return x.softmax(dim); }

    public static Tensor logSoftmax(Tensor x, int dim) { return x.logSoftmax(dim); }

    // =========================================================================================== linear and convolution

    /** {@code x·wᵀ}. */
    public static Tensor linear(Tensor x, Tensor weight) { return linear(x, weight, null); }

    /** {@code x·wᵀ + b}; x is {@code [..., in]}, w {@code [out, in]}, b {@code [out]} or null. */
    public static Tensor linear(Tensor x, Tensor weight, Tensor bias) {
        Tensor y = x.matmul(weight.t());
        return bias == null ? y : y.add(bias);
    }

    public static Tensor conv1d(Tensor x, Tensor weight) { return conv1d(x, weight, null, 1, 0, 1, 1); }

    public static Tensor conv1d(Tensor x, Tensor weight, Tensor bias) { return conv1d(x, weight, bias, 1, 0, 1, 1); }

    /** 1-d convolution of {@code [N, C, L]} (or unbatched {@code [C, L]}) with a {@code [out, C/groups, k]} weight. */
    public static Tensor conv1d(Tensor x, Tensor weight, Tensor bias, int stride, int padding, int dilation, int groups) {
        if (x.dim() != 2 && x.dim() != 3) {
            throw new IllegalArgumentException("Expected 2D (unbatched) or 3D (batched) input to conv1d, but got input of size: " + Arrays.toString(x.shape()));
        }
        if (weight.dim() != 3) throw new IllegalArgumentException("conv1d expects a 3-d weight [out, in/groups, k], got " + Arrays.toString(weight.shape()));
        Tensor y = conv2d(x.unsqueeze(-2), weight.unsqueeze(2), bias, new int[] {1, stride}, new int[] {0, padding}, new int[] {1, dilation}, groups);
        return y.squeeze(-2);
    }

    public static Tensor conv2d(Tensor x, Tensor weight) { return conv2d(x, weight, null, 1, 0, 1, 1); }

    public static Tensor conv2d(Tensor x, Tensor weight, Tensor bias) { return conv2d(x, weight, bias, 1, 0, 1, 1); }

    public static Tensor conv2d(Tensor x, Tensor weight, Tensor bias, int stride, int padding) {
        return conv2d(x, weight, bias, stride, padding, 1, 1);
    }

    public static Tensor conv2d(Tensor x, Tensor weight, Tensor bias, int stride, int padding, int dilation, int groups) {
        return conv2d(x, weight, bias, pair(stride), pair(padding), pair(dilation), groups);
    }

    /**
     * 2-d convolution (cross-correlation, as PyTorch) of {@code [N, C, H, W]} (or unbatched {@code [C, H, W]}) with a
     * {@code [out, C/groups, kh, kw]} weight: im2col (the kernel's sliding windows) and one matmul, batched over samples and groups.
     */
    public static Tensor conv2d(Tensor x, Tensor weight, Tensor bias, int[] stride, int[] padding, int[] dilation, int groups) {
        boolean unbatched = x.dim() == 3;
        if (x.dim() != 3 && x.dim() != 4) {
            throw new IllegalArgumentException("Expected 3D (unbatched) or 4D (batched) input to conv2d, but got input of size: " + Arrays.toString(x.shape()));
        }
        if (weight.dim() != 4) throw new IllegalArgumentException("conv2d expects a 4-d weight [out, in/groups, kh, kw], got " + Arrays.toString(weight.shape()));
        if (groups <= 0) throw new IllegalArgumentException("non-positive groups is not supported");
        checkPositive(stride, "stride");
        checkPositive(dilation, "dilation");
        for (int p : padding) if (p < 0) throw new IllegalArgumentException("negative padding is not supported");
        if (unbatched) x = x.unsqueeze(0);
        long n = x.size(0), c = x.size(1), h = x.size(2), w = x.size(3);
        long out = weight.size(0), cPerGroup = weight.size(1);
        int kh = (int) weight.size(2), kw = (int) weight.size(3);
        if (c != cPerGroup * groups) {
            throw new IllegalArgumentException("Given groups=" + groups + ", weight of size " + Arrays.toString(weight.shape()) + ", expected input"
                    + Arrays.toString(x.shape()) + " to have " + cPerGroup * groups + " channels, but got " + c + " channels instead");
        }
        if (out % groups != 0) throw new IllegalArgumentException("Given groups=" + groups + ", expected weight to be divisible by " + groups
                + " at dimension 0, but got weight of size " + Arrays.toString(weight.shape()) + " instead");
        if (bias != null && (bias.dim() != 1 || bias.size(0) != out)) {
            throw new IllegalArgumentException("Given weight of size " + Arrays.toString(weight.shape()) + ", expected bias to be 1-dimensional with "
                    + out + " elements, but got bias of size " + Arrays.toString(bias.shape()) + " instead");
        }
        long hp = h + 2L * padding[0], wp = w + 2L * padding[1];
        long ekh = (long) dilation[0] * (kh - 1) + 1, ekw = (long) dilation[1] * (kw - 1) + 1;
        if (hp < ekh || wp < ekw) {
            throw new IllegalArgumentException("Calculated padded input size per channel: (" + hp + " x " + wp + "). Kernel size: (" + ekh + " x " + ekw
                    + "). Kernel size can't be greater than actual input size");
        }
        Window2d win = new Window2d(kh, kw, stride[0], stride[1], padding[0], padding[1], dilation[0], dilation[1],
                Window2d.outputSize(h, kh, stride[0], padding[0], dilation[0]), Window2d.outputSize(w, kw, stride[1], padding[1], dilation[1]));
        long k = cPerGroup * kh * kw, l = (long) win.oh() * win.ow();
        // im2col [N, C*kh*kw, oh*ow], then one product per sample (and group) with the weight as a [out, C/groups*kh*kw] matrix
        Tensor cols = Ops.im2col(x, win);
        Tensor y;
        if (groups == 1) {
            // im2col lays its columns out [k, N, L]: one product covers the whole batch, in both passes
            y = weight.reshape(out, k).mm(cols.transpose(0, 1).reshape(k, n * l)).view(out, n, win.oh(), win.ow()).transpose(0, 1);
        } else {
            y = weight.reshape(groups, out / groups, k).matmul(cols.reshape(n, groups, k, l)).reshape(n, out, win.oh(), win.ow());
        }
        if (bias != null) y = y.add(bias.view(1, out, 1, 1));
        return unbatched ? y.squeeze(0) : y;
    }

    /**
     * PyTorch's {@code F.unfold}: the sliding blocks of {@code [N, C, H, W]} (or unbatched {@code [C, H, W]}) as columns
     * {@code [N, C*kh*kw, L]}, zero padding included.
     */
    public static Tensor unfold(Tensor x, int[] kernelSize, int[] dilation, int[] padding, int[] stride) {
        boolean unbatched = x.dim() == 3;
        if (x.dim() != 3 && x.dim() != 4) {
            throw new IllegalArgumentException("Input Error: Only 3D or 4D input Tensors are supported (got " + x.dim() + "D)");
        }
        Tensor x4 = unbatched ? x.unsqueeze(0) : x;
        Window2d win = window(kernelSize, dilation, padding, stride, x4.size(2), x4.size(3), "unfold");
        // im2col lays columns out for convolution ([k, N, L] in memory); PyTorch's unfold returns a contiguous tensor,
        // which callers may view freely
        Tensor cols = Ops.im2col(x4, win).contiguous();
        return unbatched ? cols.squeeze(0) : cols;
    }

    public static Tensor unfold(Tensor x, int kernelSize, int dilation, int padding, int stride) {
        return unfold(x, pair(kernelSize), pair(dilation), pair(padding), pair(stride));
    }

    /**
     * PyTorch's {@code F.fold}, the adjoint of {@link #unfold}: columns {@code [N, C*kh*kw, L]} (or {@code [C*kh*kw, L]})
     * summed back into {@code [N, C, outH, outW]}; overlapping blocks add up.
     */
    public static Tensor fold(Tensor cols, int[] outputSize, int[] kernelSize, int[] dilation, int[] padding, int[] stride) {
        boolean unbatched = cols.dim() == 2;
        if (cols.dim() != 2 && cols.dim() != 3) {
            throw new IllegalArgumentException("Input Error: Only unbatched (2D) or batched (3D) input Tensors are supported (got " + cols.dim() + "D)");
        }
        Tensor c3 = unbatched ? cols.unsqueeze(0) : cols;
        Window2d win = window(kernelSize, dilation, padding, stride, outputSize[0], outputSize[1], "fold");
        long blocks = (long) kernelSize[0] * kernelSize[1];
        if (c3.size(1) % blocks != 0) {
            throw new IllegalArgumentException("Expected size of input's dimension 1 to be divisible by the product of kernel_size, but got input.size(1)="
                    + c3.size(1) + " and kernel_size=" + Arrays.toString(kernelSize));
        }
        if (c3.size(2) != (long) win.oh() * win.ow()) {
            throw new IllegalArgumentException("Given output_size=" + Arrays.toString(outputSize) + ", kernel_size=" + Arrays.toString(kernelSize)
                    + ", dilation=" + Arrays.toString(dilation) + ", padding=" + Arrays.toString(padding) + ", stride=" + Arrays.toString(stride)
                    + ", expected size of input's dimension 2 to match the calculated number of sliding blocks " + win.oh() + " * " + win.ow()
                    + " = " + (long) win.oh() * win.ow() + ", but got input.size(2)=" + c3.size(2) + ".");
        }
        Tensor y = Ops.col2im(c3, win, outputSize[0], outputSize[1]);
        return unbatched ? y.squeeze(0) : y;
    }

    private static Window2d window(int[] k, int[] d, int[] p, int[] s, long h, long w, String op) {
        checkPositive(k, "kernel size");
        checkPositive(d, "dilation");
        checkPositive(s, "stride");
        for (int v : p) if (v < 0) throw new IllegalArgumentException(op + ": padding should be non-negative, got " + Arrays.toString(p));
        int oh = Window2d.outputSize(h, k[0], s[0], p[0], d[0]), ow = Window2d.outputSize(w, k[1], s[1], p[1], d[1]);
        if (oh < 1 || ow < 1) {
            throw new IllegalArgumentException("Given input with spatial size (" + h + ", " + w + "), kernel_size=" + Arrays.toString(k) + ", dilation="
                    + Arrays.toString(d) + ", padding=" + Arrays.toString(p) + ", calculated shape of the array of sliding blocks as (" + oh + ", " + ow
                    + "), but its components must be at least one.");
        }
        return new Window2d(k[0], k[1], s[0], s[1], p[0], p[1], d[0], d[1], oh, ow);
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

    // =========================================================================================== pooling

    public static Tensor maxPool2d(Tensor x, int kernelSize) { return maxPool2d(x, kernelSize, kernelSize, 0); }

    public static Tensor maxPool2d(Tensor x, int kernelSize, int stride, int padding) {
        return maxPool2d(x, pair(kernelSize), pair(stride), pair(padding), pair(1), false);
    }

    /** Max pooling of {@code [N, C, H, W]} or {@code [C, H, W]}; padding counts as -inf; {@code ceilMode} as PyTorch's. */
    public static Tensor maxPool2d(Tensor x, int[] kernelSize, int[] stride, int[] padding, int[] dilation, boolean ceilMode) {
        Pool p = new Pool("max_pool2d", x, kernelSize, stride, padding, dilation, ceilMode);
        Window2d win = new Window2d(kernelSize[0], kernelSize[1], stride[0], stride[1], padding[0], padding[1], dilation[0], dilation[1],
                (int) p.oh, (int) p.ow);
        Tensor y = Ops.maxPool2d(p.unbatched ? x.unsqueeze(0) : x, win).values();
        return p.unbatched ? y.squeeze(0) : y;
    }

    public static Tensor avgPool2d(Tensor x, int kernelSize) { return avgPool2d(x, kernelSize, kernelSize, 0); }

    public static Tensor avgPool2d(Tensor x, int kernelSize, int stride, int padding) {
        return avgPool2d(x, pair(kernelSize), pair(stride), pair(padding), false, true, null);
    }

    /**
     * Average pooling as PyTorch's {@code avg_pool2d}: zero padding counts towards the divisor when
     * {@code countIncludePad} (windows reaching past the padding in {@code ceilMode} are clipped), a non-null
     * {@code divisorOverride} replaces the divisor.
     */
    public static Tensor avgPool2d(Tensor x, int[] kernelSize, int[] stride, int[] padding, boolean ceilMode, boolean countIncludePad,
                                   Integer divisorOverride) {
        Pool p = new Pool("avg_pool2d", x, kernelSize, stride, padding, pair(1), ceilMode);
        Tensor xp = p.padded(x, 0.0);
        Tensor sums = windows(xp, kernelSize[0], kernelSize[1], stride, pair(1), p.oh, p.ow).sum(new int[] {4, 5}, false);
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
            checkPositive(k, "kernel size");
            checkPositive(s, "stride");
            checkPositive(d, "dilation");
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

    public static Tensor adaptiveAvgPool2d(Tensor x, int outputSize) { return adaptiveAvgPool2d(x, pair(outputSize)); }

    /**
     * Adaptive average pooling: output cell {@code (i, j)} averages rows {@code [floor(i·H/oh), ceil((i+1)·H/oh))} and
     * the same for columns, computed as {@code Sh · x · Swᵀ} with 0/1 window matrices, divided by the window sizes.
     */
    public static Tensor adaptiveAvgPool2d(Tensor x, int[] outputSize) {
        if (x.dim() != 3 && x.dim() != 4) {
            throw new IllegalArgumentException("adaptive_avg_pool2d(): Expected 3D or 4D tensor, but got " + Arrays.toString(x.shape()));
        }
        checkPositive(outputSize, "output size");
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

    // =========================================================================================== dropout and normalisation

    /** Zeroes each element with probability {@code p} and scales the rest by {@code 1/(1-p)} when {@code training}. */
    public static Tensor dropout(Tensor x, double p, boolean training) { return dropout(x, p, training, null); }

    /** {@link #dropout(Tensor, double, boolean)} drawing from {@code generator} (null: the default generator). */
    public static Tensor dropout(Tensor x, double p, boolean training, Generator generator) {
        if (p < 0 || p > 1) throw new IllegalArgumentException("dropout probability has to be between 0 and 1, but got " + Py.repr(p));
        if (!training || p == 0) return x;
        if (p == 1) return x.mul(Torch.zerosLike(x));
        Tensor noise;
        try (GradMode ignored = Torch.noGrad()) {
            noise = Torch.emptyLike(x).bernoulli_(1 - p, generator).div_(1 - p);
        }
        return x.mul(noise);
    }

    /**
     * Batch normalisation over all dimensions but 1 (channels), as PyTorch's {@code batch_norm}: in training, batch
     * statistics (biased variance), and the running statistics (when given) updated in place with {@code momentum}
     * and the unbiased variance; otherwise the running statistics.
     */
    public static Tensor batchNorm(Tensor x, Tensor runningMean, Tensor runningVar, Tensor weight, Tensor bias, boolean training,
                                   double momentum, double eps) {
        if (x.dim() < 2) throw new IllegalArgumentException("batch_norm expects an input of at least 2 dimensions [N, C, ...], got " + Arrays.toString(x.shape()));
        long c = x.size(1);
        long[] channelShape = new long[x.dim()];
        Arrays.fill(channelShape, 1);
        channelShape[1] = c;
        Tensor y;
        if (training) {
            long n = x.numel() / c;
            if (n == 1) throw new IllegalArgumentException("Expected more than 1 value per channel when training, got input size " + Py.size(x.shape()));
            int[] dims = new int[x.dim() - 1];
            dims[0] = 0;
            for (int d = 2; d < x.dim(); d++) dims[d - 1] = d;
            Tensor mean = x.mean(dims, true);
            Tensor centered = x.sub(mean);
            Tensor var = centered.square().mean(dims, true);
            y = centered.mul(var.add(eps).rsqrt());
            if (runningMean != null || runningVar != null) {
                try (GradMode ignored = Torch.noGrad()) {
                    if (runningMean != null) runningMean.copy_(mean.detach().view(c).mul(momentum).add(runningMean.mul(1 - momentum)));
                    if (runningVar != null) {
                        runningVar.copy_(var.detach().view(c).mul((double) n / (n - 1)).mul(momentum).add(runningVar.mul(1 - momentum)));
                    }
                }
            }
        } else {
            if (runningMean == null || runningVar == null) throw new IllegalArgumentException("batch_norm in evaluation needs running_mean and running_var");
            y = x.sub(runningMean.view(channelShape)).mul(runningVar.add(eps).rsqrt().view(channelShape));
        }
        if (weight != null) y = y.mul(weight.view(channelShape));
        if (bias != null) y = y.add(bias.view(channelShape));
        return y;
    }

    /** Batch normalisation with running statistics (PyTorch's default {@code training=False}), no affine part. */
    public static Tensor batchNorm(Tensor x, Tensor runningMean, Tensor runningVar) {
        return batchNorm(x, runningMean, runningVar, null, null, false, 0.1, 1e-5);
    }

    public static Tensor layerNorm(Tensor x, long[] normalizedShape) { return layerNorm(x, normalizedShape, null, null, 1e-5); }

    /** Normalises over the last {@code normalizedShape.length} dimensions (biased variance), then scales and shifts. */
    public static Tensor layerNorm(Tensor x, long[] normalizedShape, Tensor weight, Tensor bias, double eps) {
        int k = normalizedShape.length;
        long[] shape = x.shape();
        boolean ok = k >= 1 && shape.length >= k;
        for (int i = 0; ok && i < k; i++) ok = shape[shape.length - k + i] == normalizedShape[i];
        if (!ok) {
            throw new IllegalArgumentException("Given normalized_shape=" + Arrays.toString(normalizedShape) + ", expected input with shape [*, "
                    + Arrays.toString(normalizedShape).replaceAll("[\\[\\]]", "") + "], but got input of size" + Arrays.toString(shape));
        }
        int[] dims = new int[k];
        for (int i = 0; i < k; i++) dims[i] = x.dim() - k + i;
        Tensor centered = x.sub(x.mean(dims, true));
        Tensor y = centered.mul(centered.square().mean(dims, true).add(eps).rsqrt());
        if (weight != null) y = y.mul(weight);
        if (bias != null) y = y.add(bias);
        return y;
    }

    // =========================================================================================== embedding and padding

    /** Rows of {@code weight} for INT64/INT32 indices of any shape: {@code [*, dim]}. */
    public static Tensor embedding(Tensor input, Tensor weight) { return embedding(input, weight, null); }

    /** As {@link #embedding(Tensor, Tensor)}; the row {@code paddingIdx} (negative: from the end) receives no gradient. */
    public static Tensor embedding(Tensor input, Tensor weight, long paddingIdx) { return embedding(input, weight, Long.valueOf(paddingIdx)); }

    private static Tensor embedding(Tensor input, Tensor weight, Long paddingIdx) {
        if (input.dtype() != DType.INT64 && input.dtype() != DType.INT32) {
            throw new IllegalArgumentException("Expected tensor for argument #1 'indices' to have one of the following scalar types: Long, Int; but got "
                    + input.dtype().torchName() + " instead (while checking arguments for embedding)");
        }
        if (weight.dim() != 2) throw new IllegalArgumentException("'weight' must be 2-D");
        long[] outShape = Arrays.copyOf(input.shape(), input.dim() + 1);
        outShape[input.dim()] = weight.size(1);
        Tensor rows = weight.indexSelect(0, input.reshape(-1).toLong()).view(outShape);
        if (paddingIdx == null) return rows;
        // The forward value stays weight[paddingIdx]; its gradient is cut as PyTorch's embedding_backward does.
        long pad = paddingIdx < 0 ? paddingIdx + weight.size(0) : paddingIdx;
        return Torch.where(input.ne((double) pad).unsqueeze(-1), rows, rows.detach());
    }

    /** Constant zero padding; {@code pad} lists (before, after) pairs starting from the last dimension, as PyTorch's F.pad. */
    public static Tensor pad(Tensor x, long[] pad) { return pad(x, pad, "constant", 0.0); }

    public static Tensor pad(Tensor x, long[] pad, double value) { return pad(x, pad, "constant", value); }

    /** F.pad with {@code mode} "constant", "reflect", "replicate" or "circular". */
    public static Tensor pad(Tensor x, long[] pad, String mode, double value) {
        if (pad.length % 2 != 0) throw new IllegalArgumentException("Padding length must be divisible by 2");
        if (pad.length / 2 > x.dim()) throw new IllegalArgumentException("Padding length too large");
        switch (mode) {
            case "constant":
                return x.pad(pad, value);
            case "reflect": case "replicate": case "circular": {
                Tensor y = x;
                for (int i = 0; i < pad.length / 2; i++) y = indexPad(y, x.dim() - 1 - i, pad[2 * i], pad[2 * i + 1], mode);
                return y;
            }
            default:
                throw new IllegalArgumentException("Unrecognised padding mode " + mode);
        }
    }

    private static Tensor indexPad(Tensor x, int dim, long before, long after, String mode) {
        long n = x.size(dim);
        if (mode.equals("reflect") && (before >= n || after >= n)) {
            throw new IllegalArgumentException("Argument #4: Padding size should be less than the corresponding input dimension, but got: padding ("
                    + before + ", " + after + ") at dimension " + dim + " of input " + Arrays.toString(x.shape()));
        }
        if (mode.equals("circular") && (before > n || after > n)) {
            throw new IllegalArgumentException("Padding value causes wrapping around more than once.");
        }
        long[] idx = new long[(int) (n + before + after)];
        for (int o = 0; o < idx.length; o++) {
            long i = o - before;
            switch (mode) {
                case "reflect": idx[o] = i < 0 ? -i : (i >= n ? 2 * (n - 1) - i : i); break;
                case "replicate": idx[o] = Math.max(0, Math.min(n - 1, i)); break;
                default: idx[o] = Math.floorMod(i, n); break;
            }
        }
        return x.indexSelect(dim, Torch.tensor(idx).to(x.device()));
    }

    // =========================================================================================== losses

    private static Tensor reduce(Tensor loss, String reduction) {
        switch (reduction) {
            case "mean": return loss.mean();
            case "sum": return loss.sum();
            case "none": return loss;
            default: throw badReduction(reduction);
        }
    }

    private static IllegalArgumentException badReduction(String reduction) {
        return new IllegalArgumentException(reduction + " is not a valid value for reduction");
    }

    /** Checks a reduction name ("mean", "sum", "none"); returns it. */
    public static String checkReduction(String reduction) {
        if (!"mean".equals(reduction) && !"sum".equals(reduction) && !"none".equals(reduction)) throw badReduction(reduction);
        return reduction;
    }

    public static Tensor mseLoss(Tensor input, Tensor target) { return mseLoss(input, target, "mean"); }

    /** Squared error {@code (input - target)²}, reduced. */
    public static Tensor mseLoss(Tensor input, Tensor target, String reduction) { return reduce(input.sub(target).square(), reduction); }

    public static Tensor l1Loss(Tensor input, Tensor target) { return l1Loss(input, target, "mean"); }

    /** Absolute error {@code |input - target|}, reduced. */
    public static Tensor l1Loss(Tensor input, Tensor target, String reduction) { return reduce(input.sub(target).abs(), reduction); }

    public static Tensor smoothL1Loss(Tensor input, Tensor target) { return smoothL1Loss(input, target, "mean", 1.0); }

    /** {@code 0.5·d²/beta} where {@code |d| < beta}, else {@code |d| - 0.5·beta}; {@code beta = 0} is the L1 loss. */
    public static Tensor smoothL1Loss(Tensor input, Tensor target, String reduction, double beta) {
        if (beta < 0) throw new IllegalArgumentException("smooth_l1_loss does not support negative values for beta.");
        Tensor d = input.sub(target).abs();
        if (beta == 0) return reduce(d, reduction);
        return reduce(Torch.where(d.lt(beta), d.square().mul(0.5 / beta), d.sub(0.5 * beta)), reduction);
    }

    public static Tensor huberLoss(Tensor input, Tensor target) { return huberLoss(input, target, "mean", 1.0); }

    /** {@code 0.5·d²} where {@code |d| < delta}, else {@code delta·(|d| - 0.5·delta)}. */
    public static Tensor huberLoss(Tensor input, Tensor target, String reduction, double delta) {
        if (delta <= 0) throw new IllegalArgumentException("huber_loss does not support non-positive values for delta.");
        Tensor d = input.sub(target).abs();
        return reduce(Torch.where(d.lt(delta), d.square().mul(0.5), d.sub(0.5 * delta).mul(delta)), reduction);
    }

    public static Tensor nllLoss(Tensor input, Tensor target) { return nllLoss(input, target, null, -100, "mean"); }

    /**
     * Negative log likelihood of {@code input} log-probabilities ({@code [N, C]}, {@code [N, C, d1, ...]} or {@code [C]})
     * at the INT64 class indices {@code target} ({@code [N]}, {@code [N, d1, ...]} or 0-dim). Targets equal to
     * {@code ignoreIndex} contribute nothing; {@code weight} ({@code [C]}) weighs each class; "mean" divides by the total
     * weight of the counted targets.
     */
    public static Tensor nllLoss(Tensor input, Tensor target, Tensor weight, long ignoreIndex, String reduction) {
        checkReduction(reduction);
        int classDim = input.dim() == 1 ? 0 : 1;
        long classes = input.size(classDim);
        checkClassTarget(input, target, classDim, "nll_loss");
        if (weight != null && (weight.dim() != 1 || weight.size(0) != classes)) {
            throw new IllegalArgumentException("weight tensor should be defined either for all " + classes + " classes or no classes but got weight tensor of shape: "
                    + Arrays.toString(weight.shape()));
        }
        Tensor ignored = target.eq((double) ignoreIndex);
        Tensor safe = target.maskedFill(ignored, 0.0);
        Tensor outOfRange = safe.lt(0.0).logicalOr(safe.ge((double) classes));
        if (outOfRange.any().item() != 0) {
            throw new IllegalArgumentException("Target " + safe.maskedSelect(outOfRange).get(0).itemLong() + " is out of bounds.");
        }
        Tensor picked = input.gather(classDim, safe.unsqueeze(classDim)).squeeze(classDim);
        Tensor w = weight == null ? Torch.onesLike(picked) : weight.indexSelect(0, safe.reshape(-1)).view(target.shape());
        w = w.maskedFill(ignored, 0.0);
        Tensor loss = picked.mul(w).neg();
        switch (reduction) {
            case "none": return loss;
            case "sum": return loss.sum();
            default: return loss.sum().div(w.sum());
        }
    }

    private static void checkClassTarget(Tensor input, Tensor target, int classDim, String op) {
        if (target.dtype() != DType.INT64) {
            throw new IllegalArgumentException(op + ": expected target of class indices with dtype torch.int64 (Long), but got " + target.dtype().torchName());
        }
        long[] expected = new long[input.dim() - 1];
        for (int d = 0, j = 0; d < input.dim(); d++) if (d != classDim) expected[j++] = input.size(d);
        if (input.dim() == 1 ? target.dim() != 0 : !Arrays.equals(expected, target.shape())) {
            throw new IllegalArgumentException(op + ": expected target of size " + Arrays.toString(expected) + " for input of size "
                    + Arrays.toString(input.shape()) + ", got " + Arrays.toString(target.shape()));
        }
    }

    public static Tensor crossEntropy(Tensor input, Tensor target) { return crossEntropy(input, target, null, -100, "mean", 0.0); }

    /**
     * Cross entropy of unnormalised scores {@code input} ({@code [N, C]}, {@code [N, C, d1, ...]} or {@code [C]}) with
     * either INT64 class indices or class probabilities of input's shape, as PyTorch's {@code cross_entropy}:
     * {@code log_softmax} then NLL, with class {@code weight}, {@code ignoreIndex} (indices only) and
     * {@code labelSmoothing} mixing in the uniform distribution.
     */
    public static Tensor crossEntropy(Tensor input, Tensor target, Tensor weight, long ignoreIndex, String reduction, double labelSmoothing) {
        checkReduction(reduction);
        if (labelSmoothing < 0 || labelSmoothing > 1) {
            throw new IllegalArgumentException("label_smoothing must be between 0.0 and 1.0. Got: " + Py.repr(labelSmoothing));
        }
        int classDim = input.dim() == 1 ? 0 : 1;
        long classes = input.size(classDim);
        Tensor logp = input.logSoftmax(classDim);
        Tensor weightView = null;
        if (weight != null) {
            long[] shape = new long[input.dim()];
            Arrays.fill(shape, 1);
            shape[classDim] = classes;
            weightView = weight.view(shape);
        }
        if (Arrays.equals(input.shape(), target.shape())) {
            if (!target.dtype().isFloatingPoint()) throw new IllegalArgumentException("Expected floating point type for target with class probabilities, got "
                    + target.dtype().torchName());
            if (ignoreIndex >= 0) throw new IllegalArgumentException("ignore_index is not supported for floating point target");
            Tensor t = labelSmoothing > 0 ? target.mul(1 - labelSmoothing).add(labelSmoothing / classes) : target;
            Tensor prod = logp.mul(t);
            if (weightView != null) prod = prod.mul(weightView);
            switch (reduction) {
                case "none": return prod.sum(classDim).neg();
                case "sum": return prod.sum().neg();
                default: return prod.sum().neg().div((double) (input.numel() / classes));
            }
        }
        Tensor nll = nllLoss(logp, target, weight, ignoreIndex, reduction);
        if (labelSmoothing == 0) return nll;
        Tensor ignored = target.eq((double) ignoreIndex);
        Tensor smooth = (weightView == null ? logp : logp.mul(weightView)).sum(classDim).neg().maskedFill(ignored, 0.0);
        Tensor ret;
        switch (reduction) {
            case "none":
                ret = smooth;
                break;
            case "sum":
                ret = smooth.sum();
                break;
            default:
                if (weight != null) {
                    Tensor safe = target.maskedFill(ignored, 0.0);
                    ret = smooth.sum().div(weight.indexSelect(0, safe.reshape(-1)).view(target.shape()).maskedFill(ignored, 0.0).sum());
                } else {
                    ret = smooth.sum().div(ignored.logicalNot().sum().to(input.dtype()));
                }
        }
        return nll.mul(1 - labelSmoothing).add(ret.mul(labelSmoothing / classes));
    }

    public static Tensor binaryCrossEntropy(Tensor input, Tensor target) { return binaryCrossEntropy(input, target, null, "mean"); }

    /** {@code -w·(y·log x + (1-y)·log(1-x))} for probabilities {@code x}, with the logarithms clamped at -100 as PyTorch. */
    public static Tensor binaryCrossEntropy(Tensor input, Tensor target, Tensor weight, String reduction) {
        checkReduction(reduction);
        if (!Arrays.equals(input.shape(), target.shape())) {
            throw new IllegalArgumentException("Using a target size (" + Py.size(target.shape()) + ") that is different to the input size ("
                    + Py.size(input.shape()) + ") is deprecated. Please ensure they have the same size.");
        }
        if (input.lt(0.0).logicalOr(input.gt(1.0)).any().item() != 0) {
            throw new IllegalArgumentException("all elements of input should be between 0 and 1");
        }
        Tensor logX = input.log().clampMin(-100);
        Tensor log1mX = input.neg().log1p().clampMin(-100);
        Tensor loss = target.sub(1.0).mul(log1mX).sub(target.mul(logX));
        if (weight != null) loss = loss.mul(weight);
        return reduce(loss, reduction);
    }

    public static Tensor binaryCrossEntropyWithLogits(Tensor input, Tensor target) {
        return binaryCrossEntropyWithLogits(input, target, null, "mean", null);
    }

    /**
     * Sigmoid + binary cross entropy in one numerically stable expression (PyTorch's form with
     * {@code max(-x, 0)}), with {@code posWeight} weighting the positive term per class.
     */
    public static Tensor binaryCrossEntropyWithLogits(Tensor input, Tensor target, Tensor weight, String reduction, Tensor posWeight) {
        checkReduction(reduction);
        if (!Arrays.equals(input.shape(), target.shape())) {
            throw new IllegalArgumentException("Target size (" + Py.size(target.shape()) + ") must be the same as input size (" + Py.size(input.shape()) + ")");
        }
        Tensor maxVal = input.neg().clampMin(0);
        // log(1 + exp(-x)) = log(exp(-m) + exp(-x - m)) + m
        Tensor softplusNeg = maxVal.neg().exp().add(input.neg().sub(maxVal).exp()).log().add(maxVal);
        Tensor oneMinusT = target.neg().add(1.0);
        Tensor loss;
        if (posWeight != null) {
            Tensor logWeight = posWeight.sub(1.0).mul(target).add(1.0);
            loss = oneMinusT.mul(input).add(logWeight.mul(softplusNeg));
        } else {
            loss = oneMinusT.mul(input).add(softplusNeg);
        }
        if (weight != null) loss = loss.mul(weight);
        return reduce(loss, reduction);
    }

    public static Tensor klDiv(Tensor input, Tensor target) { return klDiv(input, target, "mean", false); }

    /**
     * Kullback-Leibler divergence of log-probabilities {@code input} from {@code target} (probabilities, or
     * log-probabilities with {@code logTarget}); reduction may also be "batchmean" (sum divided by the batch size).
     */
    public static Tensor klDiv(Tensor input, Tensor target, String reduction, boolean logTarget) {
        Tensor out;
        if (logTarget) {
            out = target.exp().mul(target.sub(input));
        } else {
            Tensor positive = target.gt(0.0);
            Tensor xlogx = Torch.where(positive, target.mul(Torch.where(positive, target, Torch.onesLike(target)).log()), Torch.zerosLike(target));
            out = xlogx.sub(target.mul(input));
        }
        if ("batchmean".equals(reduction)) return input.dim() == 0 ? out.sum() : out.sum().div((double) input.size(0));
        return reduce(out, reduction);
    }

    /** {@code ‖x1 - x2 + eps‖_p} over the last dimension. */
    public static Tensor pairwiseDistance(Tensor x1, Tensor x2, double p, double eps) {
        int dim = Math.max(x1.dim(), x2.dim()) - 1;
        return x1.sub(x2).add(eps).norm(p, dim, false);
    }

    public static Tensor tripletMarginLoss(Tensor anchor, Tensor positive, Tensor negative) {
        return tripletMarginLoss(anchor, positive, negative, 1.0, 2.0, 1e-6, false, "mean");
    }

    /** {@code max(d(a,p) - d(a,n) + margin, 0)} with the pairwise p-norm distance; {@code swap} uses min(d(a,n), d(p,n)). */
    public static Tensor tripletMarginLoss(Tensor anchor, Tensor positive, Tensor negative, double margin, double p, double eps, boolean swap,
                                           String reduction) {
        checkReduction(reduction);
        if (anchor.dim() != positive.dim() || anchor.dim() != negative.dim()) {
            throw new IllegalArgumentException("The anchor, positive, and negative tensors are expected to have the same number of dimensions, but got: anchor "
                    + anchor.dim() + "D, positive " + positive.dim() + "D, and negative " + negative.dim() + "D inputs");
        }
        Tensor dPos = pairwiseDistance(anchor, positive, p, eps);
        Tensor dNeg = pairwiseDistance(anchor, negative, p, eps);
        if (swap) dNeg = dNeg.minimum(pairwiseDistance(positive, negative, p, eps));
        return reduce(dPos.sub(dNeg).add(margin).clampMin(0), reduction);
    }

    public static Tensor cosineEmbeddingLoss(Tensor x1, Tensor x2, Tensor target) { return cosineEmbeddingLoss(x1, x2, target, 0.0, "mean"); }

    /** {@code 1 - cos(x1, x2)} where {@code target = 1}, {@code max(0, cos(x1, x2) - margin)} where {@code target = -1}. */
    public static Tensor cosineEmbeddingLoss(Tensor x1, Tensor x2, Tensor target, double margin, String reduction) {
        checkReduction(reduction);
        int dim = target.dim();
        if (dim > 1) throw new IllegalArgumentException("0D or 1D target tensor expected, multi-target not supported");
        if (x1.dim() != dim + 1 || x2.dim() != dim + 1) {
            throw new IllegalArgumentException(dim + "D target tensor expects " + (dim + 1) + "D input tensors, but found inputs with sizes "
                    + Arrays.toString(x1.shape()) + " and " + Arrays.toString(x2.shape()) + ".");
        }
        final double epsilon = 1e-12;
        Tensor prodSum = x1.mul(x2).sum(dim);
        Tensor mag1 = x1.mul(x1).sum(dim).add(epsilon);
        Tensor mag2 = x2.mul(x2).sum(dim).add(epsilon);
        Tensor cos = prodSum.div(mag1.mul(mag2).sqrt());
        Tensor zeros = Torch.zerosLike(cos);
        Tensor pos = cos.neg().add(1.0);
        Tensor neg = cos.sub(margin).clampMin(0);
        Tensor out = Torch.where(target.eq(1.0), pos, zeros).add(Torch.where(target.eq(-1.0), neg, zeros));
        return reduce(out, reduction);
    }

    // =========================================================================================== helpers

    private static int[] pair(int v) { return new int[] {v, v}; }

    private static void checkPositive(int[] values, String what) {
        for (int v : values) if (v <= 0) throw new IllegalArgumentException(what + " should be greater than zero, but got " + Arrays.toString(values));
    }
}
