package dev.kindling.onnx.internal.load;

import dev.kindling.api.DType;
import dev.kindling.api.Tensor;

import java.util.List;

/**
 * The non-tensor values a graph may pass between nodes: sequences of tensors and optionals. Everything else in the
 * interpreter's environment is a {@link Tensor}.
 */
public final class Values {
    private Values() {}

    /** An ONNX sequence: tensors of one element type (known even when the sequence is empty). */
    public record Sequence(List<Tensor> items, DType elemType) {
        public Sequence {
            items = List.copyOf(items);
        }
    }

    /** An ONNX optional: a tensor, a sequence, or nothing (null). */
    public record Optional(Object value) {
        public boolean present() { return value != null; }
    }

    /** How errors name a value's kind. */
    static String kind(Object v) {
        return v instanceof Sequence ? "a sequence" : v instanceof Optional ? "an optional" : v == null ? "absent" : "a tensor";
    }
}
