package dev.kindling.onnx.internal.load.ops;

import dev.kindling.api.DType;
import dev.kindling.api.Tensor;
import dev.kindling.api.Torch;
import dev.kindling.nn.functional.F;
import dev.kindling.onnx.internal.load.OpContext;
import dev.kindling.onnx.internal.load.OpTable;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static dev.kindling.onnx.internal.load.ops.Util.one;

/**
 * Shape and layout ops. Values that act as attributes (Reshape's shape, Slice's starts, Pad's pads...) are read from
 * the input tensors at run time, so they may be computed in the graph (Shape → Gather → Concat) and follow the batch.
 */
public final class ShapeOps {
    private ShapeOps() {}

    public static void register(OpTable t) {
        t.put("Shape", c -> {
            long[] s = c.in(0).shape();
            int r = s.length;
            int start = clampAxis(c.i("start", 0), r), end = clampAxis(c.i("end", r), r);
            long[] v = Arrays.copyOfRange(s, start, Math.max(start, end));
            return one(OpContext.longsLike(v, c.in(0), v.length));
        });
        t.put("Size", c -> one(OpContext.longsLike(new long[] {c.in(0).numel()}, c.in(0))));
        t.put("Reshape", ShapeOps::reshape);
        t.put("Flatten", c -> {
            Tensor x = c.in(0);
            long[] s = x.shape();
            long a = c.i("axis", 1);
            if (a < -s.length || a > s.length) throw c.error("axis " + a + " is out of range [-" + s.length + ", " + s.length + "]");
            int axis = (int) (a < 0 ? a + s.length : a);
            return one(x.reshape(Util.prod(s, 0, axis), Util.prod(s, axis, s.length)));
        });
        t.put("Transpose", c -> {
            Tensor x = c.in(0);
            long[] perm = c.ints("perm");
            int[] p = new int[x.dim()];
            if (perm == null) {
                for (int i = 0; i < p.length; i++) p[i] = p.length - 1 - i;
            } else {
                if (perm.length != p.length) throw c.error("perm " + Arrays.toString(perm) + " does not match rank " + p.length);
                p = Util.axes(c, perm, p.length);
            }
            return one(x.permute(p));
        });
        t.put("Squeeze", c -> {
            Tensor x = c.in(0);
            long[] axes = c.opset() >= 13 ? c.longs(1) : c.ints("axes");
            long[] s = x.shape();
            List<Long> out = new ArrayList<>();
            if (axes == null) {
                for (long d : s) if (d != 1) out.add(d);
            } else {
                boolean[] drop = new boolean[s.length];
                for (int a : Util.axes(c, axes, s.length)) {
                    if (s[a] != 1) throw c.error("cannot squeeze axis " + a + " of size " + s[a]);
                    drop[a] = true;
                }
                for (int i = 0; i < s.length; i++) if (!drop[i]) out.add(s[i]);
            }
            return one(x.reshape(out.stream().mapToLong(Long::longValue).toArray()));
        });
        t.put("Unsqueeze", c -> {
            Tensor x = c.in(0);
            long[] axes = c.opset() >= 13 ? c.longs(1) : c.ints("axes");
            if (axes == null) throw c.error("axes are required");
            long[] s = x.shape();
            int rank = s.length + axes.length;
            boolean[] added = new boolean[rank];
            for (int a : Util.axes(c, axes, rank)) added[a] = true;
            long[] out = new long[rank];
            for (int i = 0, j = 0; i < rank; i++) out[i] = added[i] ? 1 : s[j++];
            return one(x.reshape(out));
        });
        t.put("Concat", c -> {
            Tensor[] xs = c.all();
            if (xs.length == 0) throw c.error("needs at least one input");
            int axis = c.axis(c.i("axis", 0), xs[0].dim());
            return one(Torch.cat(Arrays.asList(xs), axis));
        });
        t.put("Split", ShapeOps::split);
        t.put("Slice", ShapeOps::slice);
        t.put("Expand", c -> {
            Tensor x = c.in(0);
            long[] shape = c.longs(1);
            long[] out = Util.broadcast(c, x.shape(), shape);
            c.checkAlloc(out);
            return one(x.expand(out));
        });
        t.put("Tile", c -> {
            Tensor x = c.in(0);
            long[] reps = c.longs(1);
            if (reps == null || reps.length != x.dim()) throw c.error("repeats must have one entry per dimension (" + x.dim() + ")");
            long[] out = x.shape();
            for (int i = 0; i < out.length; i++) {
                if (reps[i] < 0) throw c.error("repeats " + Arrays.toString(reps) + " has a negative entry");
                out[i] *= reps[i];
            }
            c.checkAlloc(out);
            return one(x.dim() == 0 ? x : x.repeat(reps));
        });
        t.put("Pad", ShapeOps::pad);
        t.put("Constant", ShapeOps::constant);
        t.put("ConstantOfShape", c -> {
            long[] shape = c.longs(0);
            c.checkAlloc(shape);
            Tensor v = c.t("value");
            if (v == null) return one(Torch.zeros(shape, DType.FLOAT32, c.in(0).device()));
            if (v.numel() != 1) throw c.error("value must hold one element");
            return one(Torch.full(shape, v.toDoubleArray()[0], v.dtype(), c.in(0).device()));
        });
        t.put("Range", ShapeOps::range);
        t.put("EyeLike", c -> {
            Tensor x = c.in(0);
            if (x.dim() != 2) throw c.error("input must be 2-D");
            DType dt = c.has("dtype") ? Util.dtype(c, c.i("dtype", 1)) : x.dtype();
            long k = c.i("k", 0), n = x.size(0), m = x.size(1);
            Tensor rows = Torch.arange(n).unsqueeze(1), cols = Torch.arange(m).unsqueeze(0);
            return one(cols.sub(rows).eq((double) k).to(dt).to(x.device()));
        });
        t.put("CenterCropPad", c -> {
            Tensor x = c.in(0);
            long[] shape = c.longs(1);
            long[] ax = c.ints("axes");
            int[] axes = ax == null ? null : Util.axes(c, ax, x.dim());
            int n = axes == null ? x.dim() : axes.length;
            if (shape == null || shape.length != n) throw c.error("shape must have one entry per axis (" + n + ")");
            Tensor y = x;
            for (int i = 0; i < n; i++) {
                int a = axes == null ? i : axes[i];
                long in = x.size(a), want = shape[i];
                if (want < 0) throw c.error("shape " + Arrays.toString(shape) + " has a negative entry");
                // crop from (in - want) / 2, or pad (want - in) / 2 before and the rest after
                if (want < in) y = y.narrow(a, (in - want) / 2, want);
                else if (want > in) y = Util.padDim(y, a, (want - in) / 2, want - in - (want - in) / 2, 0);
            }
            return one(y);
        });
        t.put("DepthToSpace", c -> {
            Tensor x = c.in(0);
            long b = c.i("blocksize", 0);
            long n = x.size(0), ch = x.size(1), h = x.size(2), w = x.size(3);
            if (b <= 0 || ch % (b * b) != 0) throw c.error("blocksize " + b + " does not divide the " + ch + " channels");
            Tensor y = c.s("mode", "DCR").equals("CRD")
                    ? x.reshape(n, ch / (b * b), b, b, h, w).permute(0, 1, 4, 2, 5, 3)
                    : x.reshape(n, b, b, ch / (b * b), h, w).permute(0, 3, 4, 1, 5, 2);
            return one(y.reshape(n, ch / (b * b), h * b, w * b));
        });
        t.put("SpaceToDepth", c -> {
            Tensor x = c.in(0);
            long b = c.i("blocksize", 0);
            long n = x.size(0), ch = x.size(1), h = x.size(2), w = x.size(3);
            if (b <= 0 || h % b != 0 || w % b != 0) throw c.error("blocksize " + b + " does not divide " + h + "x" + w);
            Tensor blocks = x.reshape(n, ch, h / b, b, w / b, b);
            Tensor y = c.s("mode", "DCR").equals("CRD") ? blocks.permute(0, 1, 3, 5, 2, 4) : blocks.permute(0, 3, 5, 1, 2, 4);
            return one(y.reshape(n, ch * b * b, h / b, w / b));
        });
    }

    private static int clampAxis(long a, int r) {
        if (a < 0) a += r;
        return (int) Math.max(0, Math.min(r, a));
    }

    private static Tensor[] reshape(OpContext c) {
        Tensor x = c.in(0);
        long[] shape = c.opset() >= 5 ? c.longs(1) : c.ints("shape");
        if (shape == null) throw c.error("shape is required");
        boolean allowZero = c.i("allowzero", 0) != 0;
        long[] in = x.shape();
        long[] out = shape.clone();
        int infer = -1;
        long known = 1;
        for (int i = 0; i < out.length; i++) {
            if (out[i] == 0 && !allowZero) {
                if (i >= in.length) throw c.error("shape " + Arrays.toString(shape) + " copies dimension " + i + " that the input (rank " + in.length + ") lacks");
                out[i] = in[i];
            }
            if (out[i] == -1) {
                if (infer >= 0) throw c.error("shape " + Arrays.toString(shape) + " has more than one -1");
                infer = i;
            } else if (out[i] < 0) {
                throw c.error("shape " + Arrays.toString(shape) + " has a negative dimension");
            } else {
                known = Math.multiplyExact(known, out[i]);
            }
        }
        long n = x.numel();
        if (infer >= 0) {
            if (known == 0 || n % known != 0) throw c.error("cannot reshape " + Arrays.toString(in) + " to " + Arrays.toString(shape));
            out[infer] = n / known;
        } else if (known != n) {
            throw c.error("cannot reshape " + Arrays.toString(in) + " (" + n + " elements) to " + Arrays.toString(out));
        }
        return one(x.reshape(out));
    }

    private static Tensor[] split(OpContext c) {
        Tensor x = c.in(0);
        int axis = c.axis(c.i("axis", 0), x.dim());
        long len = x.size(axis);
        long[] sizes = c.opset() >= 13 ? c.longs(1) : c.ints("split");
        int outs = c.outputCount();
        if (sizes == null || sizes.length == 0) {
            int parts = c.opset() >= 18 && c.has("num_outputs") ? (int) c.i("num_outputs", outs) : outs;
            if (parts <= 0 || parts > Math.max(len, outs)) throw c.error("cannot split an axis of " + len + " into " + parts + " parts");
            long chunk = (len + parts - 1) / parts;
            if (!(c.opset() >= 18 && c.has("num_outputs")) && len % parts != 0) throw c.error("axis of size " + len + " does not split into " + parts + " equal parts");
            sizes = new long[parts];
            long left = len;
            for (int i = 0; i < parts; i++) {
                sizes[i] = Math.min(chunk, left);
                left -= sizes[i];
            }
        }
        long sum = 0;
        for (long s : sizes) {
            if (s < 0) throw c.error("split sizes " + Arrays.toString(sizes) + " has a negative entry");
            sum += s;
        }
        if (sum != len) throw c.error("split sizes " + Arrays.toString(sizes) + " do not add up to " + len);
        Tensor[] r = new Tensor[sizes.length];
        long at = 0;
        for (int i = 0; i < sizes.length; i++) {
            r[i] = x.narrow(axis, at, sizes[i]);
            at += sizes[i];
        }
        return r;
    }

    private static Tensor[] slice(OpContext c) {
        Tensor x = c.in(0);
        long[] starts, ends, axes, steps;
        if (c.opset() >= 10) {
            starts = c.longs(1);
            ends = c.longs(2);
            axes = c.longs(3);
            steps = c.longs(4);
        } else {
            starts = c.ints("starts");
            ends = c.ints("ends");
            axes = c.ints("axes");
            steps = null;
        }
        if (starts == null || ends == null || starts.length != ends.length) throw c.error("starts and ends must be given, of the same length");
        int rank = x.dim();
        if (axes == null) {
            axes = new long[starts.length];
            for (int i = 0; i < axes.length; i++) axes[i] = i;
        }
        if (axes.length != starts.length || (steps != null && steps.length != starts.length)) throw c.error("starts, ends, axes and steps must have the same length");
        int[] ax = Util.axes(c, axes, rank);
        Tensor y = x;
        for (int i = 0; i < ax.length; i++) {
            long n = x.size(ax[i]);
            long step = steps == null ? 1 : steps[i];
            if (step == 0) throw c.error("steps must not be 0");
            long s = starts[i], e = ends[i];
            if (s < 0) s += n;
            if (e < 0) e += n;
            if (step > 0) {
                s = Math.max(0, Math.min(n, s));
                e = Math.max(0, Math.min(n, e));
                y = e <= s ? y.narrow(ax[i], 0, 0) : y.slice(ax[i], s, e, step);
            } else {
                s = Math.max(-1, Math.min(n - 1, s));
                e = Math.max(-1, Math.min(n - 1, e));
                // at most n elements whatever the step (a step of Long.MIN_VALUE must not overflow the count)
                long count = s > e ? Math.min(n, 1 + (s - e - 1) / Math.max(1, -Math.max(step, -Long.MAX_VALUE))) : 0;
                long[] idx = new long[(int) count];
                for (int k = 0; k < count; k++) idx[k] = s + k * step;
                y = y.indexSelect(ax[i], OpContext.longsLike(idx, y, idx.length));
            }
        }
        return one(y);
    }

    private static Tensor[] pad(OpContext c) {
        Tensor x = c.in(0);
        String mode = c.s("mode", "constant");
        long[] pads;
        double value;
        long[] axes = null;
        if (c.opset() >= 11) {
            pads = c.longs(1);
            value = c.scalar(2, 0);
            if (c.opset() >= 18) axes = c.longs(3);
        } else {
            pads = c.ints(c.opset() >= 2 ? "pads" : "paddings");
            value = c.f("value", 0f);
        }
        int rank = x.dim();
        int[] ax;
        if (axes == null) {
            ax = new int[rank];
            for (int i = 0; i < rank; i++) ax[i] = i;
        } else {
            ax = Util.axes(c, axes, rank);
        }
        if (pads == null || pads.length != 2 * ax.length) throw c.error("pads must have 2 entries per padded axis (" + 2 * ax.length + "), got " + Arrays.toString(pads));
        long[] out = x.shape();
        for (int i = 0; i < ax.length; i++) out[ax[i]] += pads[i] + pads[i + ax.length];
        c.checkAlloc(out);
        Tensor y = x;
        for (int i = 0; i < ax.length; i++) {
            long before = pads[i], after = pads[i + ax.length];
            if (before == 0 && after == 0) continue;
            switch (mode) {
                case "constant": y = Util.padDim(y, ax[i], before, after, value); break;
                case "reflect": case "edge": case "wrap": {
                    // F.pad pads the last dims; move the axis last, pad it, move it back
                    Tensor m = y.transpose(ax[i], rank - 1);
                    String fm = mode.equals("edge") ? "replicate" : mode.equals("wrap") ? "circular" : "reflect";
                    m = F.pad(m, new long[] {before, after}, fm, 0);
                    y = m.transpose(ax[i], rank - 1);
                    break;
                }
                default: throw c.error("pad mode '" + mode + "' is not supported");
            }
        }
        return one(y);
    }

    private static Tensor[] constant(OpContext c) {
        Tensor v = c.t("value");
        if (v != null) return one(v);
        if (c.has("value_float")) return one(Torch.tensor((double) c.f("value_float", 0f)));
        if (c.has("value_int")) return one(Torch.tensor(c.i("value_int", 0)));
        if (c.has("value_floats")) {
            float[] f = c.floats("value_floats");
            return one(Torch.tensor(f, f.length));
        }
        if (c.has("value_ints")) {
            long[] l = c.ints("value_ints");
            return one(Torch.tensor(l, l.length));
        }
        throw c.error("needs a value, value_float(s) or value_int(s) attribute (sparse and string values are not supported)");
    }

    private static Tensor[] range(OpContext c) {
        Tensor start = c.in(0);
        double s = c.scalar(0, 0), limit = c.scalar(1, 0), delta = c.scalar(2, 0);
        if (delta == 0) throw c.error("delta must not be 0");
        long n = Math.max((long) Math.ceil((limit - s) / delta), 0);
        c.checkAlloc(new long[] {n});
        DType dt = start.dtype();
        Tensor r;
        if (dt.isFloatingPoint()) {
            double[] v = new double[(int) n];
            for (int i = 0; i < n; i++) v[i] = s + i * delta;
            r = Torch.tensor(v, dt, n);
        } else {
            long ls = (long) s, ld = (long) delta;
            long[] v = new long[(int) n];
            for (int i = 0; i < n; i++) v[i] = ls + i * ld;
            r = Torch.tensor(v, dt, n);
        }
        return one(r.to(start.device()));
    }
}
