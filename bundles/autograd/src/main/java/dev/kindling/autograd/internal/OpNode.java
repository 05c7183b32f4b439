package dev.kindling.autograd.internal;

import dev.kindling.api.DType;
import dev.kindling.api.Tensor;
import dev.kindling.kernel.ops.Attrs;

/** The backward of one op of the kernel's table, computed by its row in {@link Derivatives}. */
final class OpNode extends Node implements Derivative.Ctx {
    private final Derivative d;
    private final String name;
    private final Attrs attrs;
    private final long[][] inShapes;
    private final DType[] inTypes;
    private final SavedTensor[] saved;
    private SavedTensor[] savedOut;
    private volatile boolean released;
    /** The output gradients while the formula runs (for {@link #grad}). */
    private Tensor[] current;

    OpNode(Derivative d, Attrs attrs, Edge[] next, Tensor[] inputs, Tensor[] savedInputs, int numOutputs) {
        super(next, numOutputs);
        this.d = d;
        this.attrs = attrs;
        this.name = d.name.apply(attrs, inputs);
        this.inShapes = new long[inputs.length][];
        this.inTypes = new DType[inputs.length];
        this.saved = new SavedTensor[inputs.length];
        for (int i = 0; i < inputs.length; i++) {
            if (inputs[i] == null) continue; // an absent optional input (Tensor?): no shape, nothing to save
            inShapes[i] = inputs[i].shape();
            inTypes[i] = inputs[i].dtype();
            if (d.savesInput(i)) saved[i] = new SavedTensor(savedInputs[i], false);
        }
    }

    void saveOutputs(Tensor[] outs) {
        if (d.saveOutputs == 0) return;
        savedOut = new SavedTensor[outs.length];
        for (int i = 0; i < outs.length; i++) if (d.savesOutput(i)) savedOut[i] = new SavedTensor(outs[i], true);
    }

    @Override public String name() { return name; }

    @Override
    Tensor[] apply(Tensor[] gradOutputs) {
        if (released) throw Engine.freedGraph();
        Tensor g = gradOutputs[0];
        boolean any = g != null;
        if (d.allGrads) for (Tensor t : gradOutputs) any |= t != null;
        if (!any) return new Tensor[next.length];
        Tensor[] grads;
        current = gradOutputs;
        try {
            grads = d.formula.apply(this, g);
        } finally {
            current = null;
        }
        for (int i = 0; i < grads.length && i < next.length; i++) {
            if (grads[i] == null || next[i] == null) {
                grads[i] = null;
                continue;
            }
            grads[i] = Engine.fitTo(grads[i], inShapes[i], inTypes[i]);
        }
        return grads;
    }

    @Override
    void release() {
        released = true;
        for (SavedTensor s : saved) if (s != null) s.release();
        if (savedOut != null) for (SavedTensor s : savedOut) if (s != null) s.release();
    }

    @Override public Tensor in(int i) {
        if (saved[i] == null) throw new IllegalStateException("derivative of " + name + " reads input " + i + " it did not save");
        return saved[i].unpack(this);
    }
    @Override public Tensor out() { return out(0); }
    @Override public Tensor out(int i) {
        if (savedOut == null || i >= savedOut.length || savedOut[i] == null) {
            throw new IllegalStateException("derivative of " + name + " reads its output " + i + ", which it did not save");
        }
        return savedOut[i].unpack(this);
    }
    @Override public Attrs attrs() { return attrs; }
    @Override public long[] inShape(int i) { return inShapes[i]; }
    @Override public DType inDType(int i) { return inTypes[i]; }
    @Override public int numInputs() { return inShapes.length; }
    @Override public Tensor grad(int i) { return current != null && i < current.length ? current[i] : null; }
    @Override public boolean needs(int i) { return i < next.length && next[i] != null; }
}
