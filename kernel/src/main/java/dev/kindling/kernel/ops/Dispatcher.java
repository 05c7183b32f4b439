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
        if (k == null) return op.forward(inputs, attrs);
        long removals = k.backendRemovals();
        for (int attempt = 1; ; attempt++) {
            try {
                return k.dispatchChain().dispatch(op, inputs, attrs);
            } catch (LinkageError | ClassCastException e) {
                // A backend was removed (its bundle updated) while this op ran in its code: the old revision could not
                // load a class any more, or was handed a storage already moved to the new one. Run the op again (once
                // more for each further removal meanwhile, as in quick updates): its inputs move to the backend now
                // serving the device type. The mixed-storage case fails as the backend reads its arguments, before it
                // writes; a class missing part-way might leave an in-place op half done, so that one is not repeated.
                long now = k.backendRemovals();
                if (now == removals || (e instanceof LinkageError && op.isInPlace()) || attempt == MAX_ATTEMPTS) throw e;
                removals = now;
            }
        }
    }

    /** How often an op caught in backend removals is run, at most. */
    private static final int MAX_ATTEMPTS = 8;

    static OpRuntime kernelOf(Tensor[] inputs) {
        for (Tensor t : inputs) {
            if (t instanceof DenseTensor) return ((DenseTensor) t).kernel();
        }
        return null;
    }
}
