package dev.kindling.backend.cpu;

import dev.kindling.kernel.tensor.Half;

/**
 * A GEMM operand's array: float32 is read as it is, float16/bfloat16 is widened to float32 while the kernel packs its
 * panels, so a half product runs on the float32 micro-kernel without a float32 copy of either matrix. A float32 operand
 * read at a half precision ({@link #rounded}) is rounded the same way while it is packed, so a product "as if cast to
 * bfloat16" needs no bfloat16 copy either.
 */
final class Operand {
    /** The float32 array the kernels may read directly; null where elements must be widened or rounded first. */
    final float[] f;
    private final float[] roundedFrom;
    private final short[] h;
    private final boolean bf16;
    /** How a grouped operand's indices map to its array; null for the others. */
    private final Groups groups;
    private final float[] groupedFloats;

    private Operand(float[] f, float[] roundedFrom, short[] h, boolean bf16, Groups groups, float[] groupedFloats) {
        this.f = f;
        this.roundedFrom = roundedFrom;
        this.h = h;
        this.bf16 = bf16;
        this.groups = groups;
        this.groupedFloats = groupedFloats;
    }

    static Operand of(float[] a) { return new Operand(a, null, null, false, null, null); }

    static Operand of(short[] a, boolean bf16) { return new Operand(null, null, a, bf16, null, null); }

    /** float32 values read as their nearest bfloat16 ({@code bf16}) or float16 values. */
    static Operand rounded(float[] a, boolean bf16) { return new Operand(null, a, null, bf16, null, null); }

    /**
     * This float32 or half array read as a row-major {@code [rows, groups · groupLength]} matrix stored as {@code groups}
     * blocks of {@code [rows, groupLength]}, {@code groupStride} apart, rows {@code rowStride} apart in each, from
     * {@code base}: conv2d's {@code [N, O, L]} gradient read as the {@code [O, N·L]} matrix its products take, without
     * the copy that lays it out so. Index {@code i} of the matrix ({@code row · rowLength + column}) is what callers pass.
     */
    Operand grouped(int base, int rowLength, int groupLength, int groupStride, int rowStride) {
        if (roundedFrom != null || groups != null) throw new IllegalStateException("only a plain float32 or half operand can be grouped");
        return new Operand(null, null, h, bf16, new Groups(base, rowLength, groupLength, groupStride, rowStride), f);
    }

    float get(int i) {
        if (f != null) return f[i];
        if (groups != null) return groupedFloats != null ? groupedFloats[groups.at(i)] : Half.toFloat(bf16, h[groups.at(i)]);
        return roundedFrom != null ? HalfArrays.round(bf16, roundedFrom[i]) : Half.toFloat(bf16, h[i]);
    }

    /** {@code n} consecutive elements from {@code i} into {@code dst} at {@code d}. */
    void run(int i, float[] dst, int d, int n) {
        if (f != null) System.arraycopy(f, i, dst, d, n);
        else if (groups != null) groupedRun(i, dst, d, n);
        else if (roundedFrom != null) HalfArrays.round(bf16, roundedFrom, i, dst, d, n);
        else HalfArrays.toFloat(bf16, h, i, dst, d, n);
    }

    /** A grouped run, cut where it leaves a group. */
    private void groupedRun(int i, float[] dst, int d, int n) {
        while (n > 0) {
            int column = i % groups.rowLength;
            int len = Math.min(n, groups.groupLength - column % groups.groupLength);
            int at = groups.at(i);
            if (groupedFloats != null) System.arraycopy(groupedFloats, at, dst, d, len);
            else HalfArrays.toFloat(bf16, h, at, dst, d, len);
            i += len;
            d += len;
            n -= len;
        }
    }

    private static final class Groups {
        final int base, rowLength, groupLength, groupStride, rowStride;

        Groups(int base, int rowLength, int groupLength, int groupStride, int rowStride) {
            this.base = base;
            this.rowLength = rowLength;
            this.groupLength = groupLength;
            this.groupStride = groupStride;
            this.rowStride = rowStride;
        }

        int at(int i) {
            int row = i / rowLength, column = i - row * rowLength, group = column / groupLength;
            return base + group * groupStride + row * rowStride + (column - group * groupLength);
        }
    }
}
