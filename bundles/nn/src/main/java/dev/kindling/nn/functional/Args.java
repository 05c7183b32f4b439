package dev.kindling.nn.functional;

import java.util.Arrays;

/** Argument helpers shared by {@link F}'s int overloads and its convolution and pooling checks. */
final class Args {
    private Args() {}

    /** PyTorch's {@code _pair}: one int for both spatial dimensions. */
    static int[] pair(int v) { return new int[] {v, v}; }

    static void checkPositive(int[] values, String what) {
        for (int v : values) if (v <= 0) throw new IllegalArgumentException(what + " should be greater than zero, but got " + Arrays.toString(values));
    }
}
