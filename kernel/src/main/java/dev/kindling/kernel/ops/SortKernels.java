package dev.kindling.kernel.ops;

import dev.kindling.api.DType;
import dev.kindling.api.Tensor;
import dev.kindling.kernel.tensor.HostData;

import java.util.Arrays;
import java.util.Comparator;

import static dev.kindling.kernel.ops.Kernels.dim;

/**
 * Forwards of sort, argsort and topk, computed on the host (the backend has no sort primitive yet): stable, with
 * NaN ordered as the largest value, as PyTorch's CPU kernels.
 */
final class SortKernels {
    private SortKernels() {}

    /** Values and indices of the first {@code k} elements of each slice along dim in the requested order. */
    static Tensor[] sorted(DenseTensor x, int dim, boolean descending, long k, String op) {
        int d = dim(dim, Math.max(x.dim(), 1));
        long[] shape = x.shapeRef();
        long n = shape.length == 0 ? 1 : shape[d];
        if (k < 0 || k > n) throw new IllegalArgumentException("selected index k out of range (in " + op + ")");
        long inner = 1;
        for (int i = d + 1; i < shape.length; i++) inner *= shape[i];
        long outer = x.numel() / Math.max(1, n * inner);
        boolean floating = x.dtype().isFloatingPoint();
        Object host = x.backend().toHost(x.view());
        double[] f = floating ? HostData.doubles(host, x.dtype()) : null;
        long[] l = floating ? null : HostData.longs(host, x.dtype());
        Comparator<Integer> ascending = floating
                ? (a, b) -> compare(f[a], f[b])
                : (a, b) -> Long.compare(l[a], l[b]);
        Comparator<Integer> order = descending ? ascending.reversed() : ascending; // List.sort is stable either way
        int kk = Math.toIntExact(k);
        long[] outShape = shape.clone();
        if (shape.length > 0) outShape[d] = k;
        int total = Math.toIntExact(outer * k * inner);
        double[] fv = floating ? new double[total] : null;
        long[] lv = floating ? null : new long[total];
        long[] idx = new long[total];
        Integer[] slice = new Integer[Math.toIntExact(n)];
        for (long o = 0; o < outer; o++) {
            for (long in = 0; in < inner; in++) {
                for (int j = 0; j < n; j++) slice[j] = Math.toIntExact((o * n + j) * inner + in);
                Arrays.sort(slice, order);
                for (int j = 0; j < kk; j++) {
                    int at = Math.toIntExact((o * k + j) * inner + in);
                    if (floating) fv[at] = f[slice[j]];
                    else lv[at] = l[slice[j]];
                    idx[at] = (slice[j] / inner) % n;
                }
            }
        }
        DenseTensor values = DenseTensor.contiguous(x.kernel(), x.handle(),
                x.backend().fromHost(x.device(), x.dtype(), floating ? fv : (Object) lv), outShape);
        DenseTensor indices = DenseTensor.contiguous(x.kernel(), x.handle(), x.backend().fromHost(x.device(), DType.INT64, idx), outShape);
        return new Tensor[] {values, indices};
    }

    /** NaN above everything (+inf included), -0.0 equal to 0.0, as in PyTorch's sort. */
    private static int compare(double a, double b) {
        if (Double.isNaN(a)) return Double.isNaN(b) ? 0 : 1;
        if (Double.isNaN(b)) return -1;
        return a < b ? -1 : a > b ? 1 : 0;
    }
}
