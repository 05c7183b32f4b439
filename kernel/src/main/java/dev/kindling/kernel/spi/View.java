package dev.kindling.kernel.spi;

import dev.kindling.api.DType;

/**
 * A strided window on a storage: element {@code (i0, i1, ...)} lives at {@code offset + sum(ik * strides[k])}.
 * Strides may be 0 (broadcast) but never negative. What every backend kernel receives.
 */
public record View(Storage storage, long[] shape, long[] strides, long offset) {
    public DType dtype() { return storage.dtype(); }

    public int dim() { return shape.length; }

    public long numel() {
        long n = 1;
        for (long s : shape) n *= s;
        return n;
    }

    /** Whether elements are laid out densely in row-major order starting at {@link #offset()}. */
    public boolean isContiguous() {
        long expected = 1;
        for (int d = shape.length - 1; d >= 0; d--) {
            if (shape[d] == 1) continue;
            if (strides[d] != expected) return false;
            expected *= shape[d];
        }
        return true;
    }
}
