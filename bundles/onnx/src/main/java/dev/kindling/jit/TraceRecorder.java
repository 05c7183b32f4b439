package dev.kindling.jit;

import dev.kindling.api.Tensor;
import dev.kindling.api.schema.Argument;
import dev.kindling.kernel.ops.Attrs;
import dev.kindling.kernel.ops.DenseTensor;
import dev.kindling.kernel.ops.DispatchLayer;
import dev.kindling.kernel.ops.OpDef;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The tracer: a dispatch layer, installed for the length of one trace, that records each op call the tracing thread
 * makes as it reaches the tracer's place in the chain (below autograd, so once per call as the user made it). The
 * calls an op makes inside its forward are not recorded (a depth count): a functional such as conv2d is one node.
 * Tensors are mapped to values by identity; an in-place op gives its target a new value (static single assignment),
 * so the graph is functional. Tensors that no node made are graph inputs, the module's parameters and buffers (by
 * state-dict key), or captured constants.
 */
final class TraceRecorder implements DispatchLayer {
    private final Thread owner = Thread.currentThread();
    private final Map<Tensor, Graph.Value> values = new IdentityHashMap<>();
    private final Map<Tensor, String> parameterNames = new IdentityHashMap<>();
    private final Map<Tensor, String> bufferNames = new IdentityHashMap<>();
    private final List<Graph.Value> inputs = new ArrayList<>();
    private final List<Graph.Value> state = new ArrayList<>();
    private final Map<Graph.Value, Tensor> constants = new LinkedHashMap<>();
    private final List<Graph.Node> nodes = new ArrayList<>();
    private int depth;
    private int nextId;
    private String lastScope = "";

    TraceRecorder(Map<String, Tensor> parameters, Map<String, Tensor> buffers) {
        parameters.forEach((k, t) -> parameterNames.put(t, k));
        buffers.forEach((k, t) -> bufferNames.putIfAbsent(t, k));
    }

    @Override public int rank() { return TRACER; }

    @Override public String name() { return "tracer"; }

    // The tracer guards its own re-entry (the depth count), so the chain need not exclude it below itself.
    @Override public boolean excludedBelow() { return false; }

    void addInput(Tensor t, String name) {
        Graph.Value v = new Graph.Value(nextId++, name, Graph.Kind.INPUT, t.dtype(), dims(t));
        values.put(t, v);
        inputs.add(v);
    }

    @Override
    public Tensor[] dispatch(OpDef op, Tensor[] in, Attrs attrs, Below below) {
        if (depth > 0 || Thread.currentThread() != owner) return below.call(op, in, attrs);
        if (op.isInPlace() && in[0] instanceof DenseTensor && ((DenseTensor) in[0]).isView() && values.containsKey(((DenseTensor) in[0]).base())) {
            // The graph is functional: writing through a view would leave the base's later readers with the old value.
            throw new IllegalStateException("cannot trace the in-place " + op.name() + " on a view of another traced value (in '" + lastScope
                    + "'): use its out-of-place form (" + op.name().substring(0, op.name().length() - 1) + ")");
        }
        List<Graph.Value> args = new ArrayList<>(in.length);
        for (Tensor t : in) args.add(t == null ? null : valueOf(t));
        Tensor[] out;
        depth++;
        try {
            out = below.call(op, in, attrs);
        } finally {
            depth--;
        }
        List<Graph.Value> results = new ArrayList<>(out.length);
        for (Tensor t : out) {
            if (t == null) { // an absent optional result (attention weights not asked for)
                results.add(null);
                continue;
            }
            Graph.Value v = new Graph.Value(nextId, "" + nextId, Graph.Kind.INTERMEDIATE, t.dtype(), dims(t));
            nextId++;
            values.put(t, v); // an in-place op's target now stands for its new value
            results.add(v);
        }
        nodes.add(new Graph.Node(op, args, attributes(op, attrs), results, scopeOf(args)));
        return out;
    }

    private Graph.Value valueOf(Tensor t) {
        Graph.Value v = values.get(t);
        if (v != null) return v;
        String p = parameterNames.get(t);
        String b = p == null ? bufferNames.get(t) : null;
        if (p != null || b != null) {
            v = new Graph.Value(nextId++, p != null ? p : b, p != null ? Graph.Kind.PARAMETER : Graph.Kind.BUFFER, t.dtype(), dims(t));
            state.add(v);
        } else {
            v = new Graph.Value(nextId, "c" + nextId, Graph.Kind.CONSTANT, t.dtype(), dims(t));
            nextId++;
            depth++; // the copy's own ops are not part of the program
            try {
                constants.put(v, t.detach().clone());
            } finally {
                depth--;
            }
        }
        values.put(t, v);
        return v;
    }

    /** The value a result tensor stands for, or a new constant when no node made it (it was created in the forward). */
    Graph.Value resultValue(Tensor t) { return valueOf(t); }

    Graph graph(List<Graph.Value> outputs) { return new Graph(inputs, state, constants, nodes, outputs); }

    /** The op's attributes by schema name, defaults filled in. */
    static Map<String, Object> attributes(OpDef op, Attrs attrs) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (Argument a : op.attributes()) {
            Object v = attrs.get(a.name());
            if (v instanceof int[]) v = ((int[]) v).clone();
            else if (v instanceof long[]) v = ((long[]) v).clone();
            m.put(a.name(), v);
        }
        return m;
    }

    /** A node's module: the module of the parameters it reads (their key less the last part), else the last one seen. */
    private String scopeOf(List<Graph.Value> args) {
        for (Graph.Value v : args) {
            if (v != null && (v.kind() == Graph.Kind.PARAMETER || v.kind() == Graph.Kind.BUFFER)) {
                int dot = v.name().lastIndexOf('.');
                lastScope = dot < 0 ? "" : v.name().substring(0, dot);
                return lastScope;
            }
        }
        return lastScope;
    }

    static List<Object> dims(Tensor t) {
        List<Object> d = new ArrayList<>();
        for (long s : t.shape()) d.add(s);
        return d;
    }

    @Override
    public String toString() { return "TraceRecorder" + Arrays.asList(owner.getName(), nodes.size()); }
}
