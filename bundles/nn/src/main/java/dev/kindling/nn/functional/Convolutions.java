package dev.kindling.nn.functional;

import dev.kindling.api.Tensor;
import dev.kindling.kernel.ops.Ops;
import dev.kindling.kernel.spi.Window2d;

import java.util.Arrays;

/** {@link F}'s linear map, convolutions and sliding blocks (unfold/fold), the latter on the kernel's im2col and col2im. */
final class Convolutions {
    private Convolutions() {}

    static Tensor linear(Tensor x, Tensor weight, Tensor bias) {
        // As at::linear: one fused addmm for a batch of rows (and for contiguous 3-d input, viewed as rows), so the
        // graph shows AddmmBackward0 / ViewBackward0 as PyTorch's does; otherwise a matmul and a bias add.
        if (bias != null && x.dim() == 2) return bias.addmm(x, weight.t());
        if (bias != null && x.dim() == 3 && x.isContiguous()) {
            long[] s = x.shape();
            return bias.addmm(x.view(-1, s[2]), weight.t()).view(s[0], s[1], weight.size(0));
        }
        Tensor y = x.matmul(weight.t());
        return bias == null ? y : y.add(bias);
    }

    static Tensor conv1d(Tensor x, Tensor weight, Tensor bias, int stride, int padding, int dilation, int groups) {
        if (x.dim() != 2 && x.dim() != 3) {
            throw new IllegalArgumentException("Expected 2D (unbatched) or 3D (batched) input to conv1d, but got input of size: " + Arrays.toString(x.shape()));
        }
        if (weight.dim() != 3) throw new IllegalArgumentException("conv1d expects a 3-d weight [out, in/groups, k], got " + Arrays.toString(weight.shape()));
        Tensor y = conv2d(x.unsqueeze(-2), weight.unsqueeze(2), bias, new int[] {1, stride}, new int[] {0, padding}, new int[] {1, dilation}, groups);
        return y.squeeze(-2);
    }

    static Tensor conv2d(Tensor x, Tensor weight, Tensor bias, int[] stride, int[] padding, int[] dilation, int groups) {
        boolean unbatched = x.dim() == 3;
        if (x.dim() != 3 && x.dim() != 4) {
            throw new IllegalArgumentException("Expected 3D (unbatched) or 4D (batched) input to conv2d, but got input of size: " + Arrays.toString(x.shape()));
        }
        if (weight.dim() != 4) throw new IllegalArgumentException("conv2d expects a 4-d weight [out, in/groups, kh, kw], got " + Arrays.toString(weight.shape()));
        if (groups <= 0) throw new IllegalArgumentException("non-positive groups is not supported");
        Args.checkPositive(stride, "stride");
        Args.checkPositive(dilation, "dilation");
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
        Tensor y;
        if (groups == 1) {
            // one op: im2col's columns (laid out [k, N, L]) times the weight in one product for the whole batch, written
            // as the contiguous [N, out, oh, ow] result with its bias added
            y = Ops.conv2dIm2col(x, weight, bias, win)[0];
        } else {
            // im2col [N, C*kh*kw, oh*ow], then one product per sample and group with the weight as [out/groups, C/groups*kh*kw]
            Tensor cols = Ops.im2col(x, win);
            y = weight.reshape(groups, out / groups, k).matmul(cols.reshape(n, groups, k, l)).reshape(n, out, win.oh(), win.ow());
            if (bias != null) y = y.add(bias.view(1, out, 1, 1));
        }
        return unbatched ? y.squeeze(0) : y;
    }

    static Tensor unfold(Tensor x, int[] kernelSize, int[] dilation, int[] padding, int[] stride) {
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

    static Tensor fold(Tensor cols, int[] outputSize, int[] kernelSize, int[] dilation, int[] padding, int[] stride) {
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
        Args.checkPositive(k, "kernel size");
        Args.checkPositive(d, "dilation");
        Args.checkPositive(s, "stride");
        for (int v : p) if (v < 0) throw new IllegalArgumentException(op + ": padding should be non-negative, got " + Arrays.toString(p));
        int oh = Window2d.outputSize(h, k[0], s[0], p[0], d[0]), ow = Window2d.outputSize(w, k[1], s[1], p[1], d[1]);
        if (oh < 1 || ow < 1) {
            throw new IllegalArgumentException("Given input with spatial size (" + h + ", " + w + "), kernel_size=" + Arrays.toString(k) + ", dilation="
                    + Arrays.toString(d) + ", padding=" + Arrays.toString(p) + ", calculated shape of the array of sliding blocks as (" + oh + ", " + ow
                    + "), but its components must be at least one.");
        }
        return new Window2d(k[0], k[1], s[0], s[1], p[0], p[1], d[0], d[1], oh, ow);
    }
}
