package dev.kindling.jit;

import dev.kindling.api.DType;
import dev.kindling.kernel.ops.OpDef;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The program a trace recorded (TorchScript's {@code graph}): values in static single assignment form and the op
 * calls between them, in execution order. Each node is one op of Kindling's op table or one nn functional
 * ({@code linear}, {@code conv2d}, {@code layer_norm}, ...), with its attributes by schema name; sizes that follow a
 * dynamic axis are {@link SymInt}s. {@link #toString()} prints it.
 */
public final class Graph {
    /** Where a value comes from. */
    public enum Kind {
        /** A graph input (one of the traced call's arguments). */
        INPUT,
        /** A parameter of the traced module, named by its state-dict key. */
        PARAMETER,
        /** A buffer of the traced module (running statistics), named by its state-dict key. */
        BUFFER,
        /** A tensor the forward used that belongs to no module: captured by value. */
        CONSTANT,
        /** A node's result. */
        INTERMEDIATE
    }

    /** One value: its name ({@code %x}, {@code fc1.weight}, {@code %7}), kind, dtype and shape (Long or SymInt dims). */
    public static final class Value {
        private final int id;
        private final String name;
        private final Kind kind;
        private final DType dtype;
        private final List<Object> shape;

        Value(int id, String name, Kind kind, DType dtype, List<Object> shape) {
            this.id = id;
            this.name = name;
            this.kind = kind;
            this.dtype = dtype;
            this.shape = List.copyOf(shape);
        }

        public int id() { return id; }

        public String name() { return name; }

        public Kind kind() { return kind; }

        public DType dtype() { return dtype; }

        /** Each dim a {@code Long} or a {@link SymInt}. */
        public List<Object> shape() { return shape; }

        public int rank() { return shape.size(); }

        Value withShape(List<Object> newShape) { return new Value(id, name, kind, dtype, newShape); }

        @Override
        public String toString() { return "%" + name; }
    }

    /** One op call: the op's name, its tensor inputs (null for an absent optional one), attributes and results. */
    public static final class Node {
        private final OpDef op;
        private final List<Value> inputs;
        private final Map<String, Object> attrs;
        private final List<Value> outputs;
        private final String scope;

        Node(OpDef op, List<Value> inputs, Map<String, Object> attrs, List<Value> outputs, String scope) {
            this.op = op;
            this.inputs = java.util.Collections.unmodifiableList(new ArrayList<>(inputs));
            this.attrs = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(attrs));
            this.outputs = java.util.Collections.unmodifiableList(new ArrayList<>(outputs));
            this.scope = scope;
        }

        /** The op's schema name ({@code conv2d}, {@code add}, {@code relu_}). */
        public String op() { return op.name(); }

        OpDef opDef() { return op; }

        /** Tensor inputs in schema order; null where an optional input was absent. */
        public List<Value> inputs() { return inputs; }

        /** Attributes by schema name, in schema order; ints/longs that follow a dynamic axis are {@link SymInt}s. */
        public Map<String, Object> attrs() { return attrs; }

        /** Results in schema order; null where an optional result is absent. */
        public List<Value> outputs() { return outputs; }

        /** The module path the node belongs to (from the parameters it reads; "" at the top). */
        public String scope() { return scope; }

        Node with(List<Value> newInputs, Map<String, Object> newAttrs, List<Value> newOutputs) {
            return new Node(op, newInputs, newAttrs, newOutputs, scope);
        }
    }

    private final List<Value> inputs;
    private final List<Value> outputs;
    private final List<Node> nodes;
    private final Map<Value, dev.kindling.api.Tensor> constants;
    private final List<Value> stateValues;

    Graph(List<Value> inputs, List<Value> stateValues, Map<Value, dev.kindling.api.Tensor> constants, List<Node> nodes, List<Value> outputs) {
        this.inputs = List.copyOf(inputs);
        this.stateValues = List.copyOf(stateValues);
        this.constants = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(constants));
        this.nodes = List.copyOf(nodes);
        this.outputs = List.copyOf(outputs);
    }

    public List<Value> inputs() { return inputs; }

    public List<Value> outputs() { return outputs; }

    public List<Node> nodes() { return nodes; }

    /** The parameters and buffers the graph reads, in first-use order. */
    public List<Value> stateValues() { return stateValues; }

    /** The captured constants and their values. */
    public Map<Value, dev.kindling.api.Tensor> constants() { return constants; }

    /** The symbolic sizes the graph's inputs declare: symbol to (input index, axis). */
    public Map<String, int[]> symbols() {
        Map<String, int[]> out = new LinkedHashMap<>();
        for (int i = 0; i < inputs.size(); i++) {
            List<Object> shape = inputs.get(i).shape();
            for (int a = 0; a < shape.size(); a++) {
                if (shape.get(a) instanceof SymInt && ((SymInt) shape.get(a)).isSymbol()) {
                    out.putIfAbsent(((SymInt) shape.get(a)).symbols().get(0), new int[] {i, a});
                }
            }
        }
        return out;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("graph(");
        List<String> heads = new ArrayList<>();
        for (Value v : inputs) heads.add(decl(v));
        for (Value v : stateValues) heads.add(decl(v));
        sb.append(String.join(",\n      ", heads)).append("):\n");
        for (Map.Entry<Value, dev.kindling.api.Tensor> c : constants.entrySet()) {
            sb.append("  ").append(decl(c.getKey())).append(" = constant()\n");
        }
        for (Node n : nodes) {
            sb.append("  ").append(n.outputs().stream().map(v -> v == null ? "None" : decl(v)).collect(Collectors.joining(", ")))
              .append(" = ").append(n.op()).append("(")
              .append(n.inputs().stream().map(v -> v == null ? "None" : v.toString()).collect(Collectors.joining(", ")));
            for (Map.Entry<String, Object> a : n.attrs().entrySet()) {
                sb.append(", ").append(a.getKey()).append("=").append(show(a.getValue()));
            }
            sb.append(")");
            if (!n.scope().isEmpty()) sb.append("  # ").append(n.scope());
            sb.append("\n");
        }
        sb.append("  return (").append(outputs.stream().map(Value::toString).collect(Collectors.joining(", "))).append(")\n");
        return sb.toString();
    }

    private static String decl(Value v) {
        return v + " : " + v.dtype().name().toLowerCase(java.util.Locale.ROOT) + v.shape().stream().map(String::valueOf).collect(Collectors.joining(", ", "[", "]"));
    }

    static String show(Object v) {
        if (v instanceof int[]) return Arrays.toString((int[]) v);
        if (v instanceof long[]) return Arrays.toString((long[]) v);
        if (v instanceof Object[]) return Arrays.toString((Object[]) v);
        if (v instanceof String) return "'" + v + "'";
        return String.valueOf(v);
    }
}
