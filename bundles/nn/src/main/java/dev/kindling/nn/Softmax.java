package dev.kindling.nn;

import dev.kindling.api.Tensor;

/** Softmax along {@code dim}. */
public class Softmax extends Module {
    private final int dim;

    public Softmax(int dim) { this.dim = dim; }

    public int dim() { return dim; }

    @Override
    public Tensor forward(Tensor x) { return x.softmax(dim); }

    @Override
    public String extraRepr() { return "dim=" + dim; }
}
