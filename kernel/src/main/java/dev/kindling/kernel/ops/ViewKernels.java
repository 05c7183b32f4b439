package dev.kindling.kernel.ops;

import dev.kindling.kernel.tensor.Shapes;

import java.util.Arrays;

import static dev.kindling.kernel.ops.CopyKernels.*;
import static dev.kindling.kernel.ops.Kernels.*;

/**
 * Forwards of the view ops: new shapes and strides over the same storage, nothing copied.
 * Forwards call each other directly (never through the dispatcher), so an op's internals are not recorded by
 * autograd.
 */
final class ViewKernels {
    private ViewKernels() {}

    static DenseTensor view(DenseTensor x, long[] shape) {
        long[] target = Shapes.infer(shape, x.numel());
        long[] st = Shapes.viewStrides(x.shapeRef(), x.stridesRef(), target);
        if (st == null) {
            throw new IllegalArgumentException("view size is not compatible with input tensor's size and stride (at least one dimension "
                    + "spans across two contiguous subspaces). Use .reshape(...) instead.");
        }
        return x.asView(target, st, x.storageOffset());
    }

    static DenseTensor reshape(DenseTensor x, long[] shape) {
        long[] target = Shapes.infer(shape, x.numel());
        long[] st = Shapes.viewStrides(x.shapeRef(), x.stridesRef(), target);
        if (st != null) return x.asView(target, st, x.storageOffset());
        return reshaped(CopyKernels.clone(x), target);
    }

    static DenseTensor expand(DenseTensor x, long[] shape) {
        long[] target = shape.clone();
        int off = target.length - x.dim();
        for (int i = 0; i < target.length; i++) {
            if (target[i] == -1) {
                if (i < off) throw new IllegalArgumentException("The expanded size of the tensor (-1) isn't allowed in a leading, non-existing dimension " + i);
                target[i] = x.shapeRef()[i - off];
            }
        }
        return x.asView(target, Shapes.expandStrides(x.shapeRef(), x.stridesRef(), target), x.storageOffset());
    }

    static DenseTensor permute(DenseTensor x, int[] dims) {
        int r = x.dim();
        if (dims.length != r) {
            throw new IllegalArgumentException("permute(sparse_coo): number of dimensions in the tensor input does not match the length "
                    + "of the desired ordering of dimensions i.e. input.dim() = " + r + " is not equal to len(dims) = " + dims.length);
        }
        long[] shape = new long[r];
        long[] st = new long[r];
        boolean[] seen = new boolean[r];
        for (int i = 0; i < r; i++) {
            int d = dim(dims[i], r);
            if (seen[d]) throw new IllegalArgumentException("permute(): duplicate dims are not allowed.");
            seen[d] = true;
            shape[i] = x.shapeRef()[d];
            st[i] = x.stridesRef()[d];
        }
        return x.asView(shape, st, x.storageOffset());
    }

    static DenseTensor transpose(DenseTensor x, int d0, int d1) {
        if (x.dim() == 0) return x.asView(new long[0], new long[0], x.storageOffset());
        int a = dim(d0, x.dim());
        int b = dim(d1, x.dim());
        long[] shape = x.shapeRef().clone();
        long[] st = x.stridesRef().clone();
        long ts = shape[a];
        shape[a] = shape[b];
        shape[b] = ts;
        long tt = st[a];
        st[a] = st[b];
        st[b] = tt;
        return x.asView(shape, st, x.storageOffset());
    }

    static DenseTensor t(DenseTensor x) {
        if (x.dim() > 2) throw new IllegalArgumentException("t() expects a tensor with <= 2 dimensions, but self is " + x.dim() + "D");
        return x.dim() < 2 ? x.asView(x.shapeRef(), x.stridesRef(), x.storageOffset()) : transpose(x, 0, 1);
    }

    static DenseTensor squeeze(DenseTensor x, Integer dim) {
        long[] shape = x.shapeRef();
        long[] st = x.stridesRef();
        int keep = 0;
        boolean[] drop = new boolean[shape.length];
        if (dim == null) {
            for (int i = 0; i < shape.length; i++) drop[i] = shape[i] == 1;
        } else if (x.dim() > 0) {
            int d = dim(dim, x.dim());
            drop[d] = shape[d] == 1;
        } else {
            dim(dim, 0);
        }
        for (boolean b : drop) if (!b) keep++;
        long[] ns = new long[keep];
        long[] nst = new long[keep];
        int k = 0;
        for (int i = 0; i < shape.length; i++) {
            if (!drop[i]) {
                ns[k] = shape[i];
                nst[k++] = st[i];
            }
        }
        return x.asView(ns, nst, x.storageOffset());
    }

    static DenseTensor unsqueeze(DenseTensor x, int dim) {
        int r = x.dim() + 1;
        if (dim < -r || dim >= r) {
            throw new IndexOutOfBoundsException("Dimension out of range (expected to be in range of [" + (-r) + ", " + (r - 1) + "], but got " + dim + ")");
        }
        int d = dim < 0 ? dim + r : dim;
        long[] shape = new long[r];
        long[] st = new long[r];
        for (int i = 0, j = 0; i < r; i++) {
            if (i == d) {
                shape[i] = 1;
                st[i] = j < x.dim() ? x.stridesRef()[j] * x.shapeRef()[j] : 1;
            } else {
                shape[i] = x.shapeRef()[j];
                st[i] = x.stridesRef()[j];
                j++;
            }
        }
        return x.asView(shape, st, x.storageOffset());
    }

    static DenseTensor select(DenseTensor x, int dim, long index) {
        if (x.dim() == 0) throw new IllegalArgumentException("select() cannot be applied to a 0-dim tensor.");
        int d = dim(dim, x.dim());
        long n = x.shapeRef()[d];
        if (index < -n || index >= n) {
            throw new IndexOutOfBoundsException("index " + index + " is out of bounds for dimension " + d + " with size " + n);
        }
        long i = index < 0 ? index + n : index;
        long[] shape = new long[x.dim() - 1];
        long[] st = new long[x.dim() - 1];
        for (int a = 0, k = 0; a < x.dim(); a++) {
            if (a == d) continue;
            shape[k] = x.shapeRef()[a];
            st[k++] = x.stridesRef()[a];
        }
        return x.asView(shape, st, x.storageOffset() + i * x.stridesRef()[d]);
    }

    static DenseTensor slice(DenseTensor x, int d, long start, long end, long step) {
        long[] shape = x.shapeRef().clone();
        long[] st = x.stridesRef().clone();
        shape[d] = (end - start + step - 1) / step;
        st[d] = st[d] * step;
        long offset = x.storageOffset() + (shape[d] > 0 ? start * x.stridesRef()[d] : 0);
        return x.asView(shape, st, offset);
    }

    static DenseTensor unfold(DenseTensor x, int dim, long size, long step) {
        if (step <= 0) throw new IllegalArgumentException("step is " + step + " but must be > 0");
        if (x.dim() == 0) {
            if (size != 1) throw new IllegalArgumentException("maximum size for tensor at dimension 0 is 1 but size is " + size);
            return x.asView(new long[] {1}, new long[] {1}, x.storageOffset());
        }
        int d = dim(dim, x.dim());
        long n = x.shapeRef()[d];
        if (size < 0 || size > n) {
            throw new IllegalArgumentException("maximum size for tensor at dimension " + d + " is " + n + " but size is " + size);
        }
        int r = x.dim();
        long[] shape = java.util.Arrays.copyOf(x.shapeRef(), r + 1);
        long[] st = java.util.Arrays.copyOf(x.stridesRef(), r + 1);
        shape[d] = (n - size) / step + 1;
        st[d] = x.stridesRef()[d] * step;
        shape[r] = size;
        st[r] = x.stridesRef()[d];
        return x.asView(shape, st, x.storageOffset());
    }
}
