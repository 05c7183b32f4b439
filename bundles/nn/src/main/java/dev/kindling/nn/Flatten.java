package dev.kindling.nn;

import dev.kindling.api.Tensor;

/** Flattens dimensions {@code startDim..endDim} (default 1..-1: everything but the batch). */
public class Flatten extends Module {
    private final int startDim;
    private final int endDim;

    public Flatten() { this(1, -1); }

    public Flatten(int startDim, int endDim) {
        this.startDim = startDim;
        this.endDim = endDim;
    }

    public int startDim() { return startDim; }

    public int endDim() { return endDim; }

    @Override
    public Tensor forward(Tensor x) { return x.flatten(startDim, endDim); }

    @Override
    public String extraRepr() { return "start_dim=" + startDim + ", end_dim=" + endDim; }
}
