package dev.kindling.kernel.ops;

import dev.kindling.api.Tensor;

/**
 * Routes an op call: ops with their own derivative go through the autograd engine when one is installed (it records
 * the graph and runs the forward below itself); everything else runs its forward directly. Backends never see
 * autograd.
 */
public final class Dispatcher {
    private Dispatcher() {}

    public static Tensor[] dispatch(OpDef op, Tensor[] inputs, Attrs attrs) {
        attrs = op.bind(attrs);
        op.checkInputs(inputs);
        if (op.kind() == OpDef.Kind.DIFFERENTIABLE) {
            OpRuntime k = kernelOf(inputs);
            GradientEngine e = k == null ? null : k.gradientEngine();
            if (e != null) return e.dispatch(op, inputs, attrs);
        }
        return op.forward(inputs, attrs);
    }

    static OpRuntime kernelOf(Tensor[] inputs) {
        for (Tensor t : inputs) {
            if (t instanceof DenseTensor) return ((DenseTensor) t).kernel();
        }
        return null;
    }
}
