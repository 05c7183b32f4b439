package dev.kindling.kernel.ops;

import dev.kindling.api.Tensor;

/**
 * One op of the table: its name (PyTorch's), how it computes, and how autograd must treat it.
 *
 * <ul>
 *   <li>{@link Kind#DIFFERENTIABLE}: has its own derivative in the autograd bundle's table (keyed by {@link #name()});
 *       its forward may use other ops, which are then not recorded.</li>
 *   <li>{@link Kind#COMPOSITE}: defined through other ops, which autograd records one by one.</li>
 *   <li>{@link Kind#NON_DIFFERENTIABLE}: comparisons, argmax, integer-only results: outputs never require grad.</li>
 * </ul>
 * Flags say whether output 0 is a view of input 0 or input 0 is modified in place.
 */
public final class OpDef {
    public enum Kind { DIFFERENTIABLE, COMPOSITE, NON_DIFFERENTIABLE }

    /** Computes the op's outputs from its inputs and attributes. */
    @FunctionalInterface
    public interface Forward {
        Tensor[] apply(Tensor[] inputs, Attrs attrs);
    }

    private final String name;
    private final Kind kind;
    private final boolean view;
    private final boolean inPlace;
    private final Forward forward;

    OpDef(String name, Kind kind, boolean view, boolean inPlace, Forward forward) {
        this.name = name;
        this.kind = kind;
        this.view = view;
        this.inPlace = inPlace;
        this.forward = forward;
    }

    public String name() { return name; }

    public Kind kind() { return kind; }

    public boolean isView() { return view; }

    public boolean isInPlace() { return inPlace; }

    /** Runs the forward directly, bypassing autograd (what the autograd engine calls). */
    public Tensor[] forward(Tensor[] inputs, Attrs attrs) { return forward.apply(inputs, attrs); }

    /** Dispatches through the kernel (and autograd, when installed). */
    public Tensor[] call(Tensor[] inputs, Attrs attrs) { return Dispatcher.dispatch(this, inputs, attrs); }

    public Tensor call1(Attrs attrs, Tensor... inputs) { return Dispatcher.dispatch(this, inputs, attrs)[0]; }

    @Override
    public String toString() { return name; }
}
