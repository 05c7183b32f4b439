package dev.kindling.onnx.internal.load.ops;

import dev.kindling.api.DType;
import dev.kindling.api.Tensor;
import dev.kindling.onnx.OnnxException;
import dev.kindling.onnx.internal.load.OpContext;

/** Small helpers shared by the op families. */
final class Util {
    private Util() {}

    static Tensor[] one(Tensor t) { return new Tensor[] {t}; }

    /** The Kindling dtype of an ONNX element type code given in an attribute. */
    static DType dtype(OpContext c, long onnxType) {
        try {
            return dev.kindling.onnx.internal.load.OpSupport.dtype((int) onnxType);
        } catch (OnnxException e) {
            throw c.error(e.getMessage());
        }
    }

    static int[] ints(long[] v) {
        int[] r = new int[v.length];
        for (int i = 0; i < v.length; i++) r[i] = Math.toIntExact(v[i]);
        return r;
    }

    static long prod(long[] shape, int from, int to) {
        long p = 1;
        for (int i = from; i < to; i++) p *= shape[i];
        return p;
    }

    /** Normalised, distinct axes. */
    static int[] axes(OpContext c, long[] axes, int rank) {
        int[] r = new int[axes.length];
        boolean[] seen = new boolean[Math.max(rank, 1)];
        for (int i = 0; i < axes.length; i++) {
            r[i] = c.axis(axes[i], rank);
            if (seen[r[i]]) throw c.error("axis " + axes[i] + " is given twice");
            seen[r[i]] = true;
        }
        return r;
    }

    /** Pads (or crops, when negative) one dimension of {@code x} with {@code value}. */
    static Tensor padDim(Tensor x, int dim, long before, long after, double value) {
        if (before == 0 && after == 0) return x;
        long[] out = x.shape();
        out[dim] += before + after;
        OpContext.checkSize(out); // pads come from attributes and inputs: a hostile one must not exhaust memory
        long[] p = new long[2 * (x.dim() - dim)];
        p[p.length - 2] = before;
        p[p.length - 1] = after;
        return x.pad(p, value);
    }

    /** The broadcast of two shapes (numpy rules). */
    static long[] broadcast(OpContext c, long[] a, long[] b) {
        int n = Math.max(a.length, b.length);
        long[] r = new long[n];
        for (int i = 0; i < n; i++) {
            long x = i < n - a.length ? 1 : a[i - (n - a.length)];
            long y = i < n - b.length ? 1 : b[i - (n - b.length)];
            if (x != y && x != 1 && y != 1) throw c.error("shapes " + java.util.Arrays.toString(a) + " and " + java.util.Arrays.toString(b) + " do not broadcast");
            r[i] = x == 1 ? y : x;
        }
        return r;
    }
}
