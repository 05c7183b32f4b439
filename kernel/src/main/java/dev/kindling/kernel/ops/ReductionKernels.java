package dev.kindling.kernel.ops;

import dev.kindling.api.DType;
import dev.kindling.api.Tensor;
import dev.kindling.kernel.spi.BinaryOp;
import dev.kindling.kernel.spi.ReduceOp;
import dev.kindling.kernel.spi.UnaryOp;

import java.util.Arrays;

import static dev.kindling.kernel.ops.CopyKernels.*;
import static dev.kindling.kernel.ops.ElementwiseKernels.*;
import static dev.kindling.kernel.ops.Kernels.*;
import static dev.kindling.kernel.ops.ViewKernels.*;

/**
 * Forwards of the reductions: sum, mean, prod, max/min, arg-extremes, var, norm, logsumexp, all/any, softmax, and the
 * cumulative sum.
 * Forwards call each other directly (never through the dispatcher), so an op's internals are not recorded by
 * autograd.
 */
final class ReductionKernels {
    private ReductionKernels() {}

    static DenseTensor reduce(ReduceOp op, DenseTensor x, int[] dims, boolean keepdim, DType outType, String name) {
        int[] nd = normDims(dims, x.dim(), name);
        long[] kept = keptShape(x.shapeRef(), nd);
        DenseTensor src = x.dtype() == outType || op == ReduceOp.MAX || op == ReduceOp.MIN ? x : toCopy(x, outType, x.device());
        DenseTensor out = x.newTensor(outType, kept);
        x.backend().reduce(op, src.view(), nd, out.view());
        return keepdim ? out : reshaped(out, droppedShape(x.shapeRef(), nd));
    }

    static DenseTensor sum(DenseTensor x, int[] dims, boolean keepdim) {
        DType t = x.dtype().isFloatingPoint() ? x.dtype() : DType.INT64;
        return reduce(ReduceOp.SUM, x, dims, keepdim, t, "sum");
    }

    static void requireFloating(DenseTensor x, String op) {
        if (!x.dtype().isFloatingPoint()) {
            throw new IllegalArgumentException(op + "(): could not infer output dtype. Input dtype must be either a floating point "
                    + "or complex dtype. Got: " + torchTypeName(x.dtype()));
        }
    }

    static DenseTensor mean(DenseTensor x, int[] dims, boolean keepdim) {
        requireFloating(x, "mean");
        int[] nd = normDims(dims, x.dim(), "mean");
        DenseTensor s = sum(x, nd, keepdim);
        long n = count(x.shapeRef(), nd);
        return binary(BinaryOp.DIV, s, wrapped(s, (double) n), 1.0);
    }

    static DenseTensor prod(DenseTensor x, int[] dims, boolean keepdim) {
        DType t = x.dtype().isFloatingPoint() ? x.dtype() : DType.INT64;
        return reduce(ReduceOp.PROD, x, dims, keepdim, t, "prod");
    }

    static DenseTensor extremeAll(DenseTensor x, boolean max) {
        if (x.numel() == 0) {
            throw new IllegalArgumentException((max ? "max" : "min") + "(): Expected reduction dim to be specified for input.numel() == 0. "
                    + "Specify the reduction dim with the 'dim' argument.");
        }
        return reduce(max ? ReduceOp.MAX : ReduceOp.MIN, x, null, false, x.dtype(), max ? "max" : "min");
    }

    static Tensor[] extremeDim(DenseTensor x, int dim, boolean keepdim, boolean max) {
        int d = dim(dim, x.dim());
        if (x.dim() > 0 && x.shapeRef()[d] == 0) {
            throw new IndexOutOfBoundsException((max ? "max" : "min") + "(): Expected reduction dim " + d + " to have non-zero size.");
        }
        long[] kept = x.dim() == 0 ? new long[0] : keptShape(x.shapeRef(), new int[] {d});
        DenseTensor values = x.newTensor(x.dtype(), kept);
        DenseTensor indices = x.newTensor(DType.INT64, kept);
        if (x.dim() == 0) {
            x.backend().copy(x.view(), values.view());
        } else {
            x.backend().argReduce(max, x.view(), d, values.view(), indices.view());
        }
        if (!keepdim && x.dim() > 0) {
            long[] dropped = droppedShape(x.shapeRef(), new int[] {d});
            values = reshaped(values, dropped);
            indices = reshaped(indices, dropped);
        }
        return new Tensor[] {values, indices};
    }

    static DenseTensor argExtreme(DenseTensor x, Integer dim, boolean keepdim, boolean max) {
        if (dim == null) {
            if (x.numel() == 0) throw new IllegalArgumentException((max ? "argmax" : "argmin") + "(): Expected reduction dim to be specified for input.numel() == 0.");
            DenseTensor flat = reshape(x, new long[] {-1});
            DenseTensor idx = (DenseTensor) extremeDim(flat, 0, false, max)[1];
            return keepdim ? reshaped(idx, onesShape(x.dim())) : idx;
        }
        return (DenseTensor) extremeDim(x, dim, keepdim, max)[1];
    }

    private static long[] onesShape(int rank) {
        long[] s = new long[rank];
        Arrays.fill(s, 1);
        return s;
    }

    static DenseTensor var(DenseTensor x, int[] dims, int correction, boolean keepdim) {
        if (!x.dtype().isFloatingPoint()) {
            throw new IllegalArgumentException("std and var only support floating point and complex dtypes, got " + torchTypeName(x.dtype()));
        }
        int[] nd = normDims(dims, x.dim(), "var");
        long n = count(x.shapeRef(), nd);
        DenseTensor m = mean(x, nd, true);
        DenseTensor dev = binary(BinaryOp.SUB, x, m, 1.0);
        DenseTensor sq = binary(BinaryOp.MUL, dev, dev, 1.0);
        DenseTensor s = sum(sq, nd, keepdim);
        return binary(BinaryOp.DIV, s, wrapped(s, (double) Math.max(0, n - correction)), 1.0);
    }

    static DenseTensor norm(DenseTensor x, double p, int[] dims, boolean keepdim) {
        if (!x.dtype().isFloatingPoint()) {
            throw new IllegalArgumentException("linalg.vector_norm: Expected a floating point or complex tensor as input. Got " + torchTypeName(x.dtype()));
        }
        DenseTensor a = unary(UnaryOp.ABS, x);
        if (p == 2) {
            return unary(UnaryOp.SQRT, sum(binary(BinaryOp.MUL, a, a, 1.0), dims, keepdim));
        }
        if (p == 1) return sum(a, dims, keepdim);
        if (Double.isInfinite(p)) return reduce(p > 0 ? ReduceOp.MAX : ReduceOp.MIN, a, dims, keepdim, a.dtype(), "norm");
        if (p == 0) {
            DenseTensor nz = binary(BinaryOp.NE, a, wrapped(a, 0L), 1.0);
            return sum(toCopy(nz, x.dtype(), x.device()), dims, keepdim);
        }
        DenseTensor s = sum(binary(BinaryOp.POW, a, wrapped(a, p), 1.0), dims, keepdim);
        return binary(BinaryOp.POW, s, wrapped(s, 1.0 / p), 1.0);
    }

    static DenseTensor logsumexp(DenseTensor x, int[] dims, boolean keepdim) {
        DenseTensor xf = x.dtype().isFloatingPoint() ? x : toCopy(x, DType.FLOAT32, x.device());
        int[] nd = normDims(dims, xf.dim(), "logsumexp");
        DenseTensor m = reduce(ReduceOp.MAX, xf, nd, true, xf.dtype(), "logsumexp");
        // Where the max is infinite, shift by 0 so that inf - inf does not produce NaN.
        DenseTensor finite = unary(UnaryOp.ISFINITE, m);
        DenseTensor shift = where(finite, m, wrapped(m, 0L));
        DenseTensor e = unary(UnaryOp.EXP, binary(BinaryOp.SUB, xf, shift, 1.0));
        DenseTensor s = unary(UnaryOp.LOG, sum(e, nd, true));
        DenseTensor r = binary(BinaryOp.ADD, s, shift, 1.0);
        return keepdim ? r : reshaped(CopyKernels.clone(r), droppedShape(xf.shapeRef(), nd));
    }

    static DenseTensor reduceBool(DenseTensor x, ReduceOp op) {
        // As PyTorch 1.13: uint8 input keeps uint8, everything else gives bool.
        DType out = x.dtype() == DType.UINT8 ? DType.UINT8 : DType.BOOL;
        return reduce(op, x, null, false, out, op == ReduceOp.ALL ? "all" : "any");
    }

    static DenseTensor softmax(DenseTensor x, int dim, boolean log) {
        if (!x.dtype().isFloatingPoint()) {
            throw new IllegalArgumentException("\"" + (log ? "log_softmax" : "softmax") + "\" not implemented for '" + torchTypeName(x.dtype())
                    + "': it needs a floating dtype (convert with toFloat())");
        }
        int d = x.dim() == 0 ? 0 : dim(dim, x.dim());
        DenseTensor out = x.newTensor(x.dtype(), x.shapeRef());
        if (x.dim() == 0) {
            x.backend().fill(out.view(), log ? 0.0 : 1.0);
            return out;
        }
        x.backend().softmax(x.view(), d, log, out.view());
        return out;
    }

    /**
     * Cumulative sum or product along {@code dim}, on the host: floating inputs accumulate in double, as PyTorch's CPU
     * kernel does, integers and bool in int64 (the result dtype). A scan has no backend primitive yet.
     */
    static DenseTensor scan(DenseTensor x, int dim, boolean product) {
        int d = dim(dim, Math.max(x.dim(), 1));
        DType out = x.dtype().isFloatingPoint() ? x.dtype() : DType.INT64;
        long[] shape = x.shapeRef();
        long n = shape.length == 0 ? 1 : shape[d];
        long inner = 1;
        for (int i = d + 1; i < shape.length; i++) inner *= shape[i];
        long outer = x.numel() / Math.max(1, n * inner);
        Object host = x.backend().toHost(x.view());
        Object result;
        if (out.isFloatingPoint()) {
            double[] v = dev.kindling.kernel.tensor.HostData.doubles(host, x.dtype());
            for (long o = 0; o < outer; o++) {
                for (long in = 0; in < inner; in++) {
                    double acc = product ? 1 : 0;
                    for (long k = 0; k < n; k++) {
                        int at = Math.toIntExact((o * n + k) * inner + in);
                        acc = product ? acc * v[at] : acc + v[at];
                        v[at] = acc;
                    }
                }
            }
            result = v;
        } else {
            long[] v = dev.kindling.kernel.tensor.HostData.longs(host, x.dtype());
            for (long o = 0; o < outer; o++) {
                for (long in = 0; in < inner; in++) {
                    long acc = product ? 1 : 0;
                    for (long k = 0; k < n; k++) {
                        int at = Math.toIntExact((o * n + k) * inner + in);
                        acc = product ? acc * v[at] : acc + v[at];
                        v[at] = acc;
                    }
                }
            }
            result = v;
        }
        return DenseTensor.contiguous(x.kernel(), x.handle(), x.backend().fromHost(x.device(), out, result), shape);
    }

    /** torch.unique's parts (_unique2): sorted distinct values, and when asked each element's index and the counts. */
    static Tensor[] unique(DenseTensor x, boolean inverse, boolean counts) {
        boolean floating = x.dtype().isFloatingPoint();
        Object host = x.backend().toHost(x.view());
        int n = Math.toIntExact(x.numel());
        double[] f = floating ? dev.kindling.kernel.tensor.HostData.doubles(host, x.dtype()) : null;
        long[] l = floating ? null : dev.kindling.kernel.tensor.HostData.longs(host, x.dtype());
        java.util.TreeMap<Object, Integer> distinct = new java.util.TreeMap<>();
        for (int i = 0; i < n; i++) distinct.merge(floating ? (Object) f[i] : (Object) l[i], 1, Integer::sum);
        int k = distinct.size();
        java.util.Map<Object, Integer> position = new java.util.HashMap<>();
        long[] countValues = new long[k];
        double[] fv = floating ? new double[k] : null;
        long[] lv = floating ? null : new long[k];
        int p = 0;
        for (java.util.Map.Entry<Object, Integer> e : distinct.entrySet()) {
            position.put(e.getKey(), p);
            countValues[p] = e.getValue();
            if (floating) fv[p] = (Double) e.getKey();
            else lv[p] = (Long) e.getKey();
            p++;
        }
        Object values = floating ? fv : lv;
        if (x.dtype() == DType.BOOL) {
            boolean[] b = new boolean[k];
            for (int i = 0; i < k; i++) b[i] = lv[i] != 0;
            values = b;
        }
        DenseTensor valuesT = DenseTensor.contiguous(x.kernel(), x.handle(), x.backend().fromHost(x.device(), x.dtype(), values), new long[] {k});
        long[] inv = new long[inverse ? n : 0];
        for (int i = 0; i < inv.length; i++) inv[i] = position.get(floating ? (Object) f[i] : (Object) l[i]);
        DenseTensor inverseT = DenseTensor.contiguous(x.kernel(), x.handle(), x.backend().fromHost(x.device(), DType.INT64, inv),
                inverse ? x.shapeRef() : new long[] {0});
        long[] c = counts ? countValues : new long[0];
        DenseTensor countsT = DenseTensor.contiguous(x.kernel(), x.handle(), x.backend().fromHost(x.device(), DType.INT64, c), new long[] {c.length});
        return new Tensor[] {valuesT, inverseT, countsT};
    }

    static DenseTensor bincount(DenseTensor x, DenseTensor weights, long minlength) {
        if (x.dim() != 1 || !x.dtype().isIntegral() || x.dtype() == DType.BOOL) {
            throw new IllegalArgumentException("bincount only supports 1-d non-negative integral inputs.");
        }
        if (minlength < 0) throw new IllegalArgumentException("minlength should be >= 0");
        long[] v = dev.kindling.kernel.tensor.HostData.longs(x.backend().toHost(x.view()), x.dtype());
        long max = -1;
        for (long e : v) {
            if (e < 0) throw new IllegalArgumentException("bincount only supports 1-d non-negative integral inputs.");
            max = Math.max(max, e);
        }
        int size = Math.toIntExact(Math.max(minlength, max + 1));
        if (weights == null) {
            long[] bins = new long[size];
            for (long e : v) bins[(int) e]++;
            return DenseTensor.contiguous(x.kernel(), x.handle(), x.backend().fromHost(x.device(), DType.INT64, bins), new long[] {size});
        }
        if (weights.dim() != 1 || weights.shapeRef()[0] != v.length) {
            throw new IllegalArgumentException("weights should be 1-d and have the same length as input");
        }
        double[] w = dev.kindling.kernel.tensor.HostData.doubles(weights.impl());
        double[] bins = new double[size];
        for (int i = 0; i < v.length; i++) bins[(int) v[i]] += w[i];
        DType out = weights.dtype().isFloatingPoint() ? weights.dtype() : DType.FLOAT64;
        return DenseTensor.contiguous(x.kernel(), x.handle(), x.backend().fromHost(x.device(), out, bins), new long[] {size});
    }

    /** amax / amin: the extreme over dims (all when null), in the input's dtype. */
    static DenseTensor extremeOver(DenseTensor x, int[] dims, boolean keepdim, boolean max) {
        String op = max ? "amax" : "amin";
        if (x.numel() == 0) throw new IllegalArgumentException(op + "(): Expected reduction dim to be specified for input.numel() == 0.");
        return reduce(max ? ReduceOp.MAX : ReduceOp.MIN, x, dims, keepdim, x.dtype(), op);
    }

    /** The sum of a matrix's main diagonal (integers sum in int64). */
    static DenseTensor trace(DenseTensor x) {
        if (x.dim() != 2) throw new IllegalArgumentException("trace: expected a matrix, but got tensor with dim " + x.dim());
        return sum(IndexKernels.diagonalOf(x, 0), null, false);
    }
}
