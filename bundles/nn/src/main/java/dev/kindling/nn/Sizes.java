package dev.kindling.nn;

import dev.kindling.nn.internal.Py;

/** Sizes given as PyTorch's "int or tuple": a one-element array is the int (both dimensions, printed as an int). */
final class Sizes {
    private Sizes() {}

    static int[] expand(int[] given, int n, String what) {
        if (given == null || (given.length != 1 && given.length != n)) {
            throw new IllegalArgumentException(what + " must be one value or " + n + " values, got " + (given == null ? "null" : java.util.Arrays.toString(given)));
        }
        if (given.length == n) return given.clone();
        int[] out = new int[n];
        java.util.Arrays.fill(out, given[0]);
        return out;
    }

    static String repr(int[] given) { return given.length == 1 ? Integer.toString(given[0]) : Py.tuple(given); }
}
