package dev.kindling.kernel.spi;

/**
 * Reductions over a set of dimensions. Floating sums accumulate in double (or in blocks) so that float32 results stay
 * within 1e-5 of an exact sum for any size.
 */
public enum ReduceOp { SUM, PROD, MAX, MIN, ALL, ANY }
