package dev.kindling.autograd.internal;

import dev.kindling.api.Tensor;
import dev.kindling.kernel.ops.DenseTensor;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Function;

/** The sink of a leaf: adds the incoming gradient to {@code leaf.grad()} (after the leaf's hooks). */
final class AccumulateGrad extends Node {
    final DenseTensor leaf;
    final List<Function<Tensor, Tensor>> hooks = new CopyOnWriteArrayList<>();
    /** Run after the gradient has been added to {@code leaf.grad()}. */
    final List<Consumer<Tensor>> postAccumulateHooks = new CopyOnWriteArrayList<>();

    AccumulateGrad(DenseTensor leaf) {
        super(new Edge[0], 1);
        this.leaf = leaf;
    }

    @Override public String name() { return "AccumulateGrad"; }

    Tensor runHooks(Tensor grad) {
        if (hooks.isEmpty()) return grad; // the common case, without an iterator
        for (Function<Tensor, Tensor> h : hooks) {
            Tensor r = h.apply(grad);
            if (r != null) grad = r;
        }
        return grad;
    }

    @Override
    Tensor[] apply(Tensor[] gradOutputs) {
        throw new IllegalStateException("AccumulateGrad is run by the engine");
    }

    void runPostAccumulateHooks() {
        if (postAccumulateHooks.isEmpty()) return;
        for (Consumer<Tensor> h : postAccumulateHooks) h.accept(leaf);
    }

    void accumulate(Tensor grad, boolean createGraph) {
        Meta m = Meta.getOrCreate(leaf);
        synchronized (m) {
            if (m.grad == null) {
                m.grad = createGraph ? grad : grad.detach().clone();
            } else if (createGraph) {
                m.grad = m.grad.add(grad);
            } else {
                m.grad.add_(grad.detach());
            }
        }
    }
}
