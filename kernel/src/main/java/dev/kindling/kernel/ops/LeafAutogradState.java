package dev.kindling.kernel.ops;

import dev.kindling.api.Tensor;

/**
 * What an engine's per-tensor state ({@link DenseTensor#autogradMeta()}) tells the engine that replaces it, when the
 * autograd bundle is updated under live tensors: a new revision cannot read the old one's classes, so it adopts a leaf
 * (a parameter) through this view and keeps training it. A recorded graph is the old revision's and is not adopted.
 */
// Implemented by the autograd bundle's per-tensor state, read by its next revision.
@org.osgi.annotation.versioning.ConsumerType
public interface LeafAutogradState {
    /** Whether the user marked this leaf as requiring grad. */
    boolean leafRequiresGrad();

    /** The gradient accumulated into this leaf, or null. */
    Tensor leafGrad();

    /** Whether the tensor is the output of a recorded op (not a leaf): its graph cannot be adopted. */
    boolean hasHistory();
}
