package dev.kindling.api;

import java.util.AbstractList;
import java.util.Arrays;
import java.util.RandomAccess;

/**
 * A tensor's shape as PyTorch's {@code torch.Size}: an immutable list of dimension sizes that prints as
 * {@code torch.Size([2, 3])} and compares equal to any list of the same sizes.
 */
public final class Size extends AbstractList<Long> implements RandomAccess {
    private final long[] dims;

    private Size(long[] dims) { this.dims = dims; }

    public static Size of(long... dims) { return new Size(dims.clone()); }

    @Override
    public Long get(int index) { return dims[index]; }

    /** The size of dimension {@code dim}; negative dimensions count from the end, as in PyTorch. */
    public long at(int dim) {
        int d = dim < 0 ? dim + dims.length : dim;
        if (d < 0 || d >= dims.length) {
            throw new IndexOutOfBoundsException("Dimension out of range (expected to be in range of [" + (-dims.length) + ", "
                    + (dims.length - 1) + "], but got " + dim + ")");
        }
        return dims[d];
    }

    @Override
    public int size() { return dims.length; }

    /** The number of elements a tensor of this shape holds ({@code torch.Size.numel()}). */
    public long numel() {
        long n = 1;
        for (long d : dims) n *= d;
        return n;
    }

    /** The sizes as a new array. */
    public long[] toLongArray() { return dims.clone(); }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("torch.Size([");
        for (int i = 0; i < dims.length; i++) sb.append(i > 0 ? ", " : "").append(dims[i]);
        return sb.append("])").toString();
    }

    @Override
    public boolean equals(Object o) {
        if (o instanceof Size) return Arrays.equals(dims, ((Size) o).dims);
        return super.equals(o);
    }

    @Override
    public int hashCode() { return super.hashCode(); }
}
