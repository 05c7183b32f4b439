package dev.kindling.onnx.internal.load.ops;

import dev.kindling.api.DType;
import dev.kindling.api.Tensor;
import dev.kindling.api.Torch;
import dev.kindling.nn.functional.F;
import dev.kindling.onnx.internal.load.OpContext;
import dev.kindling.onnx.internal.load.OpTable;

import java.util.Arrays;

import static dev.kindling.onnx.internal.load.ops.Util.one;

/**
 * Convolution, pooling, normalisation and dropout. 2-D convolutions run as Kindling's {@code conv2d} functional (one
 * im2col + matmul); other ranks, and pooling of any rank, take windows with {@code Tensor.unfold} per spatial axis, so
 * 1-D and 3-D work and autograd sees ordinary view/reduce ops.
 */
public final class NnOps {
    private NnOps() {}

    public static void register(OpTable t) {
        t.put("Conv", NnOps::conv);
        t.put("ConvTranspose", NnOps::convTranspose);
        t.put("DeformConv", NnOps::deformConv);
        t.put("MaxPool", NnOps::maxPool);
        t.put("AveragePool", NnOps::avgPool);
        t.put("MaxUnpool", NnOps::maxUnpool);
        t.put("LpPool", NnOps::lpPool);
        t.put("GlobalAveragePool", c -> one(c.in(0).mean(spatial(c.in(0)), true)));
        t.put("GlobalMaxPool", c -> one(c.in(0).amax(spatial(c.in(0)), true)));
        t.put("GlobalLpPool", c -> {
            double p = c.i("p", 2);
            return one(c.in(0).abs().pow(p).sum(spatial(c.in(0)), true).pow(1 / p));
        });
        t.put("BatchNormalization", NnOps::batchNorm);
        t.put("LayerNormalization", NnOps::layerNorm);
        t.put("InstanceNormalization", c -> {
            Tensor x = c.in(0);
            int[] dims = spatial(x);
            Tensor mean = x.mean(dims, true);
            Tensor var = x.sub(mean).square().mean(dims, true);
            Tensor y = x.sub(mean).div(var.add((double) c.f("epsilon", 1e-5f)).sqrt());
            return one(y.mul(channel(c.in(1), x)).add(channel(c.in(2), x)));
        });
        t.put("GroupNormalization", NnOps::groupNorm);
        t.put("LRN", NnOps::lrn);
        t.put("MeanVarianceNormalization", c -> {
            Tensor x = c.in(0);
            long[] ax = c.ints("axes");
            int[] dims = Util.axes(c, ax == null ? new long[] {0, 2, 3} : ax, x.dim());
            Tensor mean = x.mean(dims, true);
            Tensor var = x.square().mean(dims, true).sub(mean.square());
            return one(x.sub(mean).div(var.sqrt().add(1e-9)));
        });
        t.put("Dropout", NnOps::dropout);
        t.put("RMSNormalization", c -> {
            Tensor x = c.in(0);
            int axis = c.axis(c.i("axis", -1), x.dim());
            int[] dims = new int[x.dim() - axis];
            for (int i = 0; i < dims.length; i++) dims[i] = axis + i;
            Tensor xs = c.i("stash_type", 1) == 1 && x.dtype() != DType.FLOAT64 ? x.toFloat() : x;
            Tensor inv = xs.square().mean(dims, true).add((double) c.f("epsilon", 1e-5f)).rsqrt();
            return one(xs.mul(inv).to(x.dtype()).mul(c.in(1)));
        });
        t.put("LpNormalization", c -> {
            Tensor x = c.in(0);
            int axis = c.axis(c.i("axis", -1), x.dim());
            long p = c.i("p", 2);
            if (p != 1 && p != 2) throw c.error("p must be 1 or 2, got " + p);
            Tensor norm = p == 1 ? x.abs().sum(new int[] {axis}, true) : x.square().sum(new int[] {axis}, true).sqrt();
            return one(x.div(norm.where(norm.ne(0.0), 1.0))); // an all-zero slice stays zero instead of 0/0
        });
        t.put("Col2Im", NnOps::col2im);
    }

    private static int[] spatial(Tensor x) {
        int[] d = new int[x.dim() - 2];
        for (int i = 0; i < d.length; i++) d[i] = i + 2;
        return d;
    }

    /** A per-channel vector shaped to broadcast over {@code [N, C, ...]}. */
    private static Tensor channel(Tensor v, Tensor like) {
        long[] s = new long[like.dim()];
        Arrays.fill(s, 1);
        s[1] = v.numel();
        return v.reshape(s);
    }

    // ------------------------------------------------------------------------------------------ windows

    /** Kernel, stride, dilation and begin/end padding per spatial axis, auto_pad resolved. */
    private record Window(long[] k, long[] s, long[] d, long[] pb, long[] pe, long[] out) {
        int n() { return k.length; }
        long eff(int i) { return (k[i] - 1) * d[i] + 1; }
    }

    private static Window window(OpContext c, long[] in, long[] kernel, boolean allowCeil) {
        int n = in.length;
        if (kernel.length != n) throw c.error("kernel_shape " + Arrays.toString(kernel) + " does not match " + n + " spatial dims");
        long[] s = orOnes(c, c.ints("strides"), n, "strides"), d = orOnes(c, c.ints("dilations"), n, "dilations");
        long[] pb = new long[n], pe = new long[n], out = new long[n];
        String auto = c.s("auto_pad", "NOTSET");
        boolean ceil = allowCeil && c.i("ceil_mode", 0) != 0;
        for (int i = 0; i < n; i++) {
            if (kernel[i] <= 0) throw c.error("kernel_shape " + Arrays.toString(kernel) + " must be positive");
            long eff = (kernel[i] - 1) * d[i] + 1;
            switch (auto) {
                case "SAME_UPPER": case "SAME_LOWER": {
                    out[i] = (in[i] + s[i] - 1) / s[i];
                    long total = Math.max((out[i] - 1) * s[i] + eff - in[i], 0);
                    long small = total / 2;
                    pb[i] = auto.equals("SAME_UPPER") ? small : total - small;
                    pe[i] = total - pb[i];
                    break;
                }
                case "VALID": case "NOTSET": {
                    long[] pads = auto.equals("VALID") ? null : c.ints("pads");
                    if (pads != null) {
                        if (pads.length != 2 * n) throw c.error("pads " + Arrays.toString(pads) + " must have 2 entries per spatial dim");
                        pb[i] = pads[i];
                        pe[i] = pads[i + n];
                        if (pb[i] < 0 || pe[i] < 0) throw c.error("pads " + Arrays.toString(pads) + " must not be negative");
                    }
                    long span = in[i] + pb[i] + pe[i] - eff;
                    if (span < 0) throw c.error("the kernel (" + eff + ") is larger than the padded input (" + (in[i] + pb[i] + pe[i]) + ")");
                    out[i] = (ceil ? (span + s[i] - 1) / s[i] : span / s[i]) + 1;
                    // as PyTorch and ONNX Runtime: the last window must start inside the input or the begin padding
                    if (ceil && (out[i] - 1) * s[i] >= in[i] + pb[i]) out[i]--;
                    break;
                }
                default: throw c.error("auto_pad '" + auto + "' is not one of NOTSET, SAME_UPPER, SAME_LOWER, VALID");
            }
        }
        return new Window(kernel, s, d, pb, pe, out);
    }

    private static long[] orOnes(OpContext c, long[] v, int n, String name) {
        if (v == null) {
            long[] r = new long[n];
            Arrays.fill(r, 1);
            return r;
        }
        if (v.length != n) throw c.error(name + " " + Arrays.toString(v) + " must have one entry per spatial dim (" + n + ")");
        for (long x : v) if (x <= 0) throw c.error(name + " " + Arrays.toString(v) + " must be positive");
        return v;
    }

    /**
     * Pads {@code x} by the window's pads plus what the chosen output size needs at the end, with {@code value};
     * returns windows {@code [N, C, O1..On, K1..Kn]}.
     */
    private static Tensor windows(Tensor x, Window w, double value, double extraValue) {
        int n = w.n();
        for (int i = 0; i < n; i++) {
            int dim = 2 + i;
            long need = (w.out[i] - 1) * w.s[i] + w.eff(i);
            long have = x.size(dim) + w.pb[i] + w.pe[i];
            x = Util.padDim(x, dim, w.pb[i], w.pe[i], value);
            if (need > have) x = Util.padDim(x, dim, 0, need - have, extraValue);
        }
        for (int i = 0; i < n; i++) {
            x = x.narrow(2 + i, 0, (w.out[i] - 1) * w.s[i] + w.eff(i)).unfold(2 + i, w.eff(i), w.s[i]);
        }
        for (int i = 0; i < n; i++) if (w.d[i] > 1) x = x.slice(2 + n + i, 0, w.eff(i), w.d[i]);
        return x;
    }

    /** Whether a window is one PyTorch's 2-D pooling kernels take: symmetric pads of at most half the kernel. */
    private static boolean torchPool2d(Window w) {
        if (w.n() != 2) return false;
        for (int i = 0; i < 2; i++) if (w.pb[i] != w.pe[i] || 2 * w.pb[i] > w.k[i]) return false;
        return true;
    }

    private static int[] windowDims(int n) {
        int[] d = new int[n];
        for (int i = 0; i < n; i++) d[i] = 2 + n + i;
        return d;
    }

    private static long[] spatialShape(Tensor x) { return Arrays.copyOfRange(x.shape(), 2, x.dim()); }

    // ------------------------------------------------------------------------------------------ convolution

    private static Tensor[] conv(OpContext c) { return one(conv(c, c.in(0), c.in(1), c.opt(2))); }

    /** Conv with the node's attributes on the given operands (ConvInteger and QLinearConv pass shifted ones). */
    static Tensor conv(OpContext c, Tensor x, Tensor w, Tensor b) {
        if (x.dim() < 3) throw c.error("input must be [N, C, spatial...], got rank " + x.dim());
        long[] kernel = c.ints("kernel_shape");
        if (kernel == null) kernel = Arrays.copyOfRange(w.shape(), 2, w.dim());
        Window win = window(c, spatialShape(x), kernel, false);
        long groups = c.i("group", 1);
        long cin = x.size(1), m = w.size(0);
        if (groups <= 0 || cin % groups != 0 || m % groups != 0 || w.size(1) != cin / groups) {
            throw c.error("weight " + Arrays.toString(w.shape()) + " and group " + groups + " do not fit " + cin + " input channels");
        }
        return convolve(x, w, b, win, (int) groups);
    }

    private static Tensor convolve(Tensor x, Tensor w, Tensor b, Window win, int groups) {
        int n = win.n();
        // the im2col buffer both paths build: kernel and pads come from the file, so bound it first
        long[] colShape = new long[2 + 2 * n];
        colShape[0] = x.size(0);
        colShape[1] = x.size(1);
        for (int i = 0; i < n; i++) {
            colShape[2 + i] = win.out[i];
            colShape[2 + n + i] = win.k[i];
        }
        OpContext.checkSize(colShape);
        if (n == 2) {
            boolean sym = win.pb[0] == win.pe[0] && win.pb[1] == win.pe[1];
            Tensor in = x;
            if (!sym) in = Util.padDim(Util.padDim(x, 2, win.pb[0], win.pe[0], 0), 3, win.pb[1], win.pe[1], 0);
            int[] pad = sym ? new int[] {(int) win.pb[0], (int) win.pb[1]} : new int[] {0, 0};
            return F.conv2d(in, w, b, Util.ints(win.s), pad, Util.ints(win.d), groups);
        }
        Tensor cols = windows(x, win, 0, 0); // [N, C, O..., K...]
        long batch = x.size(0), cg = x.size(1) / groups, m = w.size(0);
        long[] cs = cols.shape();
        long oprod = Util.prod(cs, 2, 2 + n), kprod = Util.prod(cs, 2 + n, 2 + 2 * n);
        long[] grouped = new long[cs.length + 1];
        grouped[0] = batch;
        grouped[1] = groups;
        grouped[2] = cg;
        System.arraycopy(cs, 2, grouped, 3, 2 * n);
        int[] perm = new int[grouped.length];
        perm[0] = 0;
        perm[1] = 1;
        for (int i = 0; i < n; i++) perm[2 + i] = 3 + i;
        perm[2 + n] = 2;
        for (int i = 0; i < n; i++) perm[3 + n + i] = 3 + n + i;
        Tensor lhs = cols.reshape(grouped).permute(perm).reshape(batch, groups, oprod, cg * kprod);
        Tensor rhs = w.reshape(groups, m / groups, cg * kprod).transpose(1, 2);
        Tensor y = lhs.matmul(rhs).permute(0, 1, 3, 2); // [N, G, M/G, O]
        long[] out = new long[2 + n];
        out[0] = batch;
        out[1] = m;
        System.arraycopy(cs, 2, out, 2, n);
        y = y.reshape(out);
        if (b != null) y = y.add(channel(b, y));
        return y;
    }

    /**
     * DeformConv (2-D): each kernel tap samples X bilinearly (zero outside) at its regular position plus a learned
     * offset, scaled by the mask; the samples form the im2col matrix of a grouped convolution. Sample positions and
     * weights are found on the host, so gradients reach X, W, B and the mask, not the offsets.
     */
    private static Tensor[] deformConv(OpContext c) {
        Tensor x = c.in(0), w = c.in(1), offset = c.in(2), b = c.opt(3), mask = c.opt(4);
        if (x.dim() != 4 || w.dim() != 4) throw c.error("only 2-D DeformConv is supported (X [N, C, H, W])");
        long n = x.size(0), ch = x.size(1), h = x.size(2), wd = x.size(3), oc = w.size(0);
        long[] kernel = c.ints("kernel_shape");
        if (kernel == null) kernel = new long[] {w.size(2), w.size(3)};
        long[] s = orOnes(c, c.ints("strides"), 2, "strides"), d = orOnes(c, c.ints("dilations"), 2, "dilations");
        long[] pads = c.ints("pads");
        if (pads == null) pads = new long[4];
        long groups = c.i("group", 1), og = c.i("offset_group", 1);
        long kh = kernel[0], kw = kernel[1], k = kh * kw;
        long oh = (h + pads[0] + pads[2] - ((kh - 1) * d[0] + 1)) / s[0] + 1, ow = (wd + pads[1] + pads[3] - ((kw - 1) * d[1] + 1)) / s[1] + 1;
        if (groups <= 0 || og <= 0 || ch % groups != 0 || ch % og != 0 || oc % groups != 0 || w.size(1) != ch / groups) throw c.error("group/offset_group do not fit the channels");
        if (offset.dim() != 4 || offset.size(1) != og * k * 2 || offset.size(2) != oh || offset.size(3) != ow) throw c.error("offset " + Arrays.toString(offset.shape()) + " does not fit [N, " + og * k * 2 + ", " + oh + ", " + ow + "]");
        long p = oh * ow;
        c.checkAlloc(new long[] {n, ch, k, p, 4});
        double[] off = offset.toDoubleArray();
        long[] idx = new long[(int) (n * og * k * p * 4)];
        double[] wt = new double[idx.length];
        for (int bi = 0; bi < n; bi++) {
            for (int g = 0; g < og; g++) {
                for (int ki = 0; ki < k; ki++) {
                    for (int pi = 0; pi < p; pi++) {
                        long i = pi / ow, j = pi % ow;
                        int o = (int) ((((bi * og + g) * k + ki) * p + pi));
                        // offsets laid out [N, offset_group, kH, kW, (dy, dx), oH, oW]
                        int base = (int) ((((bi * og + g) * k + ki) * 2) * p + pi);
                        double y = -pads[0] + s[0] * i + (ki / kw) * d[0] + off[base];
                        double xx = -pads[1] + s[1] * j + (ki % kw) * d[1] + off[(int) (base + p)];
                        long y0 = (long) Math.floor(y), x0 = (long) Math.floor(xx);
                        double fy = y - y0, fx = xx - x0;
                        for (int t = 0; t < 4; t++) {
                            long yy = y0 + t / 2, xc = x0 + t % 2;
                            double ww = (t / 2 == 0 ? 1 - fy : fy) * (t % 2 == 0 ? 1 - fx : fx);
                            boolean inside = yy >= 0 && yy < h && xc >= 0 && xc < wd;
                            idx[o * 4 + t] = inside ? yy * wd + xc : 0;
                            wt[o * 4 + t] = inside ? ww : 0;
                        }
                    }
                }
            }
        }
        long cg = ch / og;
        Tensor index = OpContext.longsLike(idx, x, n, og, 1, k * p * 4).expand(n, og, cg, k * p * 4);
        Tensor vals = x.reshape(n, og, cg, h * wd).gather(3, index).reshape(n, og, cg, k, p, 4);
        Tensor sampled = vals.mul(Torch.tensor(wt, x.dtype(), n, og, 1, k, p, 4).to(x.device())).sum(new int[] {5}, false);
        if (mask != null) sampled = sampled.mul(mask.reshape(n, og, 1, k, p));
        Tensor cols = sampled.reshape(n, groups, ch / groups * k, p);
        Tensor y = w.reshape(groups, oc / groups, ch / groups * k).matmul(cols).reshape(n, oc, oh, ow);
        return one(b == null ? y : y.add(channel(b, y)));
    }

    /**
     * ConvTranspose as a convolution: zeros inserted between input elements (stride), the input padded by
     * {@code eff - 1 - pad} on each side (negative crops), and the kernel flipped with in/out channels swapped.
     */
    private static Tensor[] convTranspose(OpContext c) {
        Tensor x = c.in(0), w = c.in(1), b = c.opt(2);
        int n = x.dim() - 2;
        if (n < 1) throw c.error("input must be [N, C, spatial...]");
        long groups = c.i("group", 1);
        long cin = x.size(1);
        if (groups <= 0 || w.size(0) != cin || cin % groups != 0) throw c.error("weight " + Arrays.toString(w.shape()) + " does not fit " + cin + " input channels and group " + groups);
        long[] kernel = c.ints("kernel_shape");
        if (kernel == null) kernel = Arrays.copyOfRange(w.shape(), 2, w.dim());
        long[] s = orOnes(c, c.ints("strides"), n, "strides"), d = orOnes(c, c.ints("dilations"), n, "dilations");
        long[] op = c.ints("output_padding");
        if (op == null) op = new long[n];
        long[] in = spatialShape(x);
        long[] pb = new long[n], pe = new long[n];
        long[] outShape = c.ints("output_shape");
        String auto = c.s("auto_pad", "NOTSET");
        long[] pads = c.ints("pads");
        for (int i = 0; i < n; i++) {
            long eff = (kernel[i] - 1) * d[i] + 1;
            long full = s[i] * (in[i] - 1) + op[i] + eff;
            if (outShape != null || auto.startsWith("SAME")) {
                long target = outShape != null ? outShape[outShape.length - n + i] : in[i] * s[i];
                long total = full - target;
                boolean upper = !auto.equals("SAME_LOWER");
                // a target beyond the full size (total < 0) extends the end, as output_padding would
                pb[i] = total < 0 ? 0 : upper ? total / 2 : total - total / 2;
                pe[i] = total - pb[i];
            } else if (pads != null) {
                if (pads.length != 2 * n) throw c.error("pads " + Arrays.toString(pads) + " must have 2 entries per spatial dim");
                pb[i] = pads[i];
                pe[i] = pads[i + n];
            }
        }
        // zeros between elements
        Tensor y = x;
        for (int i = 0; i < n; i++) {
            int dim = 2 + i;
            if (s[i] == 1) continue;
            long len = y.size(dim);
            long[] spread = y.shape();
            spread[dim] = len * s[i];
            c.checkAlloc(spread);
            Tensor u = Util.padDim(y.unsqueeze(dim + 1), dim + 1, 0, s[i] - 1, 0);
            long[] sh = y.shape();
            sh[dim] = len * s[i];
            y = u.reshape(sh).narrow(dim, 0, (len - 1) * s[i] + 1);
        }
        for (int i = 0; i < n; i++) {
            long eff = (kernel[i] - 1) * d[i] + 1;
            y = Util.padDim(y, 2 + i, eff - 1 - pb[i], eff - 1 - pe[i] + op[i], 0);
        }
        // weight [C, M/G, K...] -> [M, C/G, K...], flipped spatially
        long g = groups, mg = w.size(1), cg = cin / g;
        long[] ws = w.shape();
        long[] split = new long[ws.length + 1];
        split[0] = g;
        split[1] = cg;
        split[2] = mg;
        System.arraycopy(ws, 2, split, 3, n);
        int[] perm = new int[split.length];
        perm[0] = 0;
        perm[1] = 2;
        perm[2] = 1;
        for (int i = 0; i < n; i++) perm[3 + i] = 3 + i;
        long[] merged = new long[ws.length];
        merged[0] = g * mg;
        merged[1] = cg;
        System.arraycopy(ws, 2, merged, 2, n);
        int[] flipDims = new int[n];
        for (int i = 0; i < n; i++) flipDims[i] = 2 + i;
        Tensor wt = w.reshape(split).permute(perm).reshape(merged).flip(flipDims);
        long[] one = new long[n];
        Arrays.fill(one, 1);
        Window win = new Window(kernel, one, d, new long[n], new long[n], outSize(y, kernel, d));
        return one(convolve(y, wt, b, win, (int) g));
    }

    private static long[] outSize(Tensor y, long[] k, long[] d) {
        long[] o = new long[k.length];
        for (int i = 0; i < k.length; i++) o[i] = y.size(2 + i) - ((k[i] - 1) * d[i] + 1) + 1;
        return o;
    }

    // ------------------------------------------------------------------------------------------ pooling

    private static Tensor[] maxPool(OpContext c) {
        Tensor x0 = c.in(0);
        if (x0.dim() < 3) throw c.error("input must be [N, C, spatial...], got rank " + x0.dim());
        DType dt = x0.dtype();
        Tensor x = dt.isFloatingPoint() ? x0 : x0.toDouble();
        long[] kernel = c.ints("kernel_shape");
        if (kernel == null) throw c.error("kernel_shape is required");
        Window win = window(c, spatialShape(x), kernel, true);
        int n = win.n();
        boolean ceil = c.i("ceil_mode", 0) != 0;
        if (!c.wantsOutput(1) && torchPool2d(win)) {
            // Kindling's max_pool2d kernel (PyTorch's output-size rule, the one window() follows) is much faster
            Tensor y = F.maxPool2d(x, Util.ints(win.k), Util.ints(win.s), Util.ints(win.pb), Util.ints(win.d), ceil);
            return new Tensor[] {dt.isFloatingPoint() ? y : y.to(dt), null};
        }
        Tensor wins = windows(x, win, Double.NEGATIVE_INFINITY, Double.NEGATIVE_INFINITY);
        Tensor y = wins.amax(windowDims(n), false);
        Tensor[] out = {dt.isFloatingPoint() ? y : y.to(dt), null};
        if (c.wantsOutput(1)) {
            // flat input positions (row-major, or column-major over the spatial dims with storage_order=1), windowed
            // the same way; the position of each window's maximum is picked from them
            long[] shape = x.shape();
            boolean colMajor = c.i("storage_order", 0) != 0;
            long numel = x.numel();
            long[] pos = new long[(int) numel];
            long plane = Util.prod(shape, 2, shape.length);
            for (int flat = 0; flat < numel; flat++) {
                if (!colMajor) {
                    pos[flat] = flat;
                } else {
                    long rem = flat % plane, base = flat - rem, p = 0, mul = 1;
                    long[] coord = new long[n];
                    for (int i = n - 1; i >= 0; i--) {
                        coord[i] = rem % shape[2 + i];
                        rem /= shape[2 + i];
                    }
                    for (int i = 0; i < n; i++) {
                        p += coord[i] * mul;
                        mul *= shape[2 + i];
                    }
                    pos[flat] = base + p;
                }
            }
            Tensor posT = OpContext.longsLike(pos, x, shape).toDouble();
            Tensor pw = windows(posT, win, -1, -1);
            long[] ws = wins.shape();
            long[] flatShape = Arrays.copyOf(ws, 2 + n + 1);
            flatShape[2 + n] = Util.prod(ws, 2 + n, 2 + 2 * n);
            Tensor arg = wins.reshape(flatShape).argmax(2 + n, true);
            out[1] = pw.reshape(flatShape).gather(2 + n, arg).squeeze(2 + n).toLong();
        }
        return out;
    }

    /** Scatters each value to its flat position (MaxPool's Indices) in a zero tensor of the unpooled shape. */
    private static Tensor[] maxUnpool(OpContext c) {
        Tensor x = c.in(0), idx = c.in(1);
        long[] kernel = c.ints("kernel_shape");
        if (kernel == null) throw c.error("kernel_shape is required");
        int n = x.dim() - 2;
        long[] s = orOnes(c, c.ints("strides"), n, "strides");
        long[] pads = c.ints("pads");
        long[] out = x.shape();
        for (int i = 0; i < n; i++) out[2 + i] = (out[2 + i] - 1) * s[i] + kernel[i] - (pads == null ? 0 : pads[i] + pads[i + n]);
        // Indices are positions in the pooled input, of this inferred shape; a larger output_shape pads at the end
        long[] target = c.longs(2);
        if (target != null && target.length != out.length) throw c.error("output_shape must have rank " + out.length);
        c.checkAlloc(out);
        long total = Util.prod(out, 0, out.length);
        Tensor flatIdx = idx.toLong().reshape(-1);
        if (flatIdx.numel() > 0 && (flatIdx.min().itemLong() < 0 || flatIdx.max().itemLong() >= total)) throw c.error("an index is outside the output");
        Tensor y = Torch.zeros(new long[] {total}, x.dtype(), x.device()).scatter(0, flatIdx, x.reshape(-1));
        y = y.reshape(out);
        if (target != null) {
            c.checkAlloc(target);
            for (int i = 2; i < out.length; i++) {
                if (target[i] < out[i]) throw c.error("output_shape " + Arrays.toString(target) + " is smaller than the unpooled " + Arrays.toString(out));
                y = Util.padDim(y, i, 0, target[i] - out[i], 0);
            }
        }
        return one(y);
    }

    private static Tensor[] avgPool(OpContext c) {
        Tensor x = c.in(0);
        long[] kernel = c.ints("kernel_shape");
        if (kernel == null) throw c.error("kernel_shape is required");
        Window win = window(c, spatialShape(x), kernel, true);
        int n = win.n();
        boolean includePad = c.i("count_include_pad", 0) != 0;
        if (torchPool2d(win) && win.d[0] == 1 && win.d[1] == 1) {
            return one(F.avgPool2d(x, Util.ints(win.k), Util.ints(win.s), Util.ints(win.pb), c.i("ceil_mode", 0) != 0, includePad, null));
        }
        Tensor sums = windows(x, win, 0, 0).sum(windowDims(n), false);
        long[] ms = x.shape();
        ms[0] = 1;
        ms[1] = 1;
        Tensor ones = Torch.ones(ms, x.dtype(), x.device());
        // the divisor counts real elements, plus explicit padding with count_include_pad; never ceil_mode's overhang
        Tensor counts = windows(ones, win, includePad ? 1 : 0, 0).sum(windowDims(n), false);
        return one(sums.div(counts));
    }

    private static Tensor[] lpPool(OpContext c) {
        Tensor x = c.in(0);
        long[] kernel = c.ints("kernel_shape");
        if (kernel == null) throw c.error("kernel_shape is required");
        double p = c.i("p", 2);
        Window win = window(c, spatialShape(x), kernel, true);
        return one(windows(x.abs().pow(p), win, 0, 0).sum(windowDims(win.n()), false).pow(1 / p));
    }

    // ------------------------------------------------------------------------------------------ normalisation

    private static Tensor[] batchNorm(OpContext c) {
        Tensor x = c.in(0), scale = c.in(1), bias = c.in(2), mean = c.in(3), var = c.in(4);
        double eps = c.f("epsilon", 1e-5f), momentum = c.f("momentum", 0.9f);
        boolean training = c.opset() >= 14 && c.i("training_mode", 0) != 0;
        if (!training) {
            Tensor y = x.sub(channel(mean, x)).div(channel(var, x).add(eps).sqrt()).mul(channel(scale, x)).add(channel(bias, x));
            return one(y);
        }
        int[] dims = new int[x.dim() - 1];
        dims[0] = 0;
        for (int i = 1; i < dims.length; i++) dims[i] = i + 1;
        Tensor bm = x.mean(dims, true);
        Tensor bv = x.sub(bm).square().mean(dims, true);
        Tensor y = x.sub(bm).div(bv.add(eps).sqrt()).mul(channel(scale, x)).add(channel(bias, x));
        Tensor rm = mean.mul(momentum).add(bm.reshape(mean.shape()).mul(1 - momentum));
        Tensor rv = var.mul(momentum).add(bv.reshape(var.shape()).mul(1 - momentum));
        return new Tensor[] {y, rm, rv};
    }

    private static Tensor[] layerNorm(OpContext c) {
        Tensor x = c.in(0), scale = c.in(1), bias = c.opt(2);
        int axis = c.axis(c.i("axis", -1), x.dim());
        int[] dims = new int[x.dim() - axis];
        for (int i = 0; i < dims.length; i++) dims[i] = axis + i;
        Tensor xs = c.i("stash_type", 1) == 1 && x.dtype() != DType.FLOAT64 ? x.toFloat() : x;
        Tensor mean = xs.mean(dims, true);
        Tensor d = xs.sub(mean);
        Tensor inv = d.square().mean(dims, true).add((double) c.f("epsilon", 1e-5f)).rsqrt();
        Tensor y = d.mul(inv).to(x.dtype()).mul(scale);
        if (bias != null) y = y.add(bias);
        return new Tensor[] {y, mean, inv};
    }

    private static Tensor[] groupNorm(OpContext c) {
        Tensor x = c.in(0), scale = c.in(1), bias = c.in(2);
        long g = c.i("num_groups", 0);
        long ch = x.size(1), n = x.size(0);
        if (g <= 0 || ch % g != 0) throw c.error("num_groups " + g + " does not divide " + ch + " channels");
        Tensor xg = x.reshape(n, g, -1);
        Tensor mean = xg.mean(2, true);
        Tensor var = xg.sub(mean).square().mean(2, true);
        Tensor y = xg.sub(mean).div(var.add((double) c.f("epsilon", 1e-5f)).sqrt()).reshape(x.shape());
        if (scale.numel() == g && g != ch) {
            // opset 18 gives scale and bias per group; 21 per channel
            scale = scale.reshape(g, 1).expand(g, ch / g).reshape(ch);
            bias = bias.reshape(g, 1).expand(g, ch / g).reshape(ch);
        }
        return one(y.mul(channel(scale, x)).add(channel(bias, x)));
    }

    private static Tensor[] lrn(OpContext c) {
        Tensor x = c.in(0);
        long size = c.i("size", 0);
        if (size <= 0) throw c.error("size must be positive");
        double alpha = c.f("alpha", 1e-4f), beta = c.f("beta", 0.75f), bias = c.f("bias", 1f);
        Tensor sq = Util.padDim(x.square(), 1, (size - 1) / 2, size - 1 - (size - 1) / 2, 0);
        Tensor sum = sq.unfold(1, size, 1).sum(-1);
        return one(x.div(sum.mul(alpha / size).add(bias).pow(beta)));
    }

    /**
     * Col2Im: the blocks summed back onto the padded image, then the pads cropped. 2-D images go through Kindling's
     * {@code fold}; other ranks add each block element at its position with {@code indexAdd}.
     */
    private static Tensor[] col2im(OpContext c) {
        Tensor cols = c.in(0);
        long[] image = c.longs(1), block = c.longs(2);
        if (image == null || block == null || image.length != block.length || image.length == 0) throw c.error("image_shape and block_shape must have one entry per spatial dim");
        int n = image.length;
        long[] d = orOnes(c, c.ints("dilations"), n, "dilations"), s = orOnes(c, c.ints("strides"), n, "strides");
        long[] pads = c.ints("pads");
        if (pads == null) pads = new long[2 * n];
        if (pads.length != 2 * n) throw c.error("pads must have 2 entries per spatial dim");
        long[] padded = new long[n], blocks = new long[n];
        long kprod = Util.prod(block, 0, n);
        if (kprod <= 0 || cols.dim() != 3 || cols.size(1) % kprod != 0) throw c.error("input " + Arrays.toString(cols.shape()) + " does not hold blocks of " + Arrays.toString(block));
        long total = 1;
        for (int i = 0; i < n; i++) {
            padded[i] = image[i] + pads[i] + pads[i + n];
            blocks[i] = (padded[i] - ((block[i] - 1) * d[i] + 1)) / s[i] + 1;
            total *= blocks[i];
        }
        if (total != cols.size(2)) throw c.error("input has " + cols.size(2) + " blocks, image and block shapes give " + total);
        long batch = cols.size(0), ch = cols.size(1) / kprod;
        long[] full = new long[2 + n];
        full[0] = batch;
        full[1] = ch;
        System.arraycopy(padded, 0, full, 2, n);
        c.checkAlloc(full);
        Tensor y;
        if (n == 2) {
            y = F.fold(cols, Util.ints(padded), Util.ints(block), Util.ints(d), new int[] {0, 0}, Util.ints(s));
        } else {
            // the padded-image position of (kernel element k, block l), row-major over both
            long[] pos = new long[(int) (kprod * total)];
            for (int k = 0; k < kprod; k++) {
                for (int l = 0; l < total; l++) {
                    long rk = k, rl = l, p = 0;
                    long[] kc = new long[n], lc = new long[n];
                    for (int i = n - 1; i >= 0; i--) {
                        kc[i] = rk % block[i];
                        rk /= block[i];
                        lc[i] = rl % blocks[i];
                        rl /= blocks[i];
                    }
                    for (int i = 0; i < n; i++) p = p * padded[i] + lc[i] * s[i] + kc[i] * d[i];
                    pos[(int) (k * total + l)] = p;
                }
            }
            long plane = Util.prod(padded, 0, n);
            Tensor src = cols.reshape(batch, ch, kprod * total);
            y = Torch.zeros(new long[] {batch, ch, plane}, cols.dtype(), cols.device())
                    .indexAdd(2, OpContext.longsLike(pos, cols, pos.length), src).reshape(full);
        }
        for (int i = 0; i < n; i++) y = y.narrow(2 + i, pads[i], image[i]);
        return one(y);
    }

    private static Tensor[] dropout(OpContext c) {
        Tensor x = c.in(0);
        double ratio;
        boolean training;
        if (c.opset() >= 12) {
            ratio = c.scalar(1, 0.5);
            Tensor tm = c.opt(2);
            training = tm != null && tm.toBooleanArray()[0];
        } else {
            ratio = c.f("ratio", 0.5f);
            training = false; // before opset 12 Dropout in an inference graph is the identity (is_test)
        }
        if (ratio < 0 || ratio >= 1) throw c.error("ratio " + ratio + " must be in [0, 1)");
        if (!training || ratio == 0) {
            return new Tensor[] {x, Torch.ones(x.shape(), DType.BOOL, x.device())};
        }
        Tensor keep = Torch.rand(x.shape()).to(x.device()).ge(ratio);
        return new Tensor[] {x.mul(keep.to(x.dtype())).div(1 - ratio), keep};
    }
}
