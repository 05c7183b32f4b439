package dev.kindling.nn;

import dev.kindling.api.Tensor;

/** Log-softmax along {@code dim} (computed stably, not as log of softmax). */
public class LogSoftmax extends Module {
    private final int dim;

    public LogSoftmax(int dim) { this.dim = dim; }

    public int dim() { return dim; }

    @Override
    public Tensor forward(Tensor x) { return x.logSoftmax(dim); }

    @Override
    public String extraRepr() { return "dim=" + dim; }
}
