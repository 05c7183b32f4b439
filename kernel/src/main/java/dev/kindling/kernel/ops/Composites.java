package dev.kindling.kernel.ops;

import dev.kindling.api.Tensor;
import dev.kindling.kernel.spi.BinaryOp;

import static dev.kindling.kernel.ops.Ops.*;

/**
 * The bodies of the composite ops (matmul, reshape, outer, linalg_matrix_norm): defined through other ops, each
 * dispatched, so autograd records their parts as PyTorch's CompositeImplicitAutograd kernels are.
 */
final class Composites {
    private Composites() {}

    static Tensor reshapeOf(DenseTensor x, long[] shape) {
        long[] target = dev.kindling.kernel.tensor.Shapes.infer(shape, x.numel());
        boolean viewable = dev.kindling.kernel.tensor.Shapes.viewStrides(x.shapeRef(), x.stridesRef(), target) != null;
        return view(viewable ? x : Ops.clone(x), target);
    }

    static Tensor matrixNormOf(DenseTensor x, String ord, int[] dim, boolean keepdim) {
        String op = "linalg.matrix_norm";
        if (x.dim() < 2) throw new IllegalArgumentException(op + ": The input tensor A must have at least 2 dimensions.");
        if (!x.dtype().isFloatingPoint()) {
            throw new IllegalArgumentException(op + ": Expected a floating point or complex tensor as input. Got " + Kernels.torchTypeName(x.dtype()));
        }
        int[] d = dim == null ? new int[] {-2, -1} : dim;
        if (d.length != 2) throw new IllegalArgumentException(op + ": dim must be a 2-tuple. Got " + java.util.Arrays.stream(d).mapToObj(String::valueOf).collect(java.util.stream.Collectors.joining(" ")));
        int d0 = Kernels.dim(d[0], x.dim());
        int d1 = Kernels.dim(d[1], x.dim());
        if (d0 == d1) throw new IllegalArgumentException(op + ": dims must be different. Got (" + d[0] + ", " + d[1] + ")");
        if (ord.equals("fro")) return Dispatcher.dispatch(LINALG_VECTOR_NORM, new Tensor[] {x}, LINALG_VECTOR_NORM.attrs(2.0, new int[] {d0, d1}, keepdim))[0];
        if (!ord.equals("nuc")) throw new IllegalArgumentException(op + ": Order " + ord + " not supported.");
        int[] perm = new int[x.dim()];
        int k = 0;
        for (int i = 0; i < x.dim(); i++) if (i != d0 && i != d1) perm[k++] = i;
        perm[k++] = d0;
        perm[k] = d1;
        Tensor s = Dispatcher.dispatch(LINALG_SVD, new Tensor[] {permute(x, perm)}, LINALG_SVD.attrs(false))[1];
        Tensor r = sum(s, new int[] {-1}, false);
        if (keepdim) {
            r = unsqueeze(r, Math.min(d0, d1));
            r = unsqueeze(r, Math.max(d0, d1));
        }
        return r;
    }

    static Tensor outerOf(DenseTensor a, DenseTensor b) {
        if (a.dim() != 1) throw new IllegalArgumentException("outer: Expected 1-D argument self, but got " + a.dim() + "-D");
        if (b.dim() != 1) throw new IllegalArgumentException("outer: Expected 1-D argument vec2, but got " + b.dim() + "-D");
        return binary(BinaryOp.MUL, reshape(a, new long[] {-1, 1}), b);
    }

    static Tensor matmulOf(DenseTensor a, DenseTensor b) {
        int da = a.dim();
        int db = b.dim();
        if (da == 0 || db == 0) {
            throw new IllegalArgumentException("both arguments to matmul need to be at least 1D, but they are " + da + "D and " + db + "D");
        }
        long[] sa = a.shapeRef();
        long[] sb = b.shapeRef();
        if (da == 1 && db == 1) {
            if (sa[0] != sb[0]) {
                throw new IllegalArgumentException("inconsistent tensor size, expected tensor [" + sa[0] + "] and src [" + sb[0]
                        + "] to have the same number of elements, but got " + sa[0] + " and " + sb[0] + " elements respectively");
            }
            return view(mm(view(a, new long[] {1, -1}), view(b, new long[] {-1, 1})), new long[0]);
        }
        if (da == 2 && db == 1) return view(mm(a, view(b, new long[] {-1, 1})), new long[] {sa[0]});
        if (da == 1 && db == 2) return view(mm(view(a, new long[] {1, -1}), b), new long[] {sb[1]});
        if (da == 2 && db == 2) return mm(a, b);
        // Batched: broadcast the batch dims, then one bmm.
        Tensor a3 = da == 1 ? view(a, new long[] {1, sa[0]}) : a;
        Tensor b3 = db == 1 ? view(b, new long[] {sb[0], 1}) : b;
        long[] s3a = a3.shape();
        long[] s3b = b3.shape();
        long m = s3a[s3a.length - 2];
        long k = s3a[s3a.length - 1];
        long k2 = s3b[s3b.length - 2];
        long n = s3b[s3b.length - 1];
        if (k != k2) {
            throw new IllegalArgumentException("mat1 and mat2 shapes cannot be multiplied (" + m + "x" + k + " and " + k2 + "x" + n
                    + ") (matmul of " + java.util.Arrays.toString(sa) + " and " + java.util.Arrays.toString(sb) + ")");
        }
        long[] batch = dev.kindling.kernel.tensor.Shapes.broadcast(java.util.Arrays.copyOf(s3a, s3a.length - 2),
                java.util.Arrays.copyOf(s3b, s3b.length - 2));
        long bsz = dev.kindling.kernel.tensor.Shapes.numel(batch);
        long[] ea = java.util.Arrays.copyOf(batch, batch.length + 2);
        ea[batch.length] = m;
        ea[batch.length + 1] = k;
        long[] eb = java.util.Arrays.copyOf(batch, batch.length + 2);
        eb[batch.length] = k;
        eb[batch.length + 1] = n;
        Tensor r = bmm(reshape(expand(a3, ea), new long[] {bsz, m, k}), reshape(expand(b3, eb), new long[] {bsz, k, n}));
        long[] out = java.util.Arrays.copyOf(batch, batch.length + 2);
        out[batch.length] = m;
        out[batch.length + 1] = n;
        if (da == 1) out = removeAt(out, batch.length);
        else if (db == 1) out = removeAt(out, batch.length + 1);
        return view(r, out);
    }

    static long[] removeAt(long[] a, int i) {
        long[] out = new long[a.length - 1];
        System.arraycopy(a, 0, out, 0, i);
        System.arraycopy(a, i + 1, out, i, a.length - i - 1);
        return out;
    }

    /** flatten: dims start..end as one, through reshape (which autograd records). */
    static Tensor flattenOf(DenseTensor t, int start, int end) {
        int r = t.dim();
        if (r == 0) return Ops.reshape(t, new long[] {1});
        int s = Kernels.dim(start, r);
        int e = Kernels.dim(end, r);
        if (s > e) throw new IllegalArgumentException("flatten() has invalid args: start_dim cannot come after end_dim");
        long[] shape = t.shapeRef();
        long[] out = new long[r - (e - s)];
        int k = 0;
        for (int i = 0; i < s; i++) out[k++] = shape[i];
        long m = 1;
        for (int i = s; i <= e; i++) m *= shape[i];
        out[k++] = m;
        for (int i = e + 1; i < r; i++) out[k++] = shape[i];
        return Ops.reshape(t, out);
    }
}
