package dev.kindling.api.autograd;

import java.util.List;

import org.osgi.annotation.versioning.ProviderType;

/** A node of the autograd graph: the backward of the op that produced a tensor ({@code tensor.grad_fn}). */
// Graph nodes are made by the autograd bundle; users read them.
@ProviderType
public interface GradFn {
    /** PyTorch's node name, e.g. {@code MulBackward0}. */
    String name();

    /** The nodes this one passes gradients to, one per differentiable input (null where an input needs none). */
    List<GradFn> nextFunctions();
}
