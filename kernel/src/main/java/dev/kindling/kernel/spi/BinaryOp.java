package dev.kindling.kernel.spi;

/**
 * Elementwise two-input primitives, computed in a given compute dtype. Comparisons and logical ops write BOOL.
 * {@code REMAINDER} follows Python (sign of the divisor); {@code DIV} on integers is floor-free true division only
 * when the compute type is floating (the kernel arranges that).
 *
 * <p>The CUDA backend passes each constant's ordinal to its kernels; {@code backends/cuda/src/main/cuda/kindling_ops.h}
 * is generated from this enum and checked against it by a test there.
 */
public enum BinaryOp {
    ADD(false), SUB(false), MUL(false), DIV(false), REMAINDER(false), POW(false), MAXIMUM(false), MINIMUM(false),
    ATAN2(false),
    EQ(true), NE(true), LT(true), LE(true), GT(true), GE(true), LOGICAL_AND(true), LOGICAL_OR(true), LOGICAL_XOR(true);

    private final boolean writesBool;

    BinaryOp(boolean writesBool) { this.writesBool = writesBool; }

    /** Whether the result is BOOL whatever the compute dtype (comparisons and logical ops). */
    public boolean writesBool() { return writesBool; }
}
