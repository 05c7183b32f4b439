package dev.kindling.onnx.internal.export;

import dev.kindling.jit.Graph;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static dev.kindling.onnx.internal.export.GraphWriter.attr;
import static dev.kindling.onnx.internal.export.GraphWriter.ints;

/**
 * Recurrent layers as ONNX's LSTM, GRU and RNN nodes, one per layer. The weights stay initializers under their
 * state-dict keys ({@code weight_ih_l0}, ...): the gate reordering ONNX wants (LSTM i,f,g,o to i,o,f,c; GRU r,z,n to
 * z,r,h) and the direction stacking are Slice/Concat nodes over them, which runtimes fold once. PyTorch's GRU applies
 * the reset gate after the hidden projection: {@code linear_before_reset=1}.
 */
final class RecurrentEmitters {
    private RecurrentEmitters() {}

    static void register(Map<String, Emitter> t) {
        t.put("lstm_layer", (n, w) -> layer(n, w, "LSTM", 2, new int[] {0, 3, 1, 2}, null));
        t.put("gru_layer", (n, w) -> layer(n, w, "GRU", 1, new int[] {1, 0, 2}, null));
        t.put("rnn_layer", (n, w) -> layer(n, w, "RNN", 1, new int[] {0}, (String) n.attrs().get("nonlinearity")));
    }

    /**
     * {@code states} initial-state inputs follow the input; then {w_ih, w_hh, b_ih, b_hh} forward and reverse.
     * {@code order[k]} is the PyTorch gate that fills ONNX gate slot k.
     */
    private static void layer(Graph.Node n, GraphWriter w, String op, int states, int[] order, String nonlinearity) {
        List<Graph.Value> in = n.inputs();
        int first = 1 + states;
        boolean bidirectional = in.get(first + 4) != null;
        int dirs = bidirectional ? 2 : 1;
        long hidden = (Long) in.get(first + 1).shape().get(1);
        boolean hasBias = in.get(first + 2) != null;
        List<String> ws = new ArrayList<>(), rs = new ArrayList<>(), bs = new ArrayList<>();
        for (int d = 0; d < dirs; d++) {
            int at = first + 4 * d;
            ws.add(w.op("Unsqueeze", List.of(gates(w, w.in(in.get(at)), order, hidden), w.int64s(0))));
            rs.add(w.op("Unsqueeze", List.of(gates(w, w.in(in.get(at + 1)), order, hidden), w.int64s(0))));
            if (hasBias) {
                String b = w.op("Concat", List.of(gates(w, w.in(in.get(at + 2)), order, hidden), gates(w, w.in(in.get(at + 3)), order, hidden)), attr("axis", 0));
                bs.add(w.op("Unsqueeze", List.of(b, w.int64s(0))));
            }
        }
        List<String> ins = new ArrayList<>(List.of(w.in(in.get(0)), stack(w, ws), stack(w, rs), hasBias ? stack(w, bs) : "", ""));
        for (int s = 0; s < states; s++) ins.add(in.get(1 + s) == null ? "" : w.in(in.get(1 + s)));
        while (ins.get(ins.size() - 1).isEmpty()) ins.remove(ins.size() - 1);
        List<String> outs = new ArrayList<>(List.of(w.fresh("Y")));
        for (int s = 0; s < states; s++) outs.add(w.out(1 + s));
        List<ai.onnx.proto.OnnxMl.AttributeProto> attrs = new ArrayList<>(List.of(attr("hidden_size", hidden),
                attr("direction", bidirectional ? "bidirectional" : "forward")));
        if (op.equals("GRU")) attrs.add(attr("linear_before_reset", 1));
        if (nonlinearity != null) {
            String act = nonlinearity.equals("relu") ? "Relu" : "Tanh";
            attrs.add(bidirectional ? strings("activations", act, act) : strings("activations", act));
        }
        String y = w.node(op, ins, outs, attrs.toArray(new ai.onnx.proto.OnnxMl.AttributeProto[0]));
        // Y is [L, dirs, N, hidden]; Kindling's output is [L, N, dirs*hidden].
        String ordered = w.op("Transpose", List.of(y), ints("perm", 0, 2, 1, 3));
        w.result("Reshape", List.of(ordered, w.int64s(0, 0, -1)));
    }

    /** The gate blocks of {@code weight} (rows of {@code hidden} each) reordered for ONNX. */
    private static String gates(GraphWriter w, String weight, int[] order, long hidden) {
        if (order.length == 1) return weight;
        List<String> blocks = new ArrayList<>();
        for (int g : order) blocks.add(w.op("Slice", List.of(weight, w.int64s(g * hidden), w.int64s((g + 1) * hidden), w.int64s(0))));
        return w.op("Concat", blocks, attr("axis", 0));
    }

    private static String stack(GraphWriter w, List<String> parts) {
        return parts.size() == 1 ? parts.get(0) : w.op("Concat", parts, attr("axis", 0));
    }

    private static ai.onnx.proto.OnnxMl.AttributeProto strings(String name, String... values) {
        ai.onnx.proto.OnnxMl.AttributeProto.Builder b = ai.onnx.proto.OnnxMl.AttributeProto.newBuilder().setName(name)
                .setType(ai.onnx.proto.OnnxMl.AttributeProto.AttributeType.STRINGS);
        for (String v : values) b.addStrings(com.google.protobuf.ByteString.copyFromUtf8(v));
        return b.build();
    }
}
