package dev.kindling.onnx.internal.load;

/**
 * One ONNX operator implemented with Kindling tensor ops; returns the node's outputs in order (null for an unused
 * optional one): tensors, or {@link Values.Sequence}/{@link Values.Optional} for the sequence and optional ops.
 */
@FunctionalInterface
public interface Op {
    Object[] run(OpContext c);
}
