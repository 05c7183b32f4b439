package dev.kindling.autograd.internal;

import dev.kindling.api.DType;
import dev.kindling.api.Tensor;
import dev.kindling.api.autograd.Function;
import dev.kindling.api.autograd.FunctionContext;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The backward of a user's custom {@link Function}. */
final class FunctionNode extends Node {
    private final Function fn;
    private final Ctx ctx;
    private final long[][] inShapes;
    private final DType[] inTypes;

    FunctionNode(Function fn, Ctx ctx, Edge[] next, Tensor[] inputs) {
        super(next, 1);
        this.fn = fn;
        this.ctx = ctx;
        this.inShapes = new long[inputs.length][];
        this.inTypes = new DType[inputs.length];
        for (int i = 0; i < inputs.length; i++) {
            inShapes[i] = inputs[i].shape();
            inTypes[i] = inputs[i].dtype();
        }
        ctx.owner = this;
    }

    @Override public String name() { return fn.nodeName(); }

    @Override
    Tensor[] apply(Tensor[] gradOutputs) {
        if (ctx.released) throw Engine.freedGraph();
        Tensor[] grads = fn.backward(ctx, gradOutputs);
        if (grads == null || grads.length != next.length) {
            throw new IllegalStateException("function " + name() + " returned an incorrect number of gradients (expected "
                    + next.length + ", got " + (grads == null ? 0 : grads.length) + ")");
        }
        Tensor[] out = grads.clone();
        for (int i = 0; i < out.length; i++) {
            if (out[i] == null || next[i] == null) {
                out[i] = null;
                continue;
            }
            out[i] = Engine.fitTo(out[i], inShapes[i], inTypes[i]);
        }
        return out;
    }

    @Override void release() { ctx.release(); }

    /** The context a custom function's forward fills and its backward reads. */
    static final class Ctx implements FunctionContext {
        private final boolean[] needs;
        private final List<SavedTensor> saved = new ArrayList<>();
        private final Map<String, Object> values = new HashMap<>();
        private final List<Tensor> nonDifferentiable = new ArrayList<>();
        private volatile boolean released;
        Node owner;

        Ctx(boolean[] needs) { this.needs = needs; }

        @Override public void saveForBackward(Tensor... tensors) {
            saved.clear();
            for (Tensor t : tensors) saved.add(t == null ? null : new SavedTensor(t, false));
        }

        @Override public List<Tensor> savedTensors() {
            if (released) throw Engine.freedGraph();
            List<Tensor> out = new ArrayList<>();
            for (SavedTensor s : saved) out.add(s == null ? null : s.unpack(owner));
            return out;
        }

        @Override public boolean needsInputGrad(int i) { return i >= 0 && i < needs.length && needs[i]; }

        @Override public void put(String key, Object value) { values.put(key, value); }

        @SuppressWarnings("unchecked")
        @Override public <T> T get(String key) { return (T) values.get(key); }

        @Override public void markNonDifferentiable(Tensor... outputs) { nonDifferentiable.addAll(List.of(outputs)); }

        boolean isNonDifferentiable(Tensor t) {
            for (Tensor n : nonDifferentiable) if (n == t) return true;
            return false;
        }

        void release() {
            released = true;
            for (SavedTensor s : saved) if (s != null) s.release();
        }
    }
}
