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
        try {
            return k.dispatchChain().dispatch(op, inputs, attrs);
        } catch (LinkageError | ClassCastException e) {
            return runAgain(k, op, inputs, attrs, e);
        }
    }

    /** How often an op caught in backend removals is run again, at most. */
    private static final int MAX_RUNS_AGAIN = 8;

    /**
     * A backend was removed (its bundle updated) while the op ran in its code: the old revision could not load a class
     * any more, or was handed a storage already moved to the new one. The op runs again, once more for each further
     * removal meanwhile (quick updates): its inputs move to the backend now serving the device type. The mixed-storage
     * case fails as the backend reads its arguments, before it writes; a class missing part-way might leave an in-place
     * op half done, so that one is not repeated. In a kernel that never lost a backend the error is the op's own.
     */
    private static Tensor[] runAgain(OpRuntime k, OpDef op, Tensor[] inputs, Attrs attrs, Throwable first) {
        if (k.backendRemovals() == 0 || (first instanceof LinkageError && op.isInPlace())) throw unchecked(first);
        for (int run = 1; ; run++) {
            long removals = k.backendRemovals();
            try {
                return k.dispatchChain().dispatch(op, inputs, attrs);
            } catch (LinkageError | ClassCastException e) {
                if (k.backendRemovals() == removals || (e instanceof LinkageError && op.isInPlace()) || run == MAX_RUNS_AGAIN) throw e;
            }
        }
    }

    private static RuntimeException unchecked(Throwable t) {
        if (t instanceof Error) throw (Error) t;
        return (RuntimeException) t;
    }

    static OpRuntime kernelOf(Tensor[] inputs) {
        for (Tensor t : inputs) {
            if (t instanceof DenseTensor) return ((DenseTensor) t).kernel();
        }
        return null;
    }
}
