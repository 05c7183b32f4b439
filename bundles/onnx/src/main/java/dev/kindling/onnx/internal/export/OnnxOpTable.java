package dev.kindling.onnx.internal.export;

import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The exporter's one table: Kindling op name to the emitter that writes it as ONNX (opset-aware), filled by the
 * families below. An in-place op ({@code relu_}) exports as its out-of-place form: the traced graph is already
 * functional.
 */
final class OnnxOpTable {
    private OnnxOpTable() {}

    private static final Map<String, Emitter> TABLE;

    static {
        Map<String, Emitter> t = new HashMap<>();
        ElementwiseEmitters.register(t);
        ReductionEmitters.register(t);
        ShapeEmitters.register(t);
        NnEmitters.register(t);
        RecurrentEmitters.register(t);
        AttentionEmitters.register(t);
        TABLE = Collections.unmodifiableMap(t);
    }

    /** The emitter for {@code op}, or null when the exporter has none. */
    static Emitter find(String op) {
        Emitter e = TABLE.get(op);
        if (e == null && op.endsWith("_")) e = TABLE.get(op.substring(0, op.length() - 1));
        return e;
    }

    /** The ops the exporter writes. */
    static Set<String> ops() { return new TreeSet<>(TABLE.keySet()); }
}
