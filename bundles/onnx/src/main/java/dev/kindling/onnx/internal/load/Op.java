package dev.kindling.onnx.internal.load;

import dev.kindling.api.Tensor;

/** One ONNX operator implemented with Kindling tensor ops; returns the node's outputs in order (null for an unused optional one). */
@FunctionalInterface
public interface Op {
    Tensor[] run(OpContext c);
}
