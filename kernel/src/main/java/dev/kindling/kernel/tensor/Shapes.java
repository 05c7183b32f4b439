package dev.kindling.kernel.tensor;

import java.util.Arrays;

/** Shape arithmetic shared by the op table and backends: broadcasting, dims, strides, view compatibility. */
public final class Shapes {
    private Shapes() {}

    public static long numel(long[] shape) {
        long n = 1;
        for (long s : shape) n = Math.multiplyExact(n, s);
        return n;
    }

    public static long[] contiguousStrides(long[] shape) {
        long[] st = new long[shape.length];
        long acc = 1;
        for (int d = shape.length - 1; d >= 0; d--) {
            st[d] = acc;
            acc *= Math.max(shape[d], 1);
        }
        return st;
    }

    /** PyTorch's shape string: {@code [2, 3]}. */
    public static String str(long[] shape) { return Arrays.toString(shape); }

    /** {@code 2x3}, as in matmul errors. */
    public static String x(long[] shape) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < shape.length; i++) {
            if (i > 0) sb.append('x');
            sb.append(shape[i]);
        }
        return sb.toString();
    }

    /** Normalises a possibly negative dim against a rank, with PyTorch's error message. */
    public static int dim(int dim, int rank) {
        int r = Math.max(rank, 1);
        if (dim < -r || dim >= r) {
            throw new IndexOutOfBoundsException("Dimension out of range (expected to be in range of [" + (-r) + ", " + (r - 1)
                    + "], but got " + dim + ")");
        }
        return dim < 0 ? dim + r : dim;
    }

    /** The broadcast shape of two shapes, or PyTorch's error naming both. */
    public static long[] broadcast(long[] a, long[] b) {
        int n = Math.max(a.length, b.length);
        long[] out = new long[n];
        for (int i = 0; i < n; i++) {
            int ia = a.length - n + i;
            int ib = b.length - n + i;
            long sa = ia >= 0 ? a[ia] : 1;
            long sb = ib >= 0 ? b[ib] : 1;
            if (sa != sb && sa != 1 && sb != 1) {
                throw new IllegalArgumentException("The size of tensor a (" + sa + ") must match the size of tensor b (" + sb
                        + ") at non-singleton dimension " + i + " (shapes " + str(a) + " and " + str(b) + ")");
            }
            out[i] = sa == 1 ? sb : sa;
        }
        return out;
    }

    /** Strides that present a tensor of {@code shape/strides} as {@code target} (0 where broadcast). */
    public static long[] expandStrides(long[] shape, long[] strides, long[] target) {
        int n = target.length;
        if (shape.length > n) {
            throw new IllegalArgumentException("the number of sizes provided (" + n + ") must be greater or equal to the number "
                    + "of dimensions in the tensor (" + shape.length + ")");
        }
        long[] out = new long[n];
        for (int i = 0; i < n; i++) {
            int j = shape.length - n + i;
            if (j < 0) {
                if (target[i] < 0) throw new IllegalArgumentException("The expanded size of the tensor (" + target[i]
                        + ") isn't allowed in a leading, non-existing dimension " + i);
                out[i] = 0;
            } else if (shape[j] == target[i]) {
                out[i] = strides[j];
            } else if (shape[j] == 1) {
                out[i] = 0;
            } else {
                throw new IllegalArgumentException("The expanded size of the tensor (" + target[i] + ") must match the existing "
                        + "size (" + shape[j] + ") at non-singleton dimension " + i + ".  Target sizes: " + str(target)
                        + ".  Tensor sizes: " + str(shape));
            }
        }
        return out;
    }

    /** Resolves one -1 in a requested shape against a numel, with PyTorch's error. */
    public static long[] infer(long[] requested, long numel) {
        long[] out = requested.clone();
        int infer = -1;
        long known = 1;
        for (int i = 0; i < out.length; i++) {
            if (out[i] == -1) {
                if (infer >= 0) throw new IllegalArgumentException("only one dimension can be inferred");
                infer = i;
            } else if (out[i] < 0) {
                throw new IllegalArgumentException("invalid shape dimension " + out[i]);
            } else {
                known *= out[i];
            }
        }
        if (infer >= 0) {
            if (known == 0 || numel % known != 0) {
                throw new IllegalArgumentException("shape '" + str(requested) + "' is invalid for input of size " + numel);
            }
            out[infer] = numel / known;
        } else if (known != numel) {
            throw new IllegalArgumentException("shape '" + str(requested) + "' is invalid for input of size " + numel);
        }
        return out;
    }

    /**
     * Strides for viewing (shape, strides) as newShape without copying, or null where impossible (PyTorch's
     * computeStride).
     */
    public static long[] viewStrides(long[] oldShape, long[] oldStrides, long[] newShape) {
        long numel = numel(oldShape);
        long[] newStrides = new long[newShape.length];
        if (numel == 0 || oldShape.length == 0) {
            return contiguousStrides(newShape);
        }
        int viewD = newShape.length - 1;
        long chunkBase = oldStrides.length > 0 ? oldStrides[oldStrides.length - 1] : 1;
        long tensorNumel = 1;
        long viewNumel = 1;
        for (int tensorD = oldShape.length - 1; tensorD >= 0; tensorD--) {
            tensorNumel *= oldShape[tensorD];
            if (tensorD == 0 || (oldShape[tensorD - 1] != 1 && oldStrides[tensorD - 1] != tensorNumel * chunkBase)) {
                while (viewD >= 0 && (viewNumel < tensorNumel || newShape[viewD] == 1)) {
                    newStrides[viewD] = viewNumel * chunkBase;
                    viewNumel *= newShape[viewD];
                    viewD--;
                }
                if (viewNumel != tensorNumel) return null;
                if (tensorD > 0) {
                    chunkBase = oldStrides[tensorD - 1];
                    tensorNumel = 1;
                    viewNumel = 1;
                }
            }
        }
        if (viewD != -1) return null;
        return newStrides;
    }
}
