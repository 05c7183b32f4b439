package dev.kindling.onnx.internal.export;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.StringStringEntryProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kindling.api.Tensor;
import dev.kindling.jit.Graph;
import dev.kindling.jit.SymInt;
import dev.kindling.jit.TracedModule;
import dev.kindling.kernel.Kernel;
import dev.kindling.onnx.ExportOptions;
import dev.kindling.onnx.OnnxException;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes a traced graph as an ONNX model: graph inputs and outputs with their symbolic dims, the module's parameters
 * and buffers as initializers named by their state-dict keys, captured constants as Constant nodes, and each traced
 * op through {@link OnnxOpTable}. Stamped with the opset asked for and the minimum IR version that carries it (ONNX
 * Runtime refuses IR versions newer than it knows), and Kindling's metadata in {@code metadata_props}.
 */
public final class OnnxExporter {
    private OnnxExporter() {}

    /** The most a single-file model holds: protobuf's 2 GB message limit. */
    private static final long SINGLE_FILE_LIMIT = Integer.MAX_VALUE;
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The minimum IR version for {@code opset} (onnx.helper.VERSION_TABLE). */
    static int irVersion(int opset) {
        if (opset <= 18) return 8;
        if (opset <= 20) return 9;
        if (opset <= 22) return 10;
        throw new IllegalArgumentException("opset " + opset + " is newer than the exporter writes");
    }

    public static byte[] export(TracedModule traced, ExportOptions options) { return model(traced, options).toByteArray(); }

    static ModelProto model(TracedModule traced, ExportOptions options) {
        Graph g = traced.graph();
        int opset = options.opset();
        GraphProto.Builder graph = GraphProto.newBuilder().setName(traced.graph().nodes().isEmpty() ? "empty" : "kindling_graph");
        GraphWriter w = new GraphWriter(opset, graph, g);
        Map<String, Map<Integer, String>> axisNames = options.dynamicAxes();
        checkAgainstTrace(traced, options);

        for (int i = 0; i < g.inputs().size(); i++) {
            Graph.Value v = g.inputs().get(i);
            String name = traced.inputNames().get(i);
            w.name(v, name);
            graph.addInput(valueInfo(name, v, axisNames.get(name)));
        }
        long bytes = 0;
        for (Graph.Value v : g.stateValues()) {
            Tensor t = v.kind() == Graph.Kind.PARAMETER ? traced.getParameter(v.name()) : traced.getBuffer(v.name());
            bytes += t.numel() * t.dtype().itemSize();
            if (bytes > SINGLE_FILE_LIMIT) {
                throw new OnnxException("the model's initializers pass 2 GB at '" + v.name() + "': a single ONNX file cannot hold them (external data is not written yet)");
            }
            w.name(v, v.name());
            graph.addInitializer(TensorProtos.of(v.name(), t));
        }
        for (Map.Entry<Graph.Value, Tensor> c : g.constants().entrySet()) {
            w.name(c.getKey(), w.constant(TensorProtos.of("", c.getValue())));
        }
        // Results that are graph outputs are written under the output's name.
        List<String> outputNames = traced.outputNames();
        Map<Graph.Value, String> pendingIdentity = new LinkedHashMap<>();
        for (int i = 0; i < g.outputs().size(); i++) {
            Graph.Value v = g.outputs().get(i);
            if (v.kind() == Graph.Kind.INTERMEDIATE && !pendingIdentity.containsKey(v) && g.outputs().indexOf(v) == i) w.name(v, outputNames.get(i));
            else pendingIdentity.put(v, outputNames.get(i));
        }
        for (int i = 0; i < g.nodes().size(); i++) {
            Graph.Node n = g.nodes().get(i);
            w.begin(n, i);
            Emitter e = OnnxOpTable.find(n.op());
            if (e == null) throw w.unsupported("the exporter has no ONNX form for it (in no opset up to 21)");
            e.emit(n, w);
        }
        pendingIdentity.forEach((v, name) -> graph.addNode(ai.onnx.proto.OnnxMl.NodeProto.newBuilder().setOpType("Identity")
                .setName("/output/" + name).addInput(w.in(v)).addOutput(name)));
        for (int i = 0; i < g.outputs().size(); i++) {
            String name = outputNames.get(i);
            graph.addOutput(valueInfo(name, g.outputs().get(i), axisNames.get(name)));
        }

        ModelProto.Builder model = ModelProto.newBuilder()
                .setIrVersion(irVersion(opset))
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(opset))
                .setProducerName("kindling").setProducerVersion(Kernel.VERSION)
                .setGraph(graph);
        metadata(model, "kindling.version", Kernel.VERSION);
        metadata(model, "kindling.io", io(traced, axisNames));
        traced.modelSpec().ifPresent(spec -> metadata(model, "kindling.modelspec", spec));
        return model.build();
    }

    /** Names and dynamic axes in the options must be those the module was traced with: a trace cannot be re-sized here. */
    private static void checkAgainstTrace(TracedModule traced, ExportOptions options) {
        check("input", options.inputNames(), traced.inputNames());
        check("output", options.outputNames(), traced.outputNames());
        options.dynamicAxes().forEach((name, axes) -> {
            int i = traced.inputNames().indexOf(name), o = traced.outputNames().indexOf(name);
            if (i < 0 && o < 0) throw new IllegalArgumentException("dynamic axes are given for '" + name + "', which is neither an input "
                    + traced.inputNames() + " nor an output " + traced.outputNames() + " of the trace");
            Graph.Value v = i >= 0 ? traced.graph().inputs().get(i) : traced.graph().outputs().get(o);
            for (int axis : axes.keySet()) {
                if (axis >= v.rank() || !(v.shape().get(axis) instanceof SymInt)) {
                    throw new IllegalArgumentException("axis " + axis + " of '" + name + "' is declared dynamic but the trace has its shape as " + v.shape()
                            + ": trace the module with that axis dynamic (Jit.trace(..., dynamicAxes))");
                }
            }
        });
    }

    private static void check(String what, List<String> given, List<String> traced) {
        if (!given.isEmpty() && !given.equals(traced.subList(0, Math.min(given.size(), traced.size())))) {
            throw new IllegalArgumentException(what + " names " + given + " differ from the trace's " + traced + ": name them when tracing");
        }
    }

    private static void metadata(ModelProto.Builder m, String key, String value) {
        m.addMetadataProps(StringStringEntryProto.newBuilder().setKey(key).setValue(value));
    }

    /** Input and output names with their dims (a number, or the symbolic size's name), as JSON. */
    private static String io(TracedModule traced, Map<String, Map<Integer, String>> axisNames) {
        Map<String, Object> io = new LinkedHashMap<>();
        io.put("inputs", describe(traced.inputNames(), traced.graph().inputs(), axisNames));
        io.put("outputs", describe(traced.outputNames(), traced.graph().outputs(), axisNames));
        try {
            return JSON.writeValueAsString(io);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<Map<String, Object>> describe(List<String> names, List<Graph.Value> values, Map<String, Map<Integer, String>> axisNames) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) {
            Graph.Value v = values.get(i);
            List<Object> dims = new ArrayList<>();
            for (int a = 0; a < v.rank(); a++) dims.add(dimName(v.shape().get(a), axisNames.get(names.get(i)), a));
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("name", names.get(i));
            d.put("dtype", v.dtype().torchName());
            d.put("shape", dims);
            out.add(d);
        }
        return out;
    }

    /** A dim as ONNX writes it: a number, the user's name for a dynamic axis, or the symbolic size. */
    private static Object dimName(Object dim, Map<Integer, String> names, int axis) {
        if (names != null && names.containsKey(axis)) return names.get(axis);
        return dim instanceof SymInt ? dim.toString() : dim;
    }

    private static ValueInfoProto valueInfo(String name, Graph.Value v, Map<Integer, String> names) {
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
        for (int a = 0; a < v.rank(); a++) {
            Object d = dimName(v.shape().get(a), names, a);
            if (d instanceof Long) shape.addDim(TensorShapeProto.Dimension.newBuilder().setDimValue((Long) d));
            else shape.addDim(TensorShapeProto.Dimension.newBuilder().setDimParam(d.toString()));
        }
        TypeProto.Tensor.Builder tensor = TypeProto.Tensor.newBuilder().setElemType(TensorProtos.elemType(v.dtype())).setShape(shape);
        return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder().setTensorType(tensor)).build();
    }
}
