package dev.kindling.examples.extension;

import dev.kindling.api.Tensor;
import dev.kindling.nn.Module;

/** Swish / SiLU with a fixed {@code beta}: {@code x * sigmoid(beta * x)}. Built from tensor ops, so autograd just works. */
public class Swish extends Module {
    private final double beta;

    public Swish(double beta) { this.beta = beta; }

    public double beta() { return beta; }

    @Override
    public Tensor forward(Tensor x) { return x.mul(x.mul(beta).sigmoid()); }

    @Override
    public String extraRepr() { return "beta=" + beta; }
}
