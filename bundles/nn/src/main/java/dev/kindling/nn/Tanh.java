package dev.kindling.nn;

import dev.kindling.api.Tensor;

/** Hyperbolic tangent. */
public class Tanh extends Module {
    @Override
    public Tensor forward(Tensor x) { return x.tanh(); }
}
