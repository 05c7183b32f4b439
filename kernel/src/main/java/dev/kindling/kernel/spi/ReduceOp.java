package dev.kindling.kernel.spi;

/**
 * Reductions over a set of dimensions. Floating sums accumulate in double (or in blocks) so that float32 results stay
 * within 1e-5 of an exact sum for any size.
 *
 * <p>The CUDA backend passes each constant's ordinal to its kernels; {@code backends/cuda/src/main/cuda/kindling_ops.h}
 * is generated from this enum and checked against it by a test there.
 */
public enum ReduceOp {
    SUM(false), PROD(false), MAX(false), MIN(false), ALL(true), ANY(true);

    private final boolean logical;

    ReduceOp(boolean logical) { this.logical = logical; }

    /** Whether the reduction combines truth values ({@code ALL}, {@code ANY}: inputs read as {@code != 0}, BOOL out). */
    public boolean isLogical() { return logical; }
}
