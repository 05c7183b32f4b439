package dev.kindling.onnx.internal.load;

import dev.kindling.api.Tensor;
import dev.kindling.nn.Module;
import dev.kindling.nn.Parameter;
import dev.kindling.onnx.OnnxException;
import dev.kindling.onnx.OnnxModel;

import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A loaded ONNX graph, run node by node with Kindling ops. Floating initializers are parameters (they require grad),
 * integer and bool ones buffers; both are registered under the keys {@link StateNames} gives, so {@code stateDict()}
 * keys are the initializer names. Each run reads the registered tensors, so {@code to(device)}, {@code loadStateDict}
 * and optimizer steps are seen by the next run. Inputs that do not fit the graph's declared inputs (count, names,
 * rank, static dims) are an {@link OnnxException} too.
 */
final class LoadedModel extends OnnxModel {
    private final String source;
    private final int opset;
    private final List<String> inputs, outputs;
    private final Map<String, DeclaredShape> inputShapes;
    private final Map<String, String> metadata;
    private final List<NodeDef> nodes;
    /** Initializer name to the registered tensor (its identity survives device moves: Module uses setData). */
    private final Map<String, Tensor> initializers = new LinkedHashMap<>();

    LoadedModel(String source, int opset, List<String> inputs, Map<String, DeclaredShape> inputShapes, List<String> outputs,
                Map<String, String> metadata, Map<String, Tensor> inits, List<NodeDef> nodes) {
        this.source = source;
        this.opset = opset;
        this.inputs = List.copyOf(inputs);
        this.inputShapes = inputShapes;
        this.outputs = List.copyOf(outputs);
        this.metadata = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
        this.nodes = List.copyOf(nodes);
        Set<String> names = inits.keySet();
        inits.forEach((name, t) -> initializers.put(name, register(StateNames.key(name, names), t)));
    }

    /** An input's declared dims ({@code -1} where not a value) and their {@code dim_param} symbols (or null). */
    record DeclaredShape(long[] dims, String[] symbols) {}

    /** Submodules made from dotted initializer names. */
    private static final class Scope extends Module {
        @Override
        protected String typeName() { return "OnnxScope"; }
    }

    private Tensor register(String key, Tensor t) {
        String[] parts = key.split("\\.");
        Module m = this;
        for (int i = 0; i < parts.length - 1; i++) {
            Module child = m.namedChildren().get(parts[i]);
            if (child == null) child = m.registerModule(parts[i], new Scope());
            m = child;
        }
        String leaf = parts[parts.length - 1];
        if (t.dtype().isFloatingPoint()) {
            Tensor p = Parameter.of(t);
            m.registerParameter(leaf, p);
            return p;
        }
        m.registerBuffer(leaf, t);
        return t;
    }

    @Override
    public List<String> inputNames() { return inputs; }

    @Override
    public List<String> outputNames() { return outputs; }

    @Override
    public Map<String, String> metadata() { return metadata; }

    @Override
    public int opset() { return opset; }

    @Override
    protected String typeName() { return "OnnxModel"; }

    @Override
    public String extraRepr() { return "source=" + source + ", opset=" + opset + ", nodes=" + nodes.size() + ", inputs=" + inputs + ", outputs=" + outputs; }

    @Override
    public Tensor[] run(Tensor... in) {
        if (in.length != inputs.size()) {
            throw new OnnxException(source + ": the model takes " + inputs.size() + " inputs " + inputs + " but " + in.length + " were given");
        }
        Map<String, Tensor> named = new LinkedHashMap<>();
        for (int i = 0; i < in.length; i++) named.put(inputs.get(i), in[i]);
        Map<String, Tensor> out = run(named);
        return outputs.stream().map(out::get).toArray(Tensor[]::new);
    }

    @Override
    public Map<String, Tensor> run(Map<String, Tensor> given) {
        Map<String, Object> out = runValues(new LinkedHashMap<>(given));
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        out.forEach((name, v) -> {
            if (!(v instanceof Tensor t)) throw new OnnxException(source + ": output '" + name + "' is " + Values.kind(v) + ", which OnnxModel.run cannot return (it returns tensors)");
            tensors.put(name, t);
        });
        return tensors;
    }

    /** Runs the graph on inputs that may be sequences or optionals (as some graphs take); outputs by name. */
    Map<String, Object> runValues(Map<String, Object> given) {
        Map<String, Object> env = new HashMap<>(initializers);
        for (String name : given.keySet()) {
            if (!inputs.contains(name)) throw new OnnxException(source + ": '" + name + "' is not an input of the model (inputs: " + inputs + ")");
        }
        Map<String, Long> symbols = new HashMap<>();
        for (String name : inputs) {
            Object v = given.get(name);
            if (v == null) throw new OnnxException(source + ": input '" + name + "' is missing");
            if (v instanceof Tensor t) checkShape(name, t, symbols);
            env.put(name, v);
        }
        Interpreter.execute(nodes, env);
        Map<String, Object> out = new LinkedHashMap<>();
        for (String o : outputs) out.put(o, env.get(o));
        return out;
    }

    /**
     * The given input against its declaration: rank, static dims, and one size per {@code dim_param} symbol across
     * all inputs of a call ({@code symbols} collects them).
     */
    private void checkShape(String name, Tensor t, Map<String, Long> symbols) {
        DeclaredShape want = inputShapes.get(name);
        if (want == null) return;
        long[] got = t.shape();
        boolean ok = want.dims().length == got.length;
        for (int i = 0; ok && i < got.length; i++) ok = want.dims()[i] < 0 || want.dims()[i] == got[i];
        if (!ok) {
            String[] shown = new String[want.dims().length];
            for (int i = 0; i < shown.length; i++) shown[i] = want.dims()[i] >= 0 ? String.valueOf(want.dims()[i]) : want.symbols()[i] != null ? want.symbols()[i] : "?";
            throw new OnnxException(source + ": input '" + name + "' has shape " + Arrays.toString(got) + " but the model declares " + Arrays.toString(shown));
        }
        for (int i = 0; i < got.length; i++) {
            String sym = want.symbols()[i];
            if (sym == null) continue;
            Long prev = symbols.putIfAbsent(sym, got[i]);
            if (prev != null && prev != got[i]) {
                throw new OnnxException(source + ": input '" + name + "' has " + sym + " = " + got[i] + " at dim " + i + ", but another input has " + sym + " = " + prev);
            }
        }
    }
}
