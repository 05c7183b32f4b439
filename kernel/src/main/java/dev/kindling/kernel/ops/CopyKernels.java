package dev.kindling.kernel.ops;

import dev.kindling.api.DType;
import dev.kindling.api.Device;
import dev.kindling.api.Tensor;
import dev.kindling.kernel.tensor.BackendHandle;
import dev.kindling.kernel.tensor.Shapes;

import java.util.Arrays;

import static dev.kindling.kernel.ops.IndexKernels.*;
import static dev.kindling.kernel.ops.ElementwiseKernels.*;
import static dev.kindling.kernel.ops.Kernels.*;
import static dev.kindling.kernel.ops.ViewKernels.*;

/**
 * Forwards of the ops that copy: clone, flip, dtype/device copies, copy_/fill_, cat, stack, repeat, tril/triu, roll.
 * Forwards call each other directly (never through the dispatcher), so an op's internals are not recorded by
 * autograd.
 */
final class CopyKernels {
    private CopyKernels() {}

    static DenseTensor clone(DenseTensor x) {
        DenseTensor out = x.newTensor(x.dtype(), x.shapeRef());
        x.backend().copy(x.view(), out.view());
        return out;
    }

    /** Reverses the elements along {@code dims}: one index_select per dim, so every backend runs it. */
    static DenseTensor flip(DenseTensor x, int[] dims) {
        int[] ds = dims.length == 0 ? new int[0] : normDims(dims, x.dim(), "flip");
        DenseTensor r = x;
        for (int d : ds) {
            long n = x.shapeRef()[d];
            if (n <= 1) continue;
            long[] reversed = new long[Math.toIntExact(n)];
            for (int i = 0; i < reversed.length; i++) reversed[i] = n - 1 - i;
            DenseTensor index = DenseTensor.contiguous(x.kernel(), x.handle(),
                    x.backend().fromHost(x.device(), DType.INT64, reversed), new long[] {n});
            r = indexSelect(r, d, index);
        }
        return r == x ? clone(x) : r;
    }

    static DenseTensor toCopy(DenseTensor x, DType dtype, Device device) {
        if (device.equals(x.device())) {
            DenseTensor out = x.newTensor(dtype, x.shapeRef());
            x.backend().copy(x.view(), out.view());
            return out;
        }
        BackendHandle target = x.kernel().selectBackend(device);
        Object host = x.backend().toHost(x.view());
        DenseTensor moved = DenseTensor.contiguous(x.kernel(), target, target.backend().fromHost(device, x.dtype(), host), x.shapeRef());
        return dtype == x.dtype() ? moved : toCopy(moved, dtype, device);
    }

    static DenseTensor copyInto(DenseTensor self, DenseTensor src) {
        src = sameBackend(self, src, "copy_");
        if (src.storage() == self.storage() && !(Arrays.equals(src.shapeRef(), self.shapeRef())
                && Arrays.equals(src.stridesRef(), self.stridesRef()) && src.storageOffset() == self.storageOffset())) {
            src = clone(src); // overlapping source: copy it out first
        }
        self.backend().copy(expanded(src, self.shapeRef()), self.view());
        self.versionCounter().bump();
        return self;
    }

    static DenseTensor fill(DenseTensor self, double value) {
        self.backend().fill(self.view(), value);
        self.versionCounter().bump();
        return self;
    }

    static DenseTensor cat(Tensor[] in, int dim) {
        DenseTensor first = null;
        for (Tensor t : in) {
            DenseTensor dt = Ops.d(t);
            if (!(dt.dim() == 1 && dt.numel() == 0)) {
                first = dt;
                break;
            }
        }
        if (first == null) first = Ops.d(in[0]);
        int r = first.dim();
        if (r == 0) throw new IllegalArgumentException("zero-dimensional tensor (at position 0) cannot be concatenated");
        int d = dim(dim, r);
        DType outType = Promotion.resultType(in);
        long total = 0;
        for (int i = 0; i < in.length; i++) {
            DenseTensor t = Ops.d(in[i]);
            if (t.dim() == 1 && t.numel() == 0 && r != 1) continue; // legacy: empty 1-D tensors are skipped
            if (t.dim() != r) {
                throw new IllegalArgumentException("Tensors must have same number of dimensions: got " + r + " and " + t.dim());
            }
            for (int k = 0; k < r; k++) {
                if (k != d && t.shapeRef()[k] != first.shapeRef()[k]) {
                    throw new IllegalArgumentException("Sizes of tensors must match except in dimension " + d + ". Expected size "
                            + first.shapeRef()[k] + " but got size " + t.shapeRef()[k] + " for tensor number " + i + " in the list.");
                }
            }
            total += t.shapeRef()[d];
        }
        long[] shape = first.shapeRef().clone();
        shape[d] = total;
        DenseTensor out = first.newTensor(outType, shape);
        long pos = 0;
        for (Tensor t0 : in) {
            DenseTensor t = sameBackend(out, Ops.d(t0), "cat");
            if (t.dim() == 1 && t.numel() == 0 && r != 1) continue;
            long len = t.shapeRef()[d];
            if (len == 0) continue;
            DenseTensor part = slice(out, d, pos, pos + len, 1);
            out.backend().copy(t.view(), part.view());
            pos += len;
        }
        return out;
    }

    static DenseTensor stack(Tensor[] in, int dim) {
        DenseTensor first = Ops.d(in[0]);
        for (int i = 1; i < in.length; i++) {
            if (!Arrays.equals(first.shapeRef(), Ops.d(in[i]).shapeRef())) {
                throw new IllegalArgumentException("stack expects each tensor to be equal size, but got " + Shapes.str(first.shapeRef())
                        + " at entry 0 and " + Shapes.str(Ops.d(in[i]).shapeRef()) + " at entry " + i);
            }
        }
        int d = dim < 0 ? dim + first.dim() + 1 : dim;
        if (d < 0 || d > first.dim()) {
            throw new IndexOutOfBoundsException("Dimension out of range (expected to be in range of [" + (-first.dim() - 1) + ", "
                    + first.dim() + "], but got " + dim + ")");
        }
        Tensor[] un = new Tensor[in.length];
        for (int i = 0; i < in.length; i++) un[i] = unsqueeze(Ops.d(in[i]), d);
        return cat(un, d);
    }

    static DenseTensor repeat(DenseTensor x, long[] repeats) {
        if (repeats.length < x.dim()) {
            throw new IllegalArgumentException("Number of dimensions of repeat dims can not be smaller than number of dimensions of tensor");
        }
        int r = repeats.length;
        long[] src = new long[r];
        Arrays.fill(src, 1);
        System.arraycopy(x.shapeRef(), 0, src, r - x.dim(), x.dim());
        DenseTensor base = reshape(x, src);
        long[] inter = new long[2 * r];
        long[] interSrc = new long[2 * r];
        long[] out = new long[r];
        for (int i = 0; i < r; i++) {
            if (repeats[i] < 0) throw new IllegalArgumentException("Trying to create tensor with negative dimension " + repeats[i]);
            inter[2 * i] = repeats[i];
            inter[2 * i + 1] = src[i];
            interSrc[2 * i] = 1;
            interSrc[2 * i + 1] = src[i];
            out[i] = repeats[i] * src[i];
        }
        DenseTensor expandedView = expand(reshape(base, interSrc), inter);
        return reshaped(clone(expandedView), out);
    }

    /** tril ({@code lower}) or triu: keeps the elements of the last two dims on the right side of {@code diagonal}. */
    static DenseTensor triangle(DenseTensor x, long diagonal, boolean lower) {
        String op = lower ? "tril" : "triu";
        if (x.dim() < 2) throw new IllegalArgumentException(op + ": input tensor must have at least 2 dimensions");
        int rows = Math.toIntExact(x.shapeRef()[x.dim() - 2]);
        int cols = Math.toIntExact(x.shapeRef()[x.dim() - 1]);
        boolean[] keep = new boolean[rows * cols];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) keep[r * cols + c] = lower ? c - r <= diagonal : c - r >= diagonal;
        }
        DenseTensor mask = DenseTensor.contiguous(x.kernel(), x.handle(), x.backend().fromHost(x.device(), DType.BOOL, keep),
                new long[] {rows, cols});
        DenseTensor zero = DenseTensor.contiguous(x.kernel(), x.handle(), x.backend().fromHost(x.device(), x.dtype(), new double[] {0}),
                new long[0]);
        return where(mask, x, zero);
    }

    /** Rotates along each dim by its shift (two slices joined); with no dims the flattened tensor rolls. */
    static DenseTensor roll(DenseTensor x, long[] shifts, int[] dims) {
        if (dims == null || dims.length == 0) {
            if (shifts.length != 1) throw new IllegalArgumentException("shifts and dimensions must align. shifts: " + shifts.length + ", dims:0");
            DenseTensor flat = ViewKernels.reshape(x, new long[] {x.numel()});
            return ViewKernels.reshape(roll(flat, shifts, new int[] {0}), x.shapeRef());
        }
        if (shifts.length != dims.length) {
            throw new IllegalArgumentException("shifts and dimensions must align. shifts: " + shifts.length + ", dims:" + dims.length);
        }
        DenseTensor r = x;
        for (int i = 0; i < dims.length; i++) {
            int d = dim(dims[i], x.dim());
            long n = x.shapeRef()[d];
            long s = n == 0 ? 0 : ((shifts[i] % n) + n) % n;
            if (s == 0) continue;
            r = cat(new Tensor[] {ViewKernels.slice(r, d, n - s, n, 1), ViewKernels.slice(r, d, 0, n - s, 1)}, d);
        }
        return r == x ? clone(x) : r;
    }
}
