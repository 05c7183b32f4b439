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
        if (c.has("keep_aspect_ratio_policy") && !c.s("keep_aspect_ratio_policy", "stretch").equals("stretch")) {
            throw c.error("keep_aspect_ratio_policy other than 'stretch' is not supported");
        }
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
            if (sizes != null) {
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
            y = resizeAxis(c, y, ax, in, out, scale, mode, coord, nearest, a, exclude, start, end, extrapolation);
        }
        return one(y);
    }

    private static Tensor resizeAxis(OpContext c, Tensor y, int ax, long in, long out, double scale, String mode, String coord,
                                     String nearest, double a, boolean exclude, double start, double end, double extrap) {
        int taps;
        switch (mode) {
            case "nearest": taps = 1; break;
            case "linear": case "bilinear": taps = 2; break;
            case "cubic": case "bicubic": taps = 4; break;
            default: throw c.error("mode '" + mode + "' is not supported");
        }
        long[][] idx = new long[taps][(int) out];
        double[][] wts = new double[taps][(int) out];
        boolean[] outside = new boolean[(int) out];
        for (int o = 0; o < out; o++) {
            double xo = source(c, coord, o, in, out, scale, start, end);
            if (coord.equals("tf_crop_and_resize") && (xo < 0 || xo > in - 1)) outside[o] = true;
            if (taps == 1) {
                long i = round(c, nearest, xo);
                idx[0][o] = Math.max(0, Math.min(in - 1, i));
                wts[0][o] = 1;
            } else if (taps == 2) {
                double xc = Math.max(0, Math.min(in - 1, xo));
                long i0 = (long) Math.floor(xc);
                double f = xc - i0;
                idx[0][o] = i0;
                idx[1][o] = Math.min(i0 + 1, in - 1);
                wts[0][o] = 1 - f;
                wts[1][o] = f;
            } else {
                long i0 = (long) Math.floor(xo);
                double t = xo - i0;
                double[] w = {cubic(t + 1, a), cubic(t, a), cubic(1 - t, a), cubic(2 - t, a)};
                double sum = 0;
                for (int j = 0; j < 4; j++) {
                    long i = i0 - 1 + j;
                    if (exclude && (i < 0 || i >= in)) w[j] = 0;
                    sum += w[j];
                    idx[j][o] = Math.max(0, Math.min(in - 1, i));
                }
                for (int j = 0; j < 4; j++) wts[j][o] = exclude && sum != 0 ? w[j] / sum : w[j];
            }
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
