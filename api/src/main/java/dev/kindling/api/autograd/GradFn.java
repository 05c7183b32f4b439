package dev.kindling.api.autograd;

import java.util.List;

/** A node of the autograd graph: the backward of the op that produced a tensor ({@code tensor.grad_fn}). */
public interface GradFn {
    /** PyTorch's node name, e.g. {@code MulBackward0}. */
    String name();

    /** The nodes this one passes gradients to, one per differentiable input (null where an input needs none). */
    List<GradFn> nextFunctions();
}
