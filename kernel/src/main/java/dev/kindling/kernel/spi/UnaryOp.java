package dev.kindling.kernel.spi;

/**
 * Elementwise one-input primitives. A backend computes in the output's dtype (floating ops read integers as floating
 * values); predicates ({@link #isPredicate()}) compute in the input's dtype and write BOOL.
 *
 * <p>The CUDA backend passes each constant's ordinal to its kernels; {@code backends/cuda/src/main/cuda/kindling_ops.h}
 * is generated from this enum and checked against it by a test there.
 */
public enum UnaryOp {
    NEG, ABS, SIGN, EXP, EXP2, EXPM1, LOG, LOG2, LOG10, LOG1P, SQRT, RSQRT, SIN, COS, TAN, ASIN, ACOS, ATAN,
    SINH, COSH, TANH, SIGMOID, RELU, ERF, FLOOR, CEIL, ROUND, TRUNC, RECIPROCAL, SQUARE,
    LOGICAL_NOT, ISNAN, ISINF, ISFINITE;

    public boolean isPredicate() { return this == LOGICAL_NOT || this == ISNAN || this == ISINF || this == ISFINITE; }
}
