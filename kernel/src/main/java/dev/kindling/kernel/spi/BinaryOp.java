package dev.kindling.kernel.spi;

/**
 * Elementwise two-input primitives, computed in a given compute dtype. Comparisons and logical ops write BOOL.
 * {@code REMAINDER} follows Python (sign of the divisor); {@code DIV} on integers is floor-free true division only
 * when the compute type is floating (the kernel arranges that).
 */
public enum BinaryOp {
    ADD, SUB, MUL, DIV, REMAINDER, POW, MAXIMUM, MINIMUM, ATAN2,
    EQ, NE, LT, LE, GT, GE, LOGICAL_AND, LOGICAL_OR, LOGICAL_XOR;

    public boolean writesBool() { return ordinal() >= EQ.ordinal(); }
}
