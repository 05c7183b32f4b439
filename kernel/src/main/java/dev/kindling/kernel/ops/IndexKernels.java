package dev.kindling.kernel.ops;

import dev.kindling.api.DType;
import dev.kindling.kernel.tensor.Shapes;

import java.util.Arrays;

import static dev.kindling.kernel.ops.CopyKernels.*;
import static dev.kindling.kernel.ops.Kernels.*;
import static dev.kindling.kernel.ops.ViewKernels.*;

/**
 * Forwards of the indexing ops: index_select, gather, scatter, index_add, masked select and fill, nonzero.
 * Forwards call each other directly (never through the dispatcher), so an op's internals are not recorded by
 * autograd.
 */
final class IndexKernels {
    private IndexKernels() {}

    static void checkIndex(DenseTensor index, String op) {
        if (index.dtype() != DType.INT64 && index.dtype() != DType.INT32) {
            throw new IllegalArgumentException(op + "(): Expected dtype int64 for index, but got " + index.dtype());
        }
    }

    static DenseTensor indexSelect(DenseTensor x, int dim, DenseTensor index) {
        checkIndex(index, "index_select");
        if (index.dim() > 1) throw new IllegalArgumentException("index_select(): Index is supposed to be a vector, got " + index.dim() + "-D");
        index = sameBackend(x, index, "index_select");
        if (x.dim() == 0) {
            return CopyKernels.clone(x);
        }
        int d = dim(dim, x.dim());
        long[] shape = x.shapeRef().clone();
        shape[d] = index.numel();
        DenseTensor out = x.newTensor(x.dtype(), shape);
        DenseTensor idx = index.dim() == 0 ? reshape(index, new long[] {1}) : index;
        x.backend().indexSelect(x.view(), d, idx.view(), out.view());
        return out;
    }

    static DenseTensor gather(DenseTensor x, int dim, DenseTensor index) {
        checkIndex(index, "gather");
        index = sameBackend(x, index, "gather");
        int d = dim(dim, x.dim());
        if (index.dim() != x.dim()) {
            throw new IllegalArgumentException("Index tensor must have the same number of dimensions as input tensor");
        }
        for (int k = 0; k < x.dim(); k++) {
            if (k != d && index.shapeRef()[k] > x.shapeRef()[k]) {
                throw new IllegalArgumentException("Size does not match at dimension " + k + " expected index " + Shapes.str(index.shapeRef())
                        + " to be smaller than self " + Shapes.str(x.shapeRef()) + " apart from dimension " + d);
            }
        }
        DenseTensor out = x.newTensor(x.dtype(), index.shapeRef());
        x.backend().gather(x.view(), d, index.view(), out.view());
        return out;
    }

    static DenseTensor scatter(DenseTensor self, int dim, DenseTensor index, DenseTensor src, boolean add) {
        checkIndex(index, add ? "scatter_add" : "scatter");
        index = sameBackend(self, index, "scatter");
        src = sameBackend(self, src, "scatter");
        int d = dim(dim, self.dim());
        if (index.dim() != self.dim()) {
            throw new IllegalArgumentException("Index tensor must have the same number of dimensions as self tensor");
        }
        DenseTensor s = src.dim() == 0 ? expand(src, index.shapeRef()) : src;
        if (src.dim() != 0 && src.dim() != index.dim()) {
            throw new IllegalArgumentException("Index tensor must have the same number of dimensions as src tensor");
        }
        for (int k = 0; k < self.dim(); k++) {
            if ((k != d && index.shapeRef()[k] > self.shapeRef()[k]) || index.shapeRef()[k] > s.shapeRef()[k]) {
                throw new IllegalArgumentException("Expected index " + Shapes.str(index.shapeRef()) + " to be smaller than self "
                        + Shapes.str(self.shapeRef()) + " apart from dimension " + d + " and to be smaller size than src " + Shapes.str(s.shapeRef()));
            }
        }
        if (s.dtype() != self.dtype()) s = toCopy(s, self.dtype(), self.device());
        DenseTensor out = CopyKernels.clone(self);
        self.backend().scatter(out.view(), d, index.view(), s.view(), add);
        return out;
    }

    static DenseTensor indexAdd(DenseTensor self, int dim, DenseTensor index, DenseTensor src) {
        checkIndex(index, "index_add");
        index = sameBackend(self, index, "index_add");
        src = sameBackend(self, src, "index_add");
        int d = self.dim() == 0 ? 0 : dim(dim, self.dim());
        if (index.dim() > 1) throw new IllegalArgumentException("index_add_(): Index is supposed to be a vector");
        long[] expect = self.shapeRef().clone();
        if (self.dim() > 0) expect[d] = index.numel();
        if (!Arrays.equals(expect, src.shapeRef())) {
            throw new IllegalArgumentException("index_add_(): Source/destination tensor must have same slice shapes. Destination slice shape: "
                    + Shapes.str(self.shapeRef()) + " at dimension " + d + " and source slice shape: " + Shapes.str(src.shapeRef())
                    + " at dimension 0.");
        }
        if (src.dtype() != self.dtype()) src = toCopy(src, self.dtype(), self.device());
        DenseTensor out = CopyKernels.clone(self);
        DenseTensor idx = index.dim() == 0 ? reshape(index, new long[] {1}) : index;
        self.backend().indexAdd(out.view(), d, idx.view(), src.view());
        return out;
    }

    static DenseTensor nonzero(DenseTensor x) {
        long n = x.backend().countNonzero(x.view());
        DenseTensor out = x.newTensor(DType.INT64, new long[] {n, x.dim()});
        x.backend().nonzero(x.view(), out.view());
        return out;
    }

    static void checkMaskPrefix(DenseTensor x, DenseTensor mask) {
        if (mask.dim() > x.dim()) throw new IllegalArgumentException("too many indices for tensor of dimension " + x.dim());
        for (int i = 0; i < mask.dim(); i++) {
            if (mask.shapeRef()[i] != x.shapeRef()[i]) {
                throw new IndexOutOfBoundsException("The shape of the mask " + Shapes.str(mask.shapeRef()) + " at index " + i
                        + " does not match the shape of the indexed tensor " + Shapes.str(x.shapeRef()) + " at index " + i);
            }
        }
    }

    static DenseTensor maskedSelect(DenseTensor x, DenseTensor mask) {
        if (mask.dtype() != DType.BOOL) throw new IllegalArgumentException("masked_select: expected BoolTensor for mask");
        mask = sameBackend(x, mask, "masked_select");
        long[] shape = Shapes.broadcast(x.shapeRef(), mask.shapeRef());
        DenseTensor flatX = reshape(CopyKernels.clone(expand(x, shape)), new long[] {-1});
        DenseTensor flatM = reshape(CopyKernels.clone(expand(mask, shape)), new long[] {-1});
        DenseTensor idx = nonzero(flatM);
        return indexSelect(flatX, 0, reshape(idx, new long[] {-1}));
    }

    static DenseTensor maskedFill(DenseTensor x, DenseTensor mask, double value) {
        if (mask.dtype() != DType.BOOL) {
            throw new IllegalArgumentException("masked_fill_ only supports boolean masks, but got mask with dtype " + mask.dtype().torchName());
        }
        mask = sameBackend(x, mask, "masked_fill");
        long[] shape = Shapes.broadcast(x.shapeRef(), mask.shapeRef());
        DenseTensor out = CopyKernels.clone(expand(x, shape));
        DenseTensor fillValue = x.newTensor(x.dtype(), new long[0]);
        x.backend().fill(fillValue.view(), value);
        x.backend().where(expanded(mask, shape), expanded(fillValue, shape), out.view(), out.view());
        return out;
    }

    private static DenseTensor longs(DenseTensor like, long[] values) {
        return DenseTensor.contiguous(like.kernel(), like.handle(), like.backend().fromHost(like.device(), DType.INT64, values),
                new long[] {values.length});
    }

    /** The {@code diagonal}-th diagonal of a matrix as a 1-d tensor (a copy). */
    static DenseTensor diagonalOf(DenseTensor x, long diagonal) {
        long m = x.shapeRef()[0];
        long n = x.shapeRef()[1];
        long rows = diagonal >= 0 ? Math.max(0, Math.min(m, n - diagonal)) : Math.max(0, Math.min(m + diagonal, n));
        long[] at = new long[Math.toIntExact(rows)];
        for (int i = 0; i < at.length; i++) at[i] = (diagonal >= 0 ? i : i - diagonal) * n + (diagonal >= 0 ? i + diagonal : i);
        return indexSelect(ViewKernels.reshape(x, new long[] {m * n}), 0, longs(x, at));
    }

    /** torch.diag: a vector onto the diagonal of a square matrix, or a matrix's diagonal out as a vector. */
    static DenseTensor diag(DenseTensor x, long diagonal) {
        if (x.dim() == 2) return diagonalOf(x, diagonal);
        if (x.dim() != 1) throw new IllegalArgumentException("diag(): Supports 1D or 2D tensors. Got " + x.dim() + "D");
        long len = x.shapeRef()[0];
        long size = len + Math.abs(diagonal);
        long[] at = new long[Math.toIntExact(len)];
        for (int i = 0; i < at.length; i++) at[i] = (diagonal >= 0 ? i : i - diagonal) * size + (diagonal >= 0 ? i + diagonal : i);
        DenseTensor flat = indexAdd(x.newTensor(x.dtype(), new long[] {size * size}), 0, longs(x, at), x);
        return ViewKernels.reshape(flat, new long[] {size, size});
    }
}
