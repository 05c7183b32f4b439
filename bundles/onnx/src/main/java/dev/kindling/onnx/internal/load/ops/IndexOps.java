package dev.kindling.onnx.internal.load.ops;

import dev.kindling.api.DType;
import dev.kindling.api.Tensor;
import dev.kindling.api.Torch;
import dev.kindling.onnx.internal.load.OpContext;
import dev.kindling.onnx.internal.load.OpTable;

import java.util.Arrays;

import static dev.kindling.onnx.internal.load.ops.Util.one;

/** Gather/Scatter families, OneHot, NonZero, Compress. ONNX indices may be negative (counted from the end). */
public final class IndexOps {
    private IndexOps() {}

    public static void register(OpTable t) {
        t.put("Gather", c -> {
            Tensor x = c.in(0), idx = c.in(1);
            int axis = c.axis(c.i("axis", 0), x.dim());
            Tensor i = positive(c, idx, x.size(axis));
            long[] xs = x.shape(), is = idx.shape();
            long[] out = new long[xs.length - 1 + is.length];
            System.arraycopy(xs, 0, out, 0, axis);
            System.arraycopy(is, 0, out, axis, is.length);
            System.arraycopy(xs, axis + 1, out, axis + is.length, xs.length - axis - 1);
            return one(x.indexSelect(axis, i.reshape(-1)).reshape(out));
        });
        t.put("GatherElements", c -> {
            Tensor x = c.in(0);
            int axis = c.axis(c.i("axis", 0), x.dim());
            return one(x.gather(axis, positive(c, c.in(1), x.size(axis))));
        });
        t.put("GatherND", IndexOps::gatherNd);
        t.put("ScatterElements", IndexOps::scatterElements);
        t.put("Scatter", IndexOps::scatterElements);
        t.put("ScatterND", IndexOps::scatterNd);
        t.put("OneHot", c -> {
            Tensor idx = c.in(0), values = c.in(2);
            long depth = (long) c.scalar(1, 0);
            if (depth <= 0) throw c.error("depth must be positive, got " + depth);
            if (values.numel() != 2) throw c.error("values must hold [off, on]");
            int rank = idx.dim() + 1;
            int axis = c.axis(c.i("axis", -1), rank);
            long[] outShape = new long[rank];
            for (int d = 0, j = 0; d < rank; d++) outShape[d] = d == axis ? depth : idx.size(j++);
            c.checkAlloc(outShape);
            Tensor i = idx.dtype().isFloatingPoint() ? idx.trunc().toLong() : idx.toLong();
            i = Torch.where(i.lt(0.0), i.add(depth), i);
            long[] shape = new long[rank];
            Arrays.fill(shape, 1);
            shape[axis] = depth;
            Tensor range = Torch.arange(depth).reshape(shape).to(idx.device());
            Tensor hot = i.unsqueeze(axis).eq(range);
            Tensor flat = values.reshape(2);
            return one(Torch.where(hot, flat.select(0, 1), flat.select(0, 0)));
        });
        t.put("ReverseSequence", c -> {
            Tensor x = c.in(0);
            long[] lens = c.longs(1);
            int time = c.axis(c.i("time_axis", 0), x.dim()), batch = c.axis(c.i("batch_axis", 1), x.dim());
            long steps = x.size(time), n = x.size(batch);
            if (lens.length != n) throw c.error("sequence_lens has " + lens.length + " entries for a batch of " + n);
            // per (time, batch): the source time step; shaped to broadcast over the other axes for gather
            long[] idx = new long[(int) (steps * n)];
            for (int s = 0; s < steps; s++) {
                for (int b = 0; b < n; b++) {
                    long len = Math.max(0, Math.min(steps, lens[b]));
                    idx[(int) (time < batch ? s * n + b : b * steps + s)] = s < len ? len - 1 - s : s;
                }
            }
            long[] shape = new long[x.dim()];
            Arrays.fill(shape, 1);
            shape[time] = steps;
            shape[batch] = n;
            Tensor index = OpContext.longsLike(idx, x, shape).expand(x.shape());
            return one(x.gather(time, index));
        });
        t.put("Unique", IndexOps::unique);
        t.put("TensorScatter", IndexOps::tensorScatter);
        t.put("NonZero", c -> {
            Tensor x = c.in(0);
            boolean[] nz = x.ne(0.0).toBooleanArray();
            long[] shape = x.shape();
            int rank = shape.length, count = 0;
            for (boolean b : nz) if (b) count++;
            long[] out = new long[rank * count];
            int k = 0;
            for (int flat = 0; flat < nz.length; flat++) {
                if (!nz[flat]) continue;
                long rem = flat;
                for (int d = rank - 1; d >= 0; d--) {
                    out[d * count + k] = rem % shape[d];
                    rem /= shape[d];
                }
                k++;
            }
            return one(OpContext.longsLike(out, x, rank, count));
        });
        t.put("Compress", c -> {
            Tensor x = c.in(0);
            boolean[] cond = c.in(1).toBooleanArray();
            Tensor src = c.has("axis") ? x : x.reshape(-1);
            int axis = c.has("axis") ? c.axis(c.i("axis", 0), x.dim()) : 0;
            int n = (int) Math.min(cond.length, src.size(axis));
            long[] keep = new long[n];
            int k = 0;
            for (int i = 0; i < n; i++) if (cond[i]) keep[k++] = i;
            return one(src.indexSelect(axis, OpContext.longsLike(Arrays.copyOf(keep, k), x, k)));
        });
    }

    /**
     * Unique slices along {@code axis} (elements when no axis): found on the host, but Y is gathered from the input,
     * so gradients flow. Outputs Y, first-occurrence indices, inverse indices and counts, sorted or in first-seen order.
     */
    private static Tensor[] unique(OpContext c) {
        Tensor x = c.in(0);
        boolean hasAxis = c.has("axis");
        Tensor src = hasAxis ? x : x.reshape(-1);
        int axis = hasAxis ? c.axis(c.i("axis", 0), x.dim()) : 0;
        long n = src.size(axis);
        double[] flat = src.transpose(0, axis).contiguous().toDoubleArray();
        int width = n == 0 ? 0 : (int) (flat.length / n);
        java.util.Comparator<Integer> byValue = (p, q) -> {
            for (int k = 0; k < width; k++) {
                int r = Double.compare(flat[p * width + k], flat[q * width + k]);
                if (r != 0) return r;
            }
            return 0;
        };
        java.util.TreeMap<Integer, Integer> firstOf = new java.util.TreeMap<>(byValue); // row -> first index
        java.util.List<Integer> order = new java.util.ArrayList<>();
        for (int i = 0; i < n; i++) {
            if (!firstOf.containsKey(i)) {
                firstOf.put(i, i);
                order.add(i);
            }
        }
        java.util.List<Integer> uniq = c.i("sorted", 1) != 0 ? new java.util.ArrayList<>(firstOf.values()) : order;
        java.util.Map<Integer, Integer> slot = new java.util.HashMap<>();
        for (int k = 0; k < uniq.size(); k++) slot.put(uniq.get(k), k);
        long[] first = new long[uniq.size()], counts = new long[uniq.size()], inverse = new long[(int) n];
        for (int k = 0; k < first.length; k++) first[k] = uniq.get(k);
        for (int i = 0; i < n; i++) {
            int k = slot.get(firstOf.get(i));
            inverse[i] = k;
            counts[k]++;
        }
        Tensor y = src.indexSelect(axis, OpContext.longsLike(first, x, first.length));
        return new Tensor[] {y, OpContext.longsLike(first, x, first.length), OpContext.longsLike(inverse, x, inverse.length),
                OpContext.longsLike(counts, x, counts.length)};
    }

    /**
     * TensorScatter (a KV-cache write): batch entry b of the update goes to positions write_indices[b] + s along the
     * sequence axis, wrapping around in circular mode.
     */
    private static Tensor[] tensorScatter(OpContext c) {
        Tensor cache = c.in(0), upd = c.in(1);
        int axis = c.axis(c.i("axis", -2), cache.dim());
        if (axis == 0) throw c.error("the sequence axis cannot be the batch axis");
        String mode = c.s("mode", "linear");
        if (!mode.equals("linear") && !mode.equals("circular")) throw c.error("mode must be linear or circular");
        long[] cs = cache.shape(), us = upd.shape();
        if (cs.length != us.length) throw c.error("cache and update differ in rank");
        for (int d = 0; d < cs.length; d++) {
            if (d == axis ? us[d] > cs[d] : us[d] != cs[d]) throw c.error("update " + Arrays.toString(us) + " does not fit cache " + Arrays.toString(cs));
        }
        long max = cs[axis], len = us[axis], batch = cs[0];
        long[] start = c.opt(2) == null ? new long[(int) batch] : c.longs(2);
        if (start.length != batch) throw c.error("write_indices needs one entry per batch entry");
        long[] pos = new long[(int) (batch * len)];
        for (int b = 0; b < batch; b++) {
            for (int s = 0; s < len; s++) {
                long p = start[b] + s;
                if (mode.equals("circular")) p = Math.floorMod(p, max);
                if (p < 0 || p >= max) throw c.error("write position " + p + " is outside the cache of " + max);
                pos[(int) (b * len + s)] = p;
            }
        }
        long[] shape = new long[cs.length];
        Arrays.fill(shape, 1);
        shape[0] = batch;
        shape[axis] = len;
        Tensor index = OpContext.longsLike(pos, cache, shape).expand(us);
        return one(cache.scatter(axis, index, upd));
    }

    /** Indices made non-negative (and INT64), with out-of-range ones an error. */
    static Tensor positive(OpContext c, Tensor idx, long n) {
        if (!idx.dtype().isIntegral()) throw c.error("indices must be integers, got " + idx.dtype().torchName());
        Tensor i = idx.toLong();
        if (i.numel() > 0) {
            long lo = i.min().itemLong(), hi = i.max().itemLong();
            if (lo < -n || hi >= n) throw c.error("index " + (lo < -n ? lo : hi) + " is out of range for an axis of size " + n);
        }
        return Torch.where(i.lt(0.0), i.add(n), i);
    }

    private static Tensor[] scatterElements(OpContext c) {
        Tensor x = c.in(0), upd = c.in(2);
        int axis = c.axis(c.i("axis", 0), x.dim());
        Tensor idx = positive(c, c.in(1), x.size(axis));
        String red = c.s("reduction", "none");
        switch (red) {
            case "none": return one(x.scatter(axis, idx, upd));
            case "add": return one(x.scatterAdd(axis, idx, upd));
            case "mul": case "max": case "min": return one(scatterReduce(c, x, axis, idx, upd, red));
            default: throw c.error("reduction '" + red + "' is not one of none, add, mul, max, min");
        }
    }

    /**
     * ScatterElements with mul/max/min, which Kindling has no kernel for: computed on the host (in double, or long
     * for integer types), so no gradient flows through these three reductions.
     */
    private static Tensor scatterReduce(OpContext c, Tensor x, int axis, Tensor idx, Tensor upd, String red) {
        long[] xs = x.shape(), is = idx.shape();
        if (!Arrays.equals(is, upd.shape())) throw c.error("indices " + Arrays.toString(is) + " and updates " + Arrays.toString(upd.shape()) + " differ in shape");
        boolean integral = !x.dtype().isFloatingPoint();
        long[] li = idx.toLongArray();
        double[] dv = integral ? null : x.toDoubleArray(), du = integral ? null : upd.toDoubleArray();
        long[] lv = integral ? x.toLongArray() : null, lu = integral ? upd.toLongArray() : null;
        long[] stride = new long[xs.length];
        for (int d = xs.length - 1, acc = 1; d >= 0; d--) {
            stride[d] = acc;
            acc *= (int) xs[d];
        }
        int[] pos = new int[is.length];
        for (int p = 0; p < li.length; p++) {
            long off = 0;
            for (int d = 0; d < is.length; d++) {
                if (d != axis && pos[d] >= xs[d]) throw c.error("indices extend past the data along axis " + d);
                off += (d == axis ? li[p] : pos[d]) * stride[d];
            }
            if (integral) lv[(int) off] = red.equals("mul") ? lv[(int) off] * lu[p] : red.equals("max") ? Math.max(lv[(int) off], lu[p]) : Math.min(lv[(int) off], lu[p]);
            else dv[(int) off] = red.equals("mul") ? dv[(int) off] * du[p] : red.equals("max") ? Math.max(dv[(int) off], du[p]) : Math.min(dv[(int) off], du[p]);
            for (int d = is.length - 1; d >= 0 && ++pos[d] == is[d]; d--) pos[d] = 0;
        }
        return Torch.tensor(integral ? lv : dv, x.dtype(), xs).to(x.device());
    }

    /** Indices of the last dimension of {@code idx} as rows of the leading dims of {@code x} flattened. */
    private static Tensor linearRows(OpContext c, Tensor x, Tensor idx, int batchDims) {
        long[] xs = x.shape(), is = idx.shape();
        int k = (int) is[is.length - 1];
        if (k + batchDims > xs.length) throw c.error("index tuples of length " + k + " exceed the data rank " + xs.length);
        Tensor lin = null;
        for (int j = 0; j < k; j++) {
            long n = xs[batchDims + j];
            Tensor ij = positive(c, idx.select(idx.dim() - 1, j), n);
            lin = lin == null ? ij : lin.mul(n).add(ij);
        }
        return lin == null ? Torch.zeros(DType.INT64, Arrays.copyOf(is, is.length - 1)).to(x.device()) : lin;
    }

    private static Tensor[] gatherNd(OpContext c) {
        Tensor x = c.in(0), idx = c.in(1);
        int b = (int) c.i("batch_dims", 0);
        long[] xs = x.shape(), is = idx.shape();
        int k = (int) is[is.length - 1];
        if (b < 0 || b >= is.length || b > xs.length) throw c.error("batch_dims " + b + " is out of range");
        long batch = Util.prod(xs, 0, b);
        long rowsPer = Util.prod(xs, b, b + k);
        long[] rest = Arrays.copyOfRange(xs, b + k, xs.length);
        Tensor lin = linearRows(c, x, idx, b).reshape(batch, -1); // [batch, m]
        long m = lin.size(1);
        Tensor offs = Torch.arange(batch).mul(rowsPer).unsqueeze(1).to(x.device());
        long[] flatShape = new long[1 + rest.length];
        flatShape[0] = batch * rowsPer;
        System.arraycopy(rest, 0, flatShape, 1, rest.length);
        Tensor rows = x.reshape(flatShape).indexSelect(0, lin.add(offs).reshape(-1));
        long[] out = new long[is.length - 1 + rest.length];
        System.arraycopy(is, 0, out, 0, is.length - 1);
        System.arraycopy(rest, 0, out, is.length - 1, rest.length);
        return one(rows.reshape(out));
    }

    private static Tensor[] scatterNd(OpContext c) {
        Tensor x = c.in(0), idx = c.in(1), upd = c.in(2);
        long[] xs = x.shape(), is = idx.shape();
        int k = (int) is[is.length - 1];
        long rows = Util.prod(xs, 0, k);
        long[] flat = new long[1 + xs.length - k];
        flat[0] = rows;
        System.arraycopy(xs, k, flat, 1, xs.length - k);
        long rowLen = Util.prod(xs, k, xs.length);
        Tensor lin = linearRows(c, x, idx, 0).reshape(-1);
        long m = lin.size(0);
        Tensor index = lin.reshape(m, 1).expand(m, rowLen);
        Tensor src = upd.reshape(m, rowLen);
        Tensor base = x.reshape(rows, rowLen);
        String red = c.s("reduction", "none");
        Tensor r;
        switch (red) {
            case "none": r = base.scatter(0, index, src); break;
            case "add": r = base.scatterAdd(0, index, src); break;
            case "mul": case "max": case "min": {
                // no scatter kernel for these: combine row by row and write back (duplicate indices fold in order)
                Tensor out = base;
                long[] li = lin.toLongArray();
                for (int i = 0; i < li.length; i++) {
                    Tensor old = out.narrow(0, li[i], 1), upd1 = src.narrow(0, i, 1);
                    Tensor row = red.equals("mul") ? old.mul(upd1) : red.equals("max") ? old.maximum(upd1) : old.minimum(upd1);
                    out = out.scatter(0, index.narrow(0, i, 1), row);
                }
                r = out;
                break;
            }
            default: throw c.error("reduction '" + red + "' is not one of none, add, mul, max, min");
        }
        return one(r.reshape(xs));
    }
}
