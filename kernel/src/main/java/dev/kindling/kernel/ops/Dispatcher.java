package dev.kindling.kernel.ops;

import dev.kindling.api.Tensor;
import dev.kindling.kernel.Kernel;
import dev.kindling.kernel.spi.GradientEngine;
import dev.kindling.kernel.tensor.DenseTensor;

/**
 * Routes an op call: ops with their own derivative go through the autograd engine when one is installed (it records
 * the graph and runs the forward below itself); everything else runs its forward directly. Backends never see
 * autograd.
 */
public final class Dispatcher {
    private Dispatcher() {}

    public static Tensor[] dispatch(OpDef op, Tensor[] inputs, Attrs attrs) {
        if (op.kind() == OpDef.Kind.DIFFERENTIABLE) {
            Kernel k = kernelOf(inputs);
            GradientEngine e = k == null ? null : k.gradientEngine();
            if (e != null) return e.dispatch(op, inputs, attrs);
        }
        return op.forward(inputs, attrs);
    }

    static Kernel kernelOf(Tensor[] inputs) {
        for (Tensor t : inputs) {
            if (t instanceof DenseTensor) return ((DenseTensor) t).kernel();
        }
        return null;
    }
}
