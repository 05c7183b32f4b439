package dev.kindling.onnx.internal.load;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.AttributeProto.AttributeType;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.kindling.api.Tensor;
import dev.kindling.onnx.OnnxException;
import dev.kindling.onnx.OnnxModel;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Parses ONNX files into models that run on Kindling ops. Everything that can be checked without running is checked
 * here, so a bad file fails at load time with a message naming the source, node and field: IR and opset, op types
 * (every node must be a supported ai.onnx op), attribute types of the common attributes, graph structure (undefined
 * inputs, values defined twice, cycles) and initializer sizes.
 */
public final class OnnxLoader {
    /** The newest default-domain opset accepted (ONNX 1.23's). */
    static final int MAX_OPSET = 28;
    /** The newest IR version accepted (IR 14 goes with opset 28). */
    static final int MAX_IR = 14;
    private static final long MAX_FILE = Integer.MAX_VALUE - 8; // protobuf messages are limited to 2 GB

    private OnnxLoader() {}

    public static OnnxModel load(Path path) {
        String source = path.toString();
        byte[] bytes;
        try {
            long size = Files.size(path);
            if (size > MAX_FILE) throw new OnnxException(source + ": " + size + " bytes is more than an ONNX protobuf can hold (2 GB); keep large weights as external data");
            bytes = Files.readAllBytes(path);
        } catch (IOException e) {
            throw new OnnxException(source + ": cannot read: " + e.getMessage(), e);
        }
        Path dir = path.toAbsolutePath().getParent();
        return load(bytes, source, dir);
    }

    public static OnnxModel load(byte[] bytes, String source) { return load(bytes, source, null); }

    static OnnxModel load(byte[] bytes, String source, Path modelDir) {
        ModelProto model;
        try {
            CodedInputStream in = CodedInputStream.newInstance(bytes);
            in.setSizeLimit(Integer.MAX_VALUE);
            model = ModelProto.parseFrom(in);
        } catch (InvalidProtocolBufferException e) {
            throw new OnnxException(source + ": not a valid ONNX protobuf (truncated or corrupt): " + e.getMessage(), e);
        } catch (IOException e) {
            throw new OnnxException(source + ": cannot parse: " + e.getMessage(), e);
        } catch (RuntimeException | StackOverflowError e) {
            throw new OnnxException(source + ": not a valid ONNX protobuf: " + e, e);
        }
        try {
            return new OnnxLoader.Builder(model, source, modelDir).build();
        } catch (OnnxException e) {
            throw e;
        } catch (RuntimeException e) {
            // a check that should have caught this is missing; still report the file rather than a bare exception
            throw new OnnxException(source + ": cannot load: " + e, e);
        }
    }

    /** Attribute names whose type is the same for every op that has them, checked at load time. */
    private static final Map<String, AttributeType> COMMON_ATTRS = Map.ofEntries(
            Map.entry("axis", AttributeType.INT), Map.entry("keepdims", AttributeType.INT), Map.entry("perm", AttributeType.INTS),
            Map.entry("kernel_shape", AttributeType.INTS), Map.entry("strides", AttributeType.INTS), Map.entry("pads", AttributeType.INTS),
            Map.entry("dilations", AttributeType.INTS), Map.entry("group", AttributeType.INT), Map.entry("alpha", AttributeType.FLOAT),
            Map.entry("beta", AttributeType.FLOAT), Map.entry("epsilon", AttributeType.FLOAT), Map.entry("transA", AttributeType.INT),
            Map.entry("transB", AttributeType.INT), Map.entry("auto_pad", AttributeType.STRING),
            Map.entry("hidden_size", AttributeType.INT), Map.entry("direction", AttributeType.STRING), Map.entry("blocksize", AttributeType.INT));

    private static final class Builder {
        final ModelProto model;
        final String source;
        final Path modelDir;
        int opset = -1;

        Builder(ModelProto model, String source, Path modelDir) {
            this.model = model;
            this.source = source;
            this.modelDir = modelDir;
        }

        OnnxException err(String msg) { return new OnnxException(source + ": " + msg); }

        OnnxModel build() {
            long ir = model.getIrVersion();
            if (ir <= 0) throw err("ir_version is missing (" + ir + "): not an ONNX model");
            if (ir > MAX_IR) throw err("ir_version " + ir + " is newer than this importer reads (up to " + MAX_IR + ")");
            for (OperatorSetIdProto o : model.getOpsetImportList()) {
                String d = o.getDomain();
                if (d.isEmpty() || d.equals("ai.onnx")) {
                    if (o.getVersion() < 1 || o.getVersion() > MAX_OPSET) {
                        throw err("opset_import: default-domain opset " + o.getVersion() + " is not supported (1.." + MAX_OPSET + ")");
                    }
                    opset = (int) o.getVersion();
                }
            }
            if (opset < 0) throw err("opset_import has no default-domain (ai.onnx) entry");
            if (!model.hasGraph()) throw err("the model has no graph");
            GraphProto g = model.getGraph();

            Map<String, String> metadata = new LinkedHashMap<>();
            for (var p : model.getMetadataPropsList()) metadata.put(p.getKey(), p.getValue());

            // initializers
            Map<String, Tensor> inits = new LinkedHashMap<>();
            for (int k = 0; k < g.getInitializerCount(); k++) {
                TensorProto t = g.getInitializer(k);
                String what = "initializer #" + k + (t.getName().isEmpty() ? "" : " '" + t.getName() + "'");
                if (t.getName().isEmpty()) throw err(what + " has no name");
                if (inits.containsKey(t.getName())) throw err(what + " is defined twice");
                inits.put(t.getName(), TensorProtos.decode(t, modelDir, source + ": " + what));
            }
            if (g.getSparseInitializerCount() > 0) throw err("sparse_initializer is not supported");

            // graph inputs that are not initializers (older IRs list initializers among the inputs, as defaults)
            List<String> inputs = new ArrayList<>();
            Set<String> defined = new HashSet<>(inits.keySet());
            Map<String, LoadedModel.DeclaredShape> inputShapes = new HashMap<>();
            for (ValueInfoProto v : g.getInputList()) {
                if (v.getName().isEmpty()) throw err("graph input #" + inputs.size() + " has no name");
                if (inits.containsKey(v.getName())) continue;
                if (!defined.add(v.getName())) throw err("graph input '" + v.getName() + "' is listed twice");
                inputs.add(v.getName());
                inputShapes.put(v.getName(), staticShape(v));
            }

            List<NodeDef> nodes = new ArrayList<>();
            OpTable table = OpTable.standard();
            Set<String> scope = names(g);
            for (int k = 0; k < g.getNodeCount(); k++) nodes.add(node(g.getNode(k), k, table, scope));
            List<NodeDef> order = topoSort(nodes, defined);

            List<String> outputs = new ArrayList<>();
            Set<String> produced = new HashSet<>(defined);
            for (NodeDef n : nodes) for (String o : n.outputs) if (!o.isEmpty()) produced.add(o);
            for (ValueInfoProto v : g.getOutputList()) {
                if (!produced.contains(v.getName())) throw err("graph output '" + v.getName() + "' is not produced by any node, input or initializer");
                outputs.add(v.getName());
            }
            if (outputs.isEmpty()) throw err("the graph has no outputs");
            return new LoadedModel(source, opset, inputs, inputShapes, outputs, metadata, inits, order);
        }

        /** A graph input's declared dims: a value, or a {@code dim_param} symbol, or unknown; null if untyped. */
        private LoadedModel.DeclaredShape staticShape(ValueInfoProto v) {
            if (!v.hasType() || !v.getType().hasTensorType() || !v.getType().getTensorType().hasShape()) return null;
            var shape = v.getType().getTensorType().getShape();
            long[] dims = new long[shape.getDimCount()];
            String[] symbols = new String[dims.length];
            for (int i = 0; i < dims.length; i++) {
                var d = shape.getDim(i);
                dims[i] = d.hasDimValue() && d.getDimValue() >= 0 ? d.getDimValue() : -1;
                symbols[i] = d.hasDimParam() && !d.getDimParam().isEmpty() ? d.getDimParam() : null;
            }
            return new LoadedModel.DeclaredShape(dims, symbols);
        }

        /** Every name a graph defines: inputs, initializers, node outputs. */
        private Set<String> names(GraphProto g) {
            Set<String> n = new HashSet<>();
            g.getInputList().forEach(v -> n.add(v.getName()));
            g.getInitializerList().forEach(t -> n.add(t.getName()));
            g.getNodeList().forEach(x -> n.addAll(x.getOutputList()));
            n.remove("");
            return n;
        }

        /** A GRAPH attribute; {@code outer} holds the names of the enclosing scopes, which its nodes may read. */
        private SubGraph subgraph(GraphProto g, String desc, Set<String> outer, OpTable table) {
            Map<String, Tensor> inits = new LinkedHashMap<>();
            for (int k = 0; k < g.getInitializerCount(); k++) {
                TensorProto t = g.getInitializer(k);
                String what = desc + ": initializer #" + k + " '" + t.getName() + "'";
                if (t.getName().isEmpty() || inits.containsKey(t.getName())) throw err(what + " has no name or is defined twice");
                inits.put(t.getName(), TensorProtos.decode(t, modelDir, source + ": " + what));
            }
            Set<String> local = new HashSet<>(inits.keySet());
            List<String> inputs = new ArrayList<>();
            for (ValueInfoProto v : g.getInputList()) {
                if (v.getName().isEmpty() || !local.add(v.getName())) throw err(desc + ": input '" + v.getName() + "' is unnamed or listed twice");
                inputs.add(v.getName());
            }
            Set<String> scope = new HashSet<>(outer);
            scope.addAll(names(g));
            List<NodeDef> nodes = new ArrayList<>();
            for (int k = 0; k < g.getNodeCount(); k++) nodes.add(node(g.getNode(k), k, table, scope));
            Set<String> visible = new HashSet<>(local);
            visible.addAll(outer);
            List<NodeDef> order = topoSort(nodes, visible, desc + ": ");
            Set<String> produced = new HashSet<>(local);
            for (NodeDef n : nodes) produced.addAll(n.outputs);
            Set<String> implicit = new java.util.LinkedHashSet<>();
            for (NodeDef n : nodes) for (String d : n.dependencies()) if (!produced.contains(d)) implicit.add(d);
            List<String> outputs = new ArrayList<>();
            for (ValueInfoProto v : g.getOutputList()) {
                if (!produced.contains(v.getName()) && !outer.contains(v.getName())) throw err(desc + ": output '" + v.getName() + "' is not produced");
                if (!produced.contains(v.getName())) implicit.add(v.getName());
                outputs.add(v.getName());
            }
            return new SubGraph(source + ": " + desc, inputs, outputs, inits, order, implicit);
        }

        /** Ops whose GRAPH attributes are bodies the interpreter runs. */
        private static final Set<String> CONTROL_FLOW = Set.of("If", "Loop", "Scan", "SequenceMap");

        private NodeDef node(NodeProto p, int index, OpTable table, Set<String> scope) {
            String desc = "node #" + index + (p.getName().isEmpty() ? "" : " '" + p.getName() + "'") + " (" + p.getOpType() + ")";
            String domain = p.getDomain();
            if (!domain.isEmpty() && !domain.equals("ai.onnx")) {
                throw err(desc + ": op domain '" + domain + "' is not supported (only the default ai.onnx domain is)");
            }
            Op op = table.get(p.getOpType());
            if (op == null) throw err(desc + ": op type '" + p.getOpType() + "' is not supported at opset " + opset);
            Map<String, AttributeProto> attrs = new LinkedHashMap<>();
            Map<String, Tensor> tensors = new HashMap<>();
            Map<String, SubGraph> graphs = new HashMap<>();
            for (AttributeProto a : p.getAttributeList()) {
                if (a.getName().isEmpty()) throw err(desc + ": an attribute has no name");
                if (attrs.put(a.getName(), a) != null) throw err(desc + ": attribute '" + a.getName() + "' is given twice");
                if (!a.getRefAttrName().isEmpty()) throw err(desc + ": attribute '" + a.getName() + "' refers to a function attribute, which only function bodies may");
                AttributeType want = COMMON_ATTRS.get(a.getName());
                if (want != null && a.getType() != want) throw err(desc + ": attribute '" + a.getName() + "' must be " + want + ", got " + a.getType());
                if (a.getType() == AttributeType.GRAPHS || (a.getType() == AttributeType.GRAPH && !CONTROL_FLOW.contains(p.getOpType()))) {
                    throw err(desc + ": attribute '" + a.getName() + "' holds a subgraph, which only If, Loop, Scan and SequenceMap take here");
                }
                if (a.getType() == AttributeType.GRAPH) {
                    if (!a.hasG()) throw err(desc + ": attribute '" + a.getName() + "' is GRAPH but holds no graph");
                    graphs.put(a.getName(), subgraph(a.getG(), desc + " attribute '" + a.getName() + "'", scope, table));
                }
                if (a.getType() == AttributeType.TENSOR) {
                    if (!a.hasT()) throw err(desc + ": attribute '" + a.getName() + "' is TENSOR but holds no tensor");
                    tensors.put(a.getName(), TensorProtos.decode(a.getT(), modelDir, source + ": " + desc + " attribute '" + a.getName() + "'"));
                }
            }
            List<String> outs = List.copyOf(p.getOutputList());
            if (outs.isEmpty()) throw err(desc + ": has no outputs");
            return new NodeDef(index, p.getOpType(), p.getName(), List.copyOf(p.getInputList()), outs, attrs, tensors, graphs, op, opset, source);
        }

        /**
         * Orders nodes so that each runs after the producers of its inputs (ONNX requires the file order to be one,
         * but producers sometimes write them out of order). Errors: an input nothing defines, a value defined twice,
         * a cycle.
         */
        private List<NodeDef> topoSort(List<NodeDef> nodes, Set<String> graphValues) { return topoSort(nodes, graphValues, ""); }

        private List<NodeDef> topoSort(List<NodeDef> nodes, Set<String> graphValues, String where) {
            Map<String, NodeDef> producer = new HashMap<>();
            for (NodeDef n : nodes) {
                for (String o : n.outputs) {
                    if (o.isEmpty()) continue;
                    if (graphValues.contains(o)) throw err(where + n.describeShort() + ": output '" + o + "' is already defined (a graph input, initializer or enclosing-scope value)");
                    NodeDef prev = producer.put(o, n);
                    if (prev != null) throw err(where + n.describeShort() + ": output '" + o + "' is also produced by " + prev.describeShort());
                }
            }
            Map<NodeDef, Integer> pending = new HashMap<>();
            Map<String, List<NodeDef>> consumers = new HashMap<>();
            Deque<NodeDef> ready = new ArrayDeque<>();
            for (NodeDef n : nodes) {
                int deps = 0;
                for (String in : n.dependencies()) {
                    if (graphValues.contains(in)) continue;
                    if (!producer.containsKey(in)) throw err(where + n.describeShort() + ": input '" + in + "' is not defined by any node, graph input or initializer");
                    deps++;
                    consumers.computeIfAbsent(in, x -> new ArrayList<>()).add(n);
                }
                pending.put(n, deps);
                if (deps == 0) ready.add(n);
            }
            List<NodeDef> order = new ArrayList<>(nodes.size());
            while (!ready.isEmpty()) {
                NodeDef n = ready.poll();
                order.add(n);
                for (String o : n.outputs) {
                    for (NodeDef c : consumers.getOrDefault(o, List.of())) {
                        if (pending.merge(c, -1, Integer::sum) == 0) ready.add(c);
                    }
                }
            }
            if (order.size() != nodes.size()) {
                NodeDef stuck = nodes.stream().filter(n -> pending.get(n) > 0).findFirst().orElseThrow();
                throw err(where + stuck.describeShort() + ": is part of a cycle (its inputs depend on its own outputs)");
            }
            return order;
        }
    }
}
