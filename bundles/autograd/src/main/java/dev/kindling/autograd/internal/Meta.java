package dev.kindling.autograd.internal;

import dev.kindling.api.Tensor;
import dev.kindling.kernel.ops.DenseTensor;

/** A tensor's autograd state, kept in {@link DenseTensor#autogradMeta()}. */
final class Meta {
    /** Set on leaves the user marked; non-leaves require grad through {@link #gradFn}. */
    boolean requiresGrad;
    Node gradFn;
    int outputNr;
    Tensor grad;
    boolean retainsGrad;
    /** The leaf's accumulator, created on first use so that all graphs through the leaf share it. */
    AccumulateGrad accumulator;

    static Meta of(DenseTensor t) { return (Meta) t.autogradMeta(); }

    static Meta getOrCreate(DenseTensor t) {
        synchronized (t) {
            Meta m = (Meta) t.autogradMeta();
            if (m == null) {
                m = new Meta();
                t.setAutogradMeta(m);
            }
            return m;
        }
    }
}
