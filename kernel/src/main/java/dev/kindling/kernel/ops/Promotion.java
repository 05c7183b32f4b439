package dev.kindling.kernel.ops;

import dev.kindling.api.DType;
import dev.kindling.api.Tensor;

/**
 * PyTorch's {@code result_type}: dimensioned tensors outrank 0-dim tensors, which outrank wrapped numbers (Java
 * scalars); a lower group only matters where it brings a higher category (bool &lt; integral &lt; floating). A
 * floating wrapped number counts as the default dtype (float32).
 */
public final class Promotion {
    private Promotion() {}

    /** Where an operand stands in {@code result_type}. */
    public enum Category { DIMENSIONED, ZERO_DIM, WRAPPED_NUMBER }

    public static DType resultType(Tensor... ts) {
        DType[] dtypes = new DType[ts.length];
        Category[] categories = new Category[ts.length];
        for (int i = 0; i < ts.length; i++) {
            Tensor t = ts[i];
            if (t == null) continue;
            dtypes[i] = t.dtype();
            categories[i] = t instanceof DenseTensor && ((DenseTensor) t).isWrappedNumber() ? Category.WRAPPED_NUMBER
                    : t.dim() == 0 ? Category.ZERO_DIM : Category.DIMENSIONED;
        }
        return resultType(dtypes, categories);
    }

    /** {@code result_type} of operands given by dtype and category (null entries are skipped). */
    public static DType resultType(DType[] dtypes, Category[] categories) {
        DType dimResult = null;
        DType zeroResult = null;
        DType wrappedResult = null;
        for (int i = 0; i < dtypes.length; i++) {
            DType dt = dtypes[i];
            if (dt == null) continue;
            switch (categories[i]) {
                case WRAPPED_NUMBER:
                    if (dt.isFloatingPoint()) dt = DType.defaultFloat();
                    wrappedResult = wrappedResult == null ? dt : DType.promote(wrappedResult, dt);
                    break;
                case ZERO_DIM:
                    zeroResult = zeroResult == null ? dt : DType.promote(zeroResult, dt);
                    break;
                default:
                    dimResult = dimResult == null ? dt : DType.promote(dimResult, dt);
            }
        }
        return combine(dimResult, combine(zeroResult, wrappedResult));
    }

    private static DType combine(DType higher, DType lower) {
        if (higher == null) return lower;
        if (lower == null) return higher;
        if (higher.isFloatingPoint()) return higher;
        if (higher == DType.BOOL || lower.isFloatingPoint()) return DType.promote(higher, lower);
        return higher;
    }

    /** The dtype of a floating-only op's result: floating inputs keep theirs, others become float32. */
    public static DType floating(DType t) { return t.isFloatingPoint() ? t : DType.defaultFloat(); }
}
