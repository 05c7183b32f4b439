package dev.kindling.onnx.internal.load;

import dev.kindling.onnx.internal.load.ops.AttentionOps;
import dev.kindling.onnx.internal.load.ops.ControlFlowOps;
import dev.kindling.onnx.internal.load.ops.DetectionOps;
import dev.kindling.onnx.internal.load.ops.ElementwiseOps;
import dev.kindling.onnx.internal.load.ops.IndexOps;
import dev.kindling.onnx.internal.load.ops.LossOps;
import dev.kindling.onnx.internal.load.ops.MathOps;
import dev.kindling.onnx.internal.load.ops.NnOps;
import dev.kindling.onnx.internal.load.ops.QuantOps;
import dev.kindling.onnx.internal.load.ops.RandomOps;
import dev.kindling.onnx.internal.load.ops.ReduceOps;
import dev.kindling.onnx.internal.load.ops.ResizeOps;
import dev.kindling.onnx.internal.load.ops.RnnOps;
import dev.kindling.onnx.internal.load.ops.SequenceOps;
import dev.kindling.onnx.internal.load.ops.ShapeOps;
import dev.kindling.onnx.internal.load.ops.SignalOps;
import dev.kindling.onnx.internal.load.ops.TextOps;

import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The one table of ai.onnx operators the interpreter runs: op type to implementation. Each family file adds its ops
 * in its {@code register}; an op type missing here fails at load time.
 */
public final class OpTable {
    private static final OpTable STANDARD = build();

    private final Map<String, Op> ops = new TreeMap<>();

    private OpTable() {}

    private static OpTable build() {
        OpTable t = new OpTable();
        ElementwiseOps.register(t);
        MathOps.register(t);
        ReduceOps.register(t);
        ShapeOps.register(t);
        IndexOps.register(t);
        NnOps.register(t);
        RnnOps.register(t);
        ResizeOps.register(t);
        LossOps.register(t);
        QuantOps.register(t);
        DetectionOps.register(t);
        ControlFlowOps.register(t);
        AttentionOps.register(t);
        SignalOps.register(t);
        RandomOps.register(t);
        SequenceOps.register(t);
        TextOps.register(t);
        return t;
    }

    static OpTable standard() { return STANDARD; }

    /** Adds {@code opType}; a second registration of the same type is a programming error. */
    public void put(String opType, Op op) {
        if (ops.putIfAbsent(opType, op) != null) throw new IllegalStateException("op " + opType + " registered twice");
    }

    Op get(String opType) { return ops.get(opType); }

    /** The supported op types, sorted. */
    public static Set<String> supported() { return java.util.Collections.unmodifiableSet(STANDARD.ops.keySet()); }
}
