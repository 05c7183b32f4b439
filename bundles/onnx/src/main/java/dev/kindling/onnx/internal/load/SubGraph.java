package dev.kindling.onnx.internal.load;

import dev.kindling.api.Tensor;
import dev.kindling.onnx.OnnxException;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A graph attribute (If's branches, Loop's and Scan's bodies): its own inputs, initializers (constants: they are not
 * registered as parameters) and nodes, which may also read any value of the enclosing scopes.
 */
final class SubGraph {
    final String describe;
    final List<String> inputs, outputs;
    final Map<String, Tensor> initializers;
    final List<NodeDef> nodes;
    /** Values read from enclosing scopes: the owning node depends on them. */
    final Set<String> implicitInputs;

    SubGraph(String describe, List<String> inputs, List<String> outputs, Map<String, Tensor> initializers, List<NodeDef> nodes, Set<String> implicitInputs) {
        this.describe = describe;
        this.inputs = inputs;
        this.outputs = outputs;
        this.initializers = initializers;
        this.nodes = nodes;
        this.implicitInputs = implicitInputs;
    }

    /** Runs the body with the enclosing scope's values visible; returns its outputs in order. */
    Object[] run(Map<String, Object> outer, Object[] args) {
        if (args.length != inputs.size()) throw new OnnxException(describe + ": takes " + inputs.size() + " inputs, given " + args.length);
        Map<String, Object> env = new HashMap<>(outer);
        env.putAll(initializers);
        for (int i = 0; i < args.length; i++) env.put(inputs.get(i), args[i]);
        Interpreter.execute(nodes, env);
        Object[] out = new Object[outputs.size()];
        for (int i = 0; i < out.length; i++) out[i] = env.get(outputs.get(i));
        return out;
    }
}
