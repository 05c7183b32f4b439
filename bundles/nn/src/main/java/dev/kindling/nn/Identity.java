package dev.kindling.nn;

import dev.kindling.api.Tensor;

/** Returns its input. */
public class Identity extends Module {
    @Override
    public Tensor forward(Tensor x) { return x; }
}
