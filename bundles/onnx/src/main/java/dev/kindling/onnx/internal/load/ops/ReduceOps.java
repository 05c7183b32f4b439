package dev.kindling.onnx.internal.load.ops;

import dev.kindling.api.Tensor;
import dev.kindling.api.Torch;
import dev.kindling.onnx.internal.load.OpContext;
import dev.kindling.onnx.internal.load.OpTable;

import java.util.Arrays;
import java.util.function.BiFunction;

import static dev.kindling.onnx.internal.load.ops.Util.one;

/** Reduce*, ArgMax/ArgMin and TopK. */
public final class ReduceOps {
    private ReduceOps() {}

    /** A reduction over the given (normalised, non-empty) axes, keeping them as size 1. */
    private interface Reduction extends BiFunction<Tensor, int[], Tensor> {}

    public static void register(OpTable t) {
        // ReduceSum's axes became an input at opset 13, the others' at 18
        reduce(t, "ReduceSum", 13, 0, (x, a) -> x.sum(a, true).to(x.dtype()));
        reduce(t, "ReduceMean", 18, Double.NaN, (x, a) -> x.mean(a, true));
        reduce(t, "ReduceMax", 18, Double.NEGATIVE_INFINITY, (x, a) -> x.amax(a, true));
        reduce(t, "ReduceMin", 18, Double.POSITIVE_INFINITY, (x, a) -> x.amin(a, true));
        reduce(t, "ReduceProd", 18, 1, (x, a) -> {
            Tensor r = x;
            for (int d : a) r = r.prod(d, true);
            return r.to(x.dtype());
        });
        reduce(t, "ReduceL1", 18, 0, (x, a) -> x.abs().sum(a, true).to(x.dtype()));
        reduce(t, "ReduceL2", 18, 0, (x, a) -> x.mul(x).sum(a, true).sqrt().to(x.dtype()));
        reduce(t, "ReduceSumSquare", 18, 0, (x, a) -> x.mul(x).sum(a, true).to(x.dtype()));
        reduce(t, "ReduceLogSum", 18, Double.NEGATIVE_INFINITY, (x, a) -> x.sum(a, true).log());
        reduce(t, "ReduceLogSumExp", 18, Double.NEGATIVE_INFINITY, (x, a) -> {
            Tensor m = x.amax(a, true).detach();
            Tensor finite = m.where(m.isfinite(), 0.0); // keeps -inf rows from turning into NaN
            return x.sub(finite).exp().sum(a, true).log().add(finite);
        });
        t.put("ArgMax", c -> one(arg(c, true)));
        t.put("ArgMin", c -> one(arg(c, false)));
        t.put("TopK", ReduceOps::topk);
    }

    /** {@code empty}: the result of reducing no elements (ONNX defines it: 0 for sums, -inf for max, ...). */
    private static void reduce(OpTable t, String name, int axesInputSince, double empty, Reduction f) {
        t.put(name, c -> {
            Tensor x = c.in(0);
            long[] axes = c.opset() >= axesInputSince ? c.longs(1) : c.ints("axes");
            boolean keep = c.i("keepdims", 1) != 0;
            int rank = x.dim();
            if (axes == null || axes.length == 0) {
                if (c.opset() >= axesInputSince && c.i("noop_with_empty_axes", 0) != 0) return one(x);
                axes = new long[rank];
                for (int i = 0; i < rank; i++) axes[i] = i;
            }
            int[] a = Util.axes(c, axes, rank);
            if (rank == 0) return one(f.apply(x.reshape(1), new int[] {0}).reshape());
            Tensor r;
            if (x.numel() == 0) {
                long[] kept = x.shape();
                for (int d : a) kept[d] = 1;
                boolean anyEmpty = false;
                for (int d : a) anyEmpty |= x.size(d) == 0;
                // max/min kernels refuse empty input; an empty reduction is the op's identity, and none is computed
                // where the empty dim is kept
                r = anyEmpty ? Torch.full(kept, x.dtype().isBool() ? (empty > 0 ? 1 : 0) : empty, x.dtype(), x.device())
                        : Torch.zeros(kept, x.dtype(), x.device());
            } else {
                r = f.apply(x, a);
            }
            if (keep) return one(r);
            long[] shape = r.shape();
            boolean[] drop = new boolean[rank];
            for (int d : a) drop[d] = true;
            long[] out = new long[rank - a.length];
            for (int i = 0, j = 0; i < rank; i++) if (!drop[i]) out[j++] = shape[i];
            return one(r.reshape(out));
        });
    }

    private static Tensor arg(OpContext c, boolean max) {
        Tensor x = c.in(0);
        int axis = c.axis(c.i("axis", 0), x.dim());
        boolean keep = c.i("keepdims", 1) != 0;
        if (c.i("select_last_index", 0) != 0) {
            // the last of equal extremes: search the flipped axis, then map the index back
            Tensor flipped = x.flip(axis);
            Tensor i = max ? flipped.argmax(axis, keep) : flipped.argmin(axis, keep);
            return i.neg().add(x.size(axis) - 1);
        }
        return max ? x.argmax(axis, keep) : x.argmin(axis, keep);
    }

    private static Tensor[] topk(OpContext c) {
        Tensor x = c.in(0);
        long k;
        if (c.opset() >= 10) {
            long[] kv = c.longs(1);
            if (kv == null || kv.length != 1) throw c.error("K must be a tensor of one value, got " + Arrays.toString(kv));
            k = kv[0];
        } else {
            k = c.i("k", -1);
        }
        int axis = c.axis(c.i("axis", -1), x.dim());
        if (k < 0 || k > x.size(axis)) throw c.error("k = " + k + " is out of range for axis " + axis + " of size " + x.size(axis));
        boolean largest = c.i("largest", 1) != 0;
        Tensor.ValuesIndices r = x.topk(k, axis, largest, true);
        return new Tensor[] {r.values(), r.indices()};
    }
}
