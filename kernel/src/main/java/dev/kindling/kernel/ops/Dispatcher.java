package dev.kindling.kernel.ops;

import dev.kindling.api.Tensor;

/**
 * Routes an op call: checks its attributes and inputs against the op's schema, then runs it through the dispatch chain
 * of the kernel that owns its tensors ({@link DispatchChain}: autocast, autograd, tracing, ... as installed), which
 * ends at the op's forward. With no layer installed a call goes straight to the forward. Backends never see the
 * layers.
 */
public final class Dispatcher {
    private Dispatcher() {}

    public static Tensor[] dispatch(OpDef op, Tensor[] inputs, Attrs attrs) {
        attrs = op.bind(attrs);
        op.checkInputs(inputs);
        OpRuntime k = kernelOf(inputs);
        return k == null ? op.forward(inputs, attrs) : k.dispatchChain().dispatch(op, inputs, attrs);
    }

    static OpRuntime kernelOf(Tensor[] inputs) {
        for (Tensor t : inputs) {
            if (t instanceof DenseTensor) return ((DenseTensor) t).kernel();
        }
        return null;
    }
}
