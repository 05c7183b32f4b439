package dev.kindling.onnx.internal.export;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import com.google.protobuf.ByteString;
import dev.kindling.api.DType;
import dev.kindling.jit.Graph;
import dev.kindling.jit.SymInt;
import dev.kindling.onnx.OnnxException;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What an emitter writes with: ONNX names for the graph's values, fresh names, nodes with typed attributes, int64
 * constants, casts, and size vectors whose symbolic entries are computed at run time from the inputs' shapes.
 */
final class GraphWriter {
    final int opset;
    private final GraphProto.Builder graph;
    private final Map<Graph.Value, String> names = new HashMap<>();
    private final Map<String, String> symbolSizes = new HashMap<>();
    private final Map<String, int[]> symbols;
    private final List<Graph.Value> inputs;
    private int counter;
    /** The node being emitted, for names and errors. */
    Graph.Node current;
    private String prefix = "";

    GraphWriter(int opset, GraphProto.Builder graph, Graph g) {
        this.opset = opset;
        this.graph = graph;
        this.symbols = g.symbols();
        this.inputs = g.inputs();
    }

    void name(Graph.Value v, String name) { names.put(v, name); }

    void begin(Graph.Node n, int index) {
        current = n;
        prefix = (n.scope().isEmpty() ? "" : "/" + n.scope().replace('.', '/')) + "/" + n.op() + "_" + index;
    }

    /** The ONNX name of a value the graph defined. */
    String in(Graph.Value v) {
        String n = names.get(v);
        if (n == null) throw new IllegalStateException("value " + v + " has no ONNX name yet (read before it is written)");
        return n;
    }

    /** The name a node's result {@code i} is written to. */
    String out(int i) {
        Graph.Value v = current.outputs().get(i);
        return names.computeIfAbsent(v, k -> prefix + (current.outputs().size() > 1 ? "_" + i : ""));
    }

    String fresh(String hint) { return prefix + "/" + hint + "_" + counter++; }

    /** Adds a node; returns its first output. */
    String node(String opType, List<String> ins, List<String> outs, AttributeProto... attrs) {
        NodeProto.Builder b = NodeProto.newBuilder().setOpType(opType).setName(prefix + "/" + opType + "_" + counter++);
        b.addAllInput(ins).addAllOutput(outs);
        for (AttributeProto a : attrs) b.addAttribute(a);
        graph.addNode(b);
        return outs.get(0);
    }

    /** A one-output node written to a fresh name. */
    String op(String opType, List<String> ins, AttributeProto... attrs) { return node(opType, ins, List.of(fresh(opType)), attrs); }

    /** A one-output node written to the current node's result 0. */
    String result(String opType, List<String> ins, AttributeProto... attrs) { return node(opType, ins, List.of(out(0)), attrs); }

    String constant(TensorProto value) {
        String name = fresh("const");
        graph.addNode(NodeProto.newBuilder().setOpType("Constant").setName(name + "_node").addOutput(name)
                .addAttribute(AttributeProto.newBuilder().setName("value").setType(AttributeProto.AttributeType.TENSOR).setT(value.toBuilder().setName(""))));
        return name;
    }

    String int64s(long... values) { return constant(TensorProtos.int64s("", values, false)); }

    String int64Scalar(long value) { return constant(TensorProtos.int64s("", new long[] {value}, true)); }

    String scalar(double value, DType dtype) { return constant(TensorProtos.scalar("", value, dtype)); }

    String cast(String name, DType to) { return op("Cast", List.of(name), attr("to", TensorProtos.elemType(to))); }

    /** {@code v}'s name, cast to {@code to} when its dtype differs. */
    String as(Graph.Value v, DType to) { return v.dtype() == to ? in(v) : cast(in(v), to); }

    /**
     * A 1-d int64 tensor of {@code entries} (Long or SymInt): a constant when all are fixed, else a Concat whose
     * symbolic entries are read from the shapes of the inputs that declare their symbols.
     */
    String sizes(Object[] entries) {
        boolean fixed = Arrays.stream(entries).noneMatch(e -> e instanceof SymInt);
        if (fixed) return int64s(Arrays.stream(entries).mapToLong(e -> ((Number) e).longValue()).toArray());
        List<String> parts = new ArrayList<>();
        List<Long> run = new ArrayList<>();
        for (Object e : entries) {
            if (e instanceof SymInt) {
                if (!run.isEmpty()) { parts.add(int64s(run.stream().mapToLong(Long::longValue).toArray())); run.clear(); }
                parts.add(symbolic((SymInt) e));
            } else {
                run.add(((Number) e).longValue());
            }
        }
        if (!run.isEmpty()) parts.add(int64s(run.stream().mapToLong(Long::longValue).toArray()));
        return parts.size() == 1 ? parts.get(0) : op("Concat", parts, attr("axis", 0));
    }

    /** A 1-element int64 tensor holding {@code s} for this run. */
    String symbolic(SymInt s) {
        String v = null;
        for (String sym : s.symbols()) {
            String size = symbolSizes.computeIfAbsent(sym, this::symbolSize);
            v = v == null ? size : op("Mul", List.of(v, size));
        }
        return s.coefficient() == 1 ? v : op("Mul", List.of(v, int64s(s.coefficient())));
    }

    private String symbolSize(String sym) {
        int[] at = symbols.get(sym);
        if (at == null) throw new OnnxException("the symbolic size '" + sym + "' is declared by no graph input");
        String shape = "/shape/" + sym;
        graph.addNode(NodeProto.newBuilder().setOpType("Shape").setName(shape).addInput(names.get(inputs.get(at[0]))).addOutput(shape)
                .addAttribute(attr("start", at[1])).addAttribute(attr("end", at[1] + 1)));
        return shape;
    }

    // ---------------------------------------------------------------- attributes
    static AttributeProto attr(String name, long v) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INT).setI(v).build();
    }

    static AttributeProto attr(String name, double v) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.FLOAT).setF((float) v).build();
    }

    static AttributeProto attr(String name, String v) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.STRING)
                .setS(ByteString.copyFrom(v, StandardCharsets.UTF_8)).build();
    }

    static AttributeProto ints(String name, long... v) {
        AttributeProto.Builder b = AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS);
        for (long x : v) b.addInts(x);
        return b.build();
    }

    static AttributeProto ints(String name, int... v) { return ints(name, Arrays.stream(v).asLongStream().toArray()); }

    /** An export failure naming the op, its module and what would help. */
    OnnxException unsupported(String why) {
        return new OnnxException("cannot export op '" + current.op() + "'" + (current.scope().isEmpty() ? "" : " (module '" + current.scope() + "')")
                + " at opset " + opset + ": " + why);
    }
}
