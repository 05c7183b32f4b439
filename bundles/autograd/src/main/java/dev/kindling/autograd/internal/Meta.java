package dev.kindling.autograd.internal;

import dev.kindling.api.Tensor;
import dev.kindling.kernel.ops.DenseTensor;
import dev.kindling.kernel.ops.LeafAutogradState;

/**
 * A tensor's autograd state, kept in {@link DenseTensor#autogradMeta()}. State left by another revision of this bundle
 * (it was updated under live tensors) is adopted through {@link LeafAutogradState} for leaves.
 */
final class Meta implements LeafAutogradState {
    /** Set on leaves the user marked; non-leaves require grad through {@link #gradFn}. */
    boolean requiresGrad;
    Node gradFn;
    int outputNr;
    Tensor grad;
    boolean retainsGrad;
    /** The leaf's accumulator, created on first use so that all graphs through the leaf share it. */
    AccumulateGrad accumulator;

    static Meta of(DenseTensor t) {
        Object o = t.autogradMeta();
        return o == null || o instanceof Meta ? (Meta) o : adopt(t);
    }

    /**
     * Takes over a leaf's state from an engine since replaced: the flag and the gradient (hooks registered on the leaf
     * stay with the old revision: register them again). A recorded result cannot be taken over.
     */
    private static Meta adopt(DenseTensor t) {
        synchronized (t) {
            Object o = t.autogradMeta();
            if (o instanceof Meta) return (Meta) o;
            if (!(o instanceof LeafAutogradState)) {
                throw new IllegalStateException("this tensor carries autograd state of an unknown kind (" + o.getClass().getName() + ")");
            }
            LeafAutogradState old = (LeafAutogradState) o;
            if (old.hasHistory()) {
                throw new dev.kindling.api.autograd.StaleGraphException("this tensor was computed under an autograd engine that has since been "
                        + "replaced (the autograd bundle was updated): its graph cannot be run or extended by the new one; compute it again from its leaves");
            }
            Meta m = new Meta();
            m.requiresGrad = old.leafRequiresGrad();
            m.grad = old.leafGrad();
            t.setAutogradMeta(m);
            return m;
        }
    }

    @Override
    public boolean leafRequiresGrad() { return requiresGrad; }

    @Override
    public Tensor leafGrad() { return grad; }

    @Override
    public boolean hasHistory() { return gradFn != null; }

    static Meta getOrCreate(DenseTensor t) {
        synchronized (t) {
            Meta m = of(t);
            if (m == null) {
                m = new Meta();
                t.setAutogradMeta(m);
            }
            return m;
        }
    }
}
