package dev.kindling.nn;

import dev.kindling.api.Tensor;

/** {@code max(x, 0)}; with {@code inplace}, overwrites its input. */
public class ReLU extends Module {
    private final boolean inplace;

    public ReLU() { this(false); }

    public ReLU(boolean inplace) { this.inplace = inplace; }

    public boolean inplace() { return inplace; }

    @Override
    public Tensor forward(Tensor x) { return inplace ? x.relu_() : x.relu(); }

    @Override
    public String extraRepr() { return inplace ? "inplace=True" : ""; }
}
