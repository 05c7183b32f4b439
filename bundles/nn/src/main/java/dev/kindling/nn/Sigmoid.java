package dev.kindling.nn;

import dev.kindling.api.Tensor;

/** {@code 1 / (1 + exp(-x))}. */
public class Sigmoid extends Module {
    @Override
    public Tensor forward(Tensor x) { return x.sigmoid(); }
}
