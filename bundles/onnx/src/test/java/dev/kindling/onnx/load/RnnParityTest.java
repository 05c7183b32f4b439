package dev.kindling.onnx.load;

import ai.onnx.proto.OnnxMl.GraphProto;
import dev.kindling.api.Tensor;
import dev.kindling.api.Torch;
import dev.kindling.nn.GRU;
import dev.kindling.nn.LSTM;
import dev.kindling.nn.RNNBase;
import dev.kindling.nn.RnnOutput;
import dev.kindling.onnx.Onnx;
import dev.kindling.onnx.OnnxModel;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static dev.kindling.onnx.load.Protos.FLOAT;
import static dev.kindling.onnx.load.Protos.attr;
import static dev.kindling.onnx.load.Protos.floats;
import static dev.kindling.onnx.load.Protos.model;
import static dev.kindling.onnx.load.Protos.node;
import static dev.kindling.onnx.load.Protos.value;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Bidirectional LSTM and GRU nodes (which ONNX's node data does not cover) against Kindling's own nn.LSTM/GRU with
 * the same weights, re-ordered to ONNX's gate order (LSTM i,f,g,o → i,o,f,c; GRU r,z,n → z,r,h with
 * linear_before_reset=1, as PyTorch's exporters write them), and sequence_lens against per-sequence runs.
 */
class RnnParityTest {
    private static final int SEQ = 5, BATCH = 3, IN = 4, HID = 6;

    /** The directions' parameters stacked in ONNX's layout, gate blocks reordered by {@code order}. */
    private static float[] stack(RNNBase m, String name, int[] order) {
        Map<String, Tensor> sd = m.stateDict();
        List<Tensor> dirs = new ArrayList<>();
        for (String sfx : new String[] {"_l0", "_l0_reverse"}) {
            Tensor w = sd.get(name + sfx);
            List<Tensor> blocks = new ArrayList<>();
            for (int g : order) blocks.add(w.narrow(0, (long) g * HID, HID));
            dirs.add(Torch.cat(blocks, 0));
        }
        return Torch.stack(dirs, 0).contiguous().toFloatArray();
    }

    private static float[] bias(RNNBase m, int[] order) {
        float[] wb = stack(m, "bias_ih", order), rb = stack(m, "bias_hh", order);
        int g = order.length * HID;
        float[] b = new float[2 * 2 * g];
        for (int d = 0; d < 2; d++) {
            System.arraycopy(wb, d * g, b, d * 2 * g, g);
            System.arraycopy(rb, d * g, b, d * 2 * g + g, g);
        }
        return b;
    }

    private static OnnxModel onnx(String op, RNNBase m, int[] order, boolean lens) {
        int g = order.length;
        GraphProto.Builder gb = GraphProto.newBuilder()
                .addInput(value("x", FLOAT, SEQ, "batch", IN))
                .addOutput(value("y", FLOAT, SEQ, 2, "batch", HID)).addOutput(value("y_h", FLOAT, 2, "batch", HID))
                .addInitializer(floats("W", stack(m, "weight_ih", order), 2, (long) g * HID, IN))
                .addInitializer(floats("R", stack(m, "weight_hh", order), 2, (long) g * HID, HID))
                .addInitializer(floats("B", bias(m, order), 2, 2L * g * HID));
        List<String> inputs = new ArrayList<>(List.of("x", "W", "R", "B"));
        if (lens) {
            gb.addInput(value("lens", TensorProtoTypes.INT32, "batch"));
            inputs.add("lens");
        }
        var n = op.equals("GRU")
                ? node(op, "rnn", inputs, List.of("y", "y_h"), attr("hidden_size", (long) HID), attr("direction", "bidirectional"), attr("linear_before_reset", 1L))
                : node(op, "rnn", inputs, List.of("y", "y_h"), attr("hidden_size", (long) HID), attr("direction", "bidirectional"));
        return Onnx.load(model(gb.addNode(n).build(), 17).toByteArray(), op + ".onnx");
    }

    /** ONNX's Y [seq, dirs, batch, H] as PyTorch's output [seq, batch, dirs * H]. */
    private static Tensor torchLayout(Tensor y) {
        return y.permute(0, 2, 1, 3).reshape(y.size(0), y.size(2), 2L * HID);
    }

    @Test
    void bidirectionalLstmAndGruMatchKindlingsModules() {
        Torch.manualSeed(3);
        Tensor x = Torch.randn(SEQ, BATCH, IN);
        LSTM lstm = new LSTM(IN, HID, 1, true, false, 0, true);
        RnnOutput want = lstm.forward(x, null, null);
        Tensor[] got = onnx("LSTM", lstm, new int[] {0, 3, 1, 2}, false).run(x);
        assertTrue(torchLayout(got[0]).allclose(want.output(), 1e-5, 1e-5), "LSTM Y");
        assertTrue(got[1].allclose(want.h(), 1e-5, 1e-5), "LSTM Y_h");

        GRU gru = new GRU(IN, HID, 1, true, false, 0, true);
        RnnOutput wantG = gru.forward(x, (Tensor) null);
        Tensor[] gotG = onnx("GRU", gru, new int[] {1, 0, 2}, false).run(x);
        assertTrue(torchLayout(gotG[0]).allclose(wantG.output(), 1e-5, 1e-5), "GRU Y");
        assertTrue(gotG[1].allclose(wantG.h(), 1e-5, 1e-5), "GRU Y_h");
    }

    /** With sequence_lens each batch entry acts as its own shorter sequence; steps past its end output zeros. */
    @Test
    void sequenceLengthsMaskBothDirections() {
        Torch.manualSeed(4);
        Tensor x = Torch.randn(SEQ, BATCH, IN);
        LSTM lstm = new LSTM(IN, HID, 1, true, false, 0, true);
        int[] lens = {5, 3, 1};
        Tensor[] got = onnx("LSTM", lstm, new int[] {0, 3, 1, 2}, true).run(x, Torch.tensor(lens));
        Tensor y = torchLayout(got[0]);
        for (int b = 0; b < BATCH; b++) {
            RnnOutput one = lstm.forward(x.narrow(0, 0, lens[b]).narrow(1, b, 1), null, null);
            assertTrue(y.narrow(0, 0, lens[b]).narrow(1, b, 1).allclose(one.output(), 1e-5, 1e-5), "Y of sequence " + b);
            if (lens[b] < SEQ) assertTrue(y.narrow(0, lens[b], SEQ - lens[b]).narrow(1, b, 1).abs().max().item() == 0, "Y past the end of sequence " + b);
            assertTrue(got[1].narrow(1, b, 1).allclose(one.h(), 1e-5, 1e-5), "Y_h of sequence " + b);
        }
    }

    /** ONNX element type codes the test needs beyond {@link Protos}. */
    private static final class TensorProtoTypes {
        static final int INT32 = ai.onnx.proto.OnnxMl.TensorProto.DataType.INT32_VALUE;
    }
}
