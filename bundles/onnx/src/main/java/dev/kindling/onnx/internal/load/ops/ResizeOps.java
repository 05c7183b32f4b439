package dev.kindling.onnx.internal.load.ops;

import dev.kindling.api.Tensor;
import dev.kindling.onnx.internal.load.OpContext;
import dev.kindling.onnx.internal.load.OpTable;

import java.util.Arrays;

import static dev.kindling.onnx.internal.load.ops.Util.one;

/**
 * Resize (and the older Upsample): nearest, linear and cubic, computed one axis at a time as a weighted sum of
 * gathered slices, so any rank works and autograd flows to the input.
 */
public final class ResizeOps {
    private ResizeOps() {}

    public static void register(OpTable t) {
        t.put("Resize", ResizeOps::resize);
        t.put("Upsample", ResizeOps::resize);
        t.put("GridSample", ResizeOps::gridSample);
        t.put("AffineGrid", ResizeOps::affineGrid);
    }

    /** The sampling grid of an affine map: normalised output coordinates (x, y[, z], 1) times theta transposed. */
    private static Tensor[] affineGrid(OpContext c) {
        Tensor theta = c.in(0);
        long[] size = c.longs(1);
        if (size == null || (size.length != 4 && size.length != 5)) throw c.error("size must be [N, C, H, W] or [N, C, D, H, W]");
        int k = size.length - 2;
        if (theta.dim() != 3 || theta.size(1) != k || theta.size(2) != k + 1) throw c.error("theta must be [N, " + k + ", " + (k + 1) + "]");
        boolean align = c.i("align_corners", 0) != 0;
        long[] dims = Arrays.copyOfRange(size, 2, size.length);
        long points = Util.prod(dims, 0, k);
        c.checkAlloc(new long[] {size[0], points, k + 1});
        double[] base = new double[(int) (points * (k + 1))];
        for (int p = 0; p < points; p++) {
            long rest = p;
            for (int i = k - 1; i >= 0; i--) {
                long at = rest % dims[i];
                rest /= dims[i];
                double v = align ? (dims[i] == 1 ? -1 : -1 + 2.0 * at / (dims[i] - 1)) : (2.0 * at + 1) / dims[i] - 1;
                base[p * (k + 1) + (k - 1 - i)] = v; // the grid's components run x (last axis) first
            }
            base[p * (k + 1) + k] = 1;
        }
        Tensor b = dev.kindling.api.Torch.tensor(base, theta.dtype(), points, k + 1).to(theta.device());
        long[] out = new long[k + 2];
        out[0] = size[0];
        System.arraycopy(dims, 0, out, 1, k);
        out[k + 1] = k;
        return one(b.matmul(theta.transpose(1, 2)).reshape(out));
    }

    /**
     * GridSample of any spatial rank: per output point, the taps (1 nearest, 2 per axis linear, 4 per axis cubic) and
     * their weights are found on the host; the values are gathered from the input, so gradients reach X (not the grid).
     */
    private static Tensor[] gridSample(OpContext c) {
        Tensor x = c.in(0), grid = c.in(1);
        int k = x.dim() - 2;
        if (k < 1 || grid.dim() != k + 2 || grid.size(k + 1) != k || grid.size(0) != x.size(0)) {
            throw c.error("grid " + Arrays.toString(grid.shape()) + " does not fit input " + Arrays.toString(x.shape()));
        }
        String mode = c.s("mode", c.opset() >= 20 ? "linear" : "bilinear");
        mode = mode.equals("bilinear") ? "linear" : mode.equals("bicubic") ? "cubic" : mode;
        if (!mode.equals("nearest") && !mode.equals("linear") && !mode.equals("cubic")) throw c.error("mode '" + mode + "' is not supported");
        String pad = c.s("padding_mode", "zeros");
        if (!pad.equals("zeros") && !pad.equals("border") && !pad.equals("reflection")) throw c.error("padding_mode '" + pad + "' is not supported");
        boolean align = c.i("align_corners", 0) != 0;
        long n = x.size(0), ch = x.size(1);
        long[] dims = Arrays.copyOfRange(x.shape(), 2, x.dim());
        long points = Util.prod(grid.shape(), 1, k + 1), plane = Util.prod(dims, 0, k);
        int per = mode.equals("nearest") ? 1 : mode.equals("linear") ? 2 : 4;
        int taps = (int) Math.pow(per, k);
        c.checkAlloc(new long[] {n, ch, points, taps});
        double[] g = grid.toDoubleArray();
        long[] idx = new long[(int) (n * points * taps)];
        double[] wts = new double[idx.length];
        long[][] tapIdx = new long[k][per];
        double[][] tapW = new double[k][per];
        for (int b = 0; b < n; b++) {
            for (int p = 0; p < points; p++) {
                int base = (int) ((b * points + p) * k);
                for (int i = 0; i < k; i++) {
                    double lo = align ? 0 : -0.5, hi = align ? dims[i] - 1 : dims[i] - 0.5;
                    double nrm = g[base + k - 1 - i]; // grid components run x, y, z: the reverse of the axes
                    double v = align ? (nrm + 1) / 2 * (dims[i] - 1) : ((nrm + 1) * dims[i] - 1) / 2;
                    if (mode.equals("nearest")) v = Math.rint(v);
                    if (v < lo || v > hi) {
                        if (pad.equals("border")) v = Math.max(0, Math.min(dims[i] - 1, v));
                        else if (pad.equals("reflection")) v = reflect(v, lo, hi);
                    }
                    long v0 = (long) Math.floor(v);
                    double f = v - v0;
                    for (int j = 0; j < per; j++) {
                        long at = mode.equals("nearest") ? (long) v : mode.equals("linear") ? v0 + j : v0 - 1 + j;
                        double w = mode.equals("nearest") ? 1 : mode.equals("linear") ? (j == 0 ? 1 - f : f) : cubic(f - (j - 1), -0.75);
                        // the pixel itself: zeros outside, the edge, or the reflection inside the border
                        if (at < 0 || at >= dims[i]) {
                            if (pad.equals("zeros")) {
                                w = 0;
                                at = 0;
                            } else if (pad.equals("border")) {
                                at = Math.max(0, Math.min(dims[i] - 1, at));
                            } else {
                                at = (long) reflect(at, lo, hi);
                                at = Math.max(0, Math.min(dims[i] - 1, at));
                            }
                        }
                        tapIdx[i][j] = at;
                        tapW[i][j] = w;
                    }
                }
                for (int t = 0; t < taps; t++) {
                    long flat = 0;
                    double w = 1;
                    for (int i = 0, rest = t; i < k; i++) {
                        int j = rest % per;
                        rest /= per;
                        flat = flat * dims[i] + tapIdx[i][j];
                        w *= tapW[i][j];
                    }
                    int o = (int) ((b * points + p) * taps + t);
                    idx[o] = flat;
                    wts[o] = w;
                }
            }
        }
        Tensor index = OpContext.longsLike(idx, x, n, 1, points * taps).expand(n, ch, points * taps);
        Tensor vals = x.reshape(n, ch, plane).gather(2, index).reshape(n, ch, points, taps);
        Tensor w = dev.kindling.api.Torch.tensor(wts, x.dtype(), n, 1, points, taps).to(x.device());
        long[] out = new long[2 + k];
        out[0] = n;
        out[1] = ch;
        System.arraycopy(grid.shape(), 1, out, 2, k);
        return one(vals.mul(w).sum(3).reshape(out));
    }

    /** Reflects {@code x} into [lo, hi] by folding at the nearer border, as often as needed. */
    private static double reflect(double x, double lo, double hi) {
        double range = hi - lo;
        if (range <= 0) return lo;
        if (x < lo) {
            double d = lo - x;
            long folds = (long) (d / range);
            double r = d - folds * range;
            return folds % 2 == 0 ? lo + r : hi - r;
        }
        if (x > hi) {
            double d = x - hi;
            long folds = (long) (d / range);
            double r = d - folds * range;
            return folds % 2 == 0 ? hi - r : lo + r;
        }
        return x;
    }

    private static Tensor[] resize(OpContext c) {
        Tensor x = c.in(0);
        int rank = x.dim();
        boolean legacy = c.opset() < 11; // Upsample and Resize-10: asymmetric coordinates, nearest rounds down
        double[] scales = null;
        long[] sizes = null, roiAxes = null;
        double[] roi = null;
        if (legacy) {
            if (c.inputCount() > 1) scales = toDoubles(c.in(1));
            else if (c.floats("scales") != null) scales = asDouble(c.floats("scales"));
        } else {
            if (c.opt(1) != null && c.opt(1).numel() > 0) roi = toDoubles(c.opt(1));
            if (c.opt(2) != null && c.opt(2).numel() > 0) scales = toDoubles(c.opt(2));
            if (c.opt(3) != null && c.opt(3).numel() > 0) sizes = c.longs(3);
        }
        long[] axesAttr = c.ints("axes");
        int[] axes;
        if (axesAttr != null) {
            axes = Util.axes(c, axesAttr, rank);
        } else {
            axes = new int[rank];
            for (int i = 0; i < rank; i++) axes[i] = i;
        }
        if (scales == null && sizes == null) throw c.error("needs scales or sizes");
        if ((scales != null && scales.length != axes.length) || (sizes != null && sizes.length != axes.length)) {
            throw c.error("scales/sizes must have one entry per resized axis (" + axes.length + ")");
        }
        String policy = c.s("keep_aspect_ratio_policy", "stretch");
        double keptScale = Double.NaN;
        if (sizes != null && !policy.equals("stretch")) {
            // one scale for every resized axis: the largest that fits (not_larger) or the smallest that covers (not_smaller)
            if (!policy.equals("not_larger") && !policy.equals("not_smaller")) throw c.error("keep_aspect_ratio_policy '" + policy + "' is unknown");
            for (int k = 0; k < axes.length; k++) {
                double r = (double) sizes[k] / x.size(axes[k]);
                keptScale = Double.isNaN(keptScale) ? r : policy.equals("not_larger") ? Math.min(keptScale, r) : Math.max(keptScale, r);
            }
        }
        boolean antialias = c.i("antialias", 0) != 0;
        String mode = c.s("mode", "nearest");
        String coord = legacy ? "asymmetric" : c.s("coordinate_transformation_mode", "half_pixel");
        String nearest = legacy ? "floor" : c.s("nearest_mode", "round_prefer_floor");
        double a = c.f("cubic_coeff_a", -0.75f), extrapolation = c.f("extrapolation_value", 0f);
        boolean exclude = c.i("exclude_outside", 0) != 0;
        long[] outShape = x.shape();
        Tensor y = x;
        for (int k = 0; k < axes.length; k++) {
            int ax = axes[k];
            long in = x.size(ax);
            long out;
            double scale;
            if (sizes != null && !Double.isNaN(keptScale)) {
                scale = keptScale;
                out = Math.round(scale * in);
            } else if (sizes != null) {
                out = sizes[k];
                scale = in == 0 ? 1 : (double) out / in;
            } else {
                scale = scales[k];
                if (!(scale > 0)) throw c.error("scales must be positive, got " + Arrays.toString(scales));
                out = (long) Math.floor(in * scale);
            }
            if (out < 0) throw c.error("output size " + out + " is negative");
            outShape[ax] = out;
            c.checkAlloc(outShape);
            double start = 0, end = 1;
            if (coord.equals("tf_crop_and_resize")) {
                if (roi == null) throw c.error("tf_crop_and_resize needs roi");
                int n = roi.length / 2;
                start = roi[axesAttr == null ? ax : k];
                end = roi[(axesAttr == null ? ax : k) + n];
            }
            if (out == in && scale == 1 && !coord.equals("tf_crop_and_resize")) continue;
            y = resizeAxis(c, y, ax, in, out, scale, mode, coord, nearest, a, exclude, antialias, start, end, extrapolation);
        }
        return one(y);
    }

    private static Tensor resizeAxis(OpContext c, Tensor y, int ax, long in, long out, double scale, String mode, String coord,
                                     String nearest, double a, boolean exclude, boolean antialias, double roiStart, double roiEnd, double extrap) {
        boolean cubic;
        switch (mode) {
            case "nearest": cubic = false; break;
            case "linear": case "bilinear": cubic = false; break;
            case "cubic": case "bicubic": cubic = true; break;
            default: throw c.error("mode '" + mode + "' is not supported");
        }
        boolean nearestMode = mode.equals("nearest");
        // interpolation taps at offsets start..start+taps-1 from floor(x); antialiasing a downscale widens the kernel
        // by 1/scale, as ONNX's reference does
        double sc = antialias && scale < 1 ? scale : 1;
        int start = nearestMode ? 0 : (int) Math.floor((cubic ? -2 : -1) / sc) + 1;
        int taps = nearestMode ? 1 : 2 - 2 * start;
        long[][] idx = new long[taps][(int) out];
        double[][] wts = new double[taps][(int) out];
        boolean[] outside = new boolean[(int) out];
        for (int o = 0; o < out; o++) {
            double xo = source(c, coord, o, in, out, scale, roiStart, roiEnd);
            if (coord.equals("tf_crop_and_resize") && (xo < 0 || xo > in - 1)) outside[o] = true;
            if (nearestMode) {
                idx[0][o] = Math.max(0, Math.min(in - 1, round(c, nearest, xo)));
                wts[0][o] = 1;
                continue;
            }
            long x0 = (long) Math.floor(xo);
            double ratio = xo - x0, sum = 0;
            for (int j = 0; j < taps; j++) {
                long i = x0 + start + j;
                double arg = (start + j - ratio) * sc;
                double w = cubic ? cubic(arg, a) : Math.max(0, 1 - Math.abs(arg));
                if (exclude && (i < 0 || i >= in)) w = 0;
                idx[j][o] = Math.max(0, Math.min(in - 1, i)); // edge values beyond the input
                wts[j][o] = w;
                sum += w;
            }
            if (sum != 0) for (int j = 0; j < taps; j++) wts[j][o] /= sum;
        }
        long[] wshape = new long[y.dim()];
        Arrays.fill(wshape, 1);
        wshape[ax] = out;
        Tensor r = null;
        for (int j = 0; j < taps; j++) {
            Tensor g = y.indexSelect(ax, OpContext.longsLike(idx[j], y, out));
            if (taps > 1) g = g.mul(dev.kindling.api.Torch.tensor(wts[j], y.dtype(), wshape).to(y.device()));
            r = r == null ? g : r.add(g);
        }
        boolean any = false;
        for (boolean b : outside) any |= b;
        if (any) {
            boolean[] inside = new boolean[outside.length];
            for (int i = 0; i < inside.length; i++) inside[i] = !outside[i];
            Tensor m = dev.kindling.api.Torch.tensor(inside, wshape).to(y.device());
            r = r.where(m, extrap);
        }
        return r.to(y.dtype());
    }

    private static double source(OpContext c, String coord, long o, long in, long out, double scale, double start, double end) {
        switch (coord) {
            case "half_pixel": return (o + 0.5) / scale - 0.5;
            case "half_pixel_symmetric": {
                double adjustment = out / (scale * in), center = in / 2.0;
                return center * (1 - adjustment) + (o + 0.5) / scale - 0.5;
            }
            case "pytorch_half_pixel": return out > 1 ? (o + 0.5) / scale - 0.5 : 0;
            // with scales given, ONNX takes the resized length as in * scale, not the rounded output size
            case "align_corners": return in * scale == 1 ? 0 : o * (in - 1) / (in * scale - 1);
            case "asymmetric": return o / scale;
            case "tf_half_pixel_for_nn": return (o + 0.5) / scale;
            case "tf_crop_and_resize":
                return out > 1 ? start * (in - 1) + o * (end - start) * (in - 1) / (out - 1) : 0.5 * (start + end) * (in - 1);
            default: throw c.error("coordinate_transformation_mode '" + coord + "' is not supported");
        }
    }

    private static long round(OpContext c, String mode, double x) {
        switch (mode) {
            case "round_prefer_floor": return x == Math.floor(x) + 0.5 ? (long) Math.floor(x) : Math.round(x);
            case "round_prefer_ceil": return x == Math.floor(x) + 0.5 ? (long) Math.ceil(x) : Math.round(x);
            case "floor": return (long) Math.floor(x);
            case "ceil": return (long) Math.ceil(x);
            default: throw c.error("nearest_mode '" + mode + "' is not supported");
        }
    }

    /** Keys' cubic convolution kernel with parameter {@code a}. */
    private static double cubic(double s, double a) {
        s = Math.abs(s);
        if (s <= 1) return ((a + 2) * s - (a + 3)) * s * s + 1;
        if (s < 2) return ((a * s - 5 * a) * s + 8 * a) * s - 4 * a;
        return 0;
    }

    private static double[] toDoubles(Tensor t) { return t.toDoubleArray(); }

    private static double[] asDouble(float[] f) {
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) d[i] = f[i];
        return d;
    }
}
