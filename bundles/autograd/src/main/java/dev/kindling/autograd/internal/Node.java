package dev.kindling.autograd.internal;

import dev.kindling.api.Tensor;
import dev.kindling.api.autograd.GradFn;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * A node of the backward graph: takes the gradients of its forward outputs and returns those of its forward inputs,
 * which flow along {@link #next} edges (null where an input needs no gradient).
 */
abstract class Node implements GradFn {
    final Edge[] next;
    final int numOutputs;
    /** Tensor hooks per forward output, applied to the gradient before the node runs. */
    private volatile List<Function<Tensor, Tensor>>[] preHooks;

    Node(Edge[] next, int numOutputs) {
        this.next = next;
        this.numOutputs = numOutputs;
    }

    /** Gradients for the forward inputs, one per edge (entries may be null). */
    abstract Tensor[] apply(Tensor[] gradOutputs);

    /** Drops what the node saved for backward (after a backward without retainGraph). */
    void release() {}

    @Override
    public List<GradFn> nextFunctions() {
        List<GradFn> out = new ArrayList<>();
        for (Edge e : next) out.add(e == null ? null : e.node());
        return out;
    }

    @SuppressWarnings("unchecked")
    synchronized Runnable addPreHook(int outputNr, Function<Tensor, Tensor> hook) {
        if (preHooks == null) preHooks = new List[numOutputs];
        if (preHooks[outputNr] == null) preHooks[outputNr] = new CopyOnWriteArrayList<>();
        List<Function<Tensor, Tensor>> list = preHooks[outputNr];
        list.add(hook);
        return () -> list.remove(hook);
    }

    Tensor applyPreHooks(int outputNr, Tensor grad) {
        List<Function<Tensor, Tensor>>[] hooks = preHooks;
        if (hooks == null || hooks[outputNr] == null || grad == null) return grad;
        for (Function<Tensor, Tensor> h : hooks[outputNr]) {
            Tensor r = h.apply(grad);
            if (r != null) grad = r;
        }
        return grad;
    }

    @Override
    public String toString() { return "<" + name() + ">"; }
}
