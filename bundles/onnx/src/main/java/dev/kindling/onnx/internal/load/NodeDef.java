package dev.kindling.onnx.internal.load;

import ai.onnx.proto.OnnxMl.AttributeProto;
import dev.kindling.api.Tensor;

import java.util.List;
import java.util.Map;

/** A graph node as the interpreter runs it: its implementation, inputs/outputs by value name, and attributes. */
final class NodeDef {
    final int index;
    final String opType, name;
    final List<String> inputs, outputs;
    final Map<String, AttributeProto> attrs;
    /** TENSOR attributes, decoded once at load time. */
    final Map<String, Tensor> tensorAttrs;
    /** GRAPH attributes, built at load time. */
    final Map<String, SubGraph> graphs;
    final Op op;
    final int opset;
    /** The model's source name, for errors. */
    final String source;

    NodeDef(int index, String opType, String name, List<String> inputs, List<String> outputs,
            Map<String, AttributeProto> attrs, Map<String, Tensor> tensorAttrs, Map<String, SubGraph> graphs, Op op, int opset, String source) {
        this.index = index;
        this.opType = opType;
        this.name = name;
        this.inputs = inputs;
        this.outputs = outputs;
        this.attrs = attrs;
        this.tensorAttrs = tensorAttrs;
        this.graphs = graphs;
        this.op = op;
        this.opset = opset;
        this.source = source;
    }

    /** The values this node reads: its inputs and what its subgraphs read from enclosing scopes. */
    java.util.Set<String> dependencies() {
        java.util.Set<String> d = new java.util.LinkedHashSet<>();
        for (String i : inputs) if (!i.isEmpty()) d.add(i);
        for (SubGraph g : graphs.values()) d.addAll(g.implicitInputs);
        return d;
    }

    /** How errors name this node: {@code model.onnx: node #3 'conv1' (Conv, opset 13)}. */
    String describe() { return source + ": " + describeShort(); }

    /** The node without the source: {@code node #3 'conv1' (Conv, opset 13)}. */
    String describeShort() {
        return "node #" + index + (name.isEmpty() ? "" : " '" + name + "'") + " (" + opType + ", opset " + opset + ")";
    }
}
