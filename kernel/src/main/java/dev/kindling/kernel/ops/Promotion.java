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

    public static DType resultType(Tensor... ts) {
        DType dimResult = null;
        DType zeroResult = null;
        DType wrappedResult = null;
        for (Tensor t : ts) {
            if (t == null) continue;
            DType dt = t.dtype();
            if (t instanceof DenseTensor && ((DenseTensor) t).isWrappedNumber()) {
                if (dt.isFloatingPoint()) dt = DType.defaultFloat();
                wrappedResult = wrappedResult == null ? dt : DType.promote(wrappedResult, dt);
            } else if (t.dim() == 0) {
                zeroResult = zeroResult == null ? dt : DType.promote(zeroResult, dt);
            } else {
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
