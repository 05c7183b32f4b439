package dev.kindling.jit;

import dev.kindling.api.Tensor;
import dev.kindling.api.schema.Argument;
import dev.kindling.kernel.ops.OpDef;
import dev.kindling.nn.ModelSpec;
import dev.kindling.nn.Module;

import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A traced module (PyTorch's {@code torch.jit.TracedModule}): the {@link Graph} one forward call recorded, replayed
 * op by op on whatever backend its inputs and parameters are on. It holds the traced module's parameters and buffers
 * under the same state-dict keys (the same tensors, so {@code to(device)}, training and {@code loadStateDict} act on
 * both), and replays under autograd like any module. Sizes of declared dynamic axes are taken from each call's
 * inputs; any other dim must match the trace.
 */
public final class TracedModule extends Module {
    private final Graph graph;
    private final List<String> inputNames;
    private final List<String> outputNames;
    private final String traceOf;
    private final String modelSpec;

    TracedModule(Module traced, Graph graph, List<String> inputNames, List<String> outputNames) {
        this.graph = graph;
        this.inputNames = List.copyOf(inputNames);
        this.outputNames = List.copyOf(outputNames);
        this.traceOf = traced.getClass().getSimpleName();
        this.modelSpec = specOf(traced);
        Map<String, Tensor> persistent = traced.stateDict();
        for (Map.Entry<String, Module> c : traced.namedChildren().entrySet()) registerModule(c.getKey(), c.getValue());
        traced.namedParameters().forEach((k, p) -> { if (k.indexOf('.') < 0) registerParameter(k, p); });
        traced.namedBuffers().forEach((k, b) -> { if (k.indexOf('.') < 0) registerBuffer(k, b, persistent.containsKey(k)); });
        train(traced.isTraining());
    }

    private static String specOf(Module m) {
        try {
            return ModelSpec.of(m).toJson();
        } catch (RuntimeException notDescribable) { // a hand-written Module subclass has no layer description
            return null;
        }
    }

    /** The traced module's architecture ({@link ModelSpec} JSON), when its layers can be described; else empty. */
    public Optional<String> modelSpec() { return Optional.ofNullable(modelSpec); }

    /** The recorded program. */
    public Graph graph() { return graph; }

    /** The graph inputs' names, in order. */
    public List<String> inputNames() { return inputNames; }

    public List<String> outputNames() { return outputNames; }

    @Override
    public Tensor forward(Tensor x) { return run(x)[0]; }

    @Override
    public Tensor forward(Tensor... inputs) { return run(inputs)[0]; }

    /** Replays the graph on {@code inputs}; returns every output. */
    public Tensor[] run(Tensor... inputs) {
        List<Graph.Value> declared = graph.inputs();
        if (inputs.length != declared.size()) {
            throw new IllegalArgumentException("the traced " + traceOf + " takes " + declared.size() + " input(s) " + inputNames + ", got " + inputs.length);
        }
        Map<String, Long> sizes = new HashMap<>();
        Map<Graph.Value, Tensor> env = new HashMap<>();
        for (int i = 0; i < inputs.length; i++) {
            Graph.Value v = declared.get(i);
            Tensor t = inputs[i];
            if (t.dim() != v.rank()) {
                throw new IllegalArgumentException("input '" + inputNames.get(i) + "' was traced with " + v.rank() + " dims " + v.shape() + ", got shape " + Arrays.toString(t.shape()));
            }
            for (int a = 0; a < v.rank(); a++) {
                Object d = v.shape().get(a);
                long n = t.size(a);
                if (d instanceof SymInt) {
                    String sym = ((SymInt) d).symbols().get(0);
                    Long prev = sizes.putIfAbsent(sym, n);
                    if (prev != null && prev != n) {
                        throw new IllegalArgumentException("dynamic axis '" + sym + "' is " + prev + " in one input and " + n + " in input '" + inputNames.get(i) + "' (dim " + a + ")");
                    }
                } else if ((Long) d != n) {
                    throw new IllegalArgumentException("dim " + a + " of input '" + inputNames.get(i) + "' was traced as " + d + " and is not a declared dynamic axis, got shape "
                            + Arrays.toString(t.shape()) + " (declare it in the trace's dynamic axes to vary it)");
                }
            }
            env.put(v, t);
        }
        for (Graph.Value v : graph.stateValues()) {
            env.put(v, v.kind() == Graph.Kind.PARAMETER ? getParameter(v.name()) : getBuffer(v.name()));
        }
        Tensor device = inputs.length > 0 ? inputs[0] : null;
        for (Map.Entry<Graph.Value, Tensor> c : graph.constants().entrySet()) {
            Tensor t = c.getValue();
            env.put(c.getKey(), device != null && !t.device().equals(device.device()) ? t.to(device.device()) : t);
        }
        for (Graph.Node n : graph.nodes()) {
            Tensor[] args = new Tensor[n.inputs().size()];
            for (int i = 0; i < args.length; i++) {
                Graph.Value v = n.inputs().get(i);
                args[i] = v == null ? null : env.get(v);
            }
            OpDef op = n.opDef();
            Tensor[] out = op.call(args, op.attrsByName(concrete(op, n.attrs(), sizes)));
            for (int i = 0; i < out.length; i++) if (n.outputs().get(i) != null) env.put(n.outputs().get(i), out[i]);
        }
        Tensor[] result = new Tensor[graph.outputs().size()];
        for (int i = 0; i < result.length; i++) result[i] = env.get(graph.outputs().get(i));
        return result;
    }

    /** Attributes with every symbolic size evaluated for this call, in the schema's types. */
    static Map<String, Object> concrete(OpDef op, Map<String, Object> attrs, Map<String, Long> sizes) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (Argument a : op.attributes()) {
            Object v = attrs.get(a.name());
            if (v instanceof SymInt) {
                long n = ((SymInt) v).eval(sizes);
                v = a.type().equals("int") ? (Object) (int) n : (Object) n;
            } else if (v instanceof Object[]) {
                Object[] mixed = (Object[]) v;
                long[] vals = new long[mixed.length];
                for (int i = 0; i < mixed.length; i++) vals[i] = mixed[i] instanceof SymInt ? ((SymInt) mixed[i]).eval(sizes) : ((Number) mixed[i]).longValue();
                if (a.type().equals("int[]")) {
                    int[] ints = new int[vals.length];
                    for (int i = 0; i < ints.length; i++) ints[i] = Math.toIntExact(vals[i]);
                    v = ints;
                } else {
                    v = vals;
                }
            }
            out.put(a.name(), v);
        }
        return out;
    }

    @Override
    public String extraRepr() { return "trace of " + traceOf + ", " + graph.nodes().size() + " nodes"; }
}
