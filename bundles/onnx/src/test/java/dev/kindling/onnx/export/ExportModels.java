package dev.kindling.onnx.export;

import dev.kindling.api.DType;
import dev.kindling.api.Tensor;
import dev.kindling.api.Torch;
import dev.kindling.nn.AdaptiveAvgPool2d;
import dev.kindling.nn.AvgPool2d;
import dev.kindling.nn.BatchNorm1d;
import dev.kindling.nn.BatchNorm2d;
import dev.kindling.nn.Conv1d;
import dev.kindling.nn.Conv2d;
import dev.kindling.nn.Dropout;
import dev.kindling.nn.Embedding;
import dev.kindling.nn.Flatten;
import dev.kindling.nn.GRU;
import dev.kindling.nn.LSTM;
import dev.kindling.nn.RNN;
import dev.kindling.nn.GELU;
import dev.kindling.nn.LayerNorm;
import dev.kindling.nn.LeakyReLU;
import dev.kindling.nn.Linear;
import dev.kindling.nn.LogSoftmax;
import dev.kindling.nn.MaxPool2d;
import dev.kindling.nn.Module;
import dev.kindling.nn.MultiheadAttention;
import dev.kindling.nn.ReLU;
import dev.kindling.nn.Sequential;
import dev.kindling.nn.Sigmoid;
import dev.kindling.nn.Softmax;
import dev.kindling.nn.Tanh;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;
import java.util.function.Supplier;

/** The contract's layers and four composite models, each with an input maker for a given dynamic size. */
final class ExportModels {
    private ExportModels() {}

    /** A model to export: how to build it, its input at dynamic size n, and the input's dynamic axes. */
    record Case(String name, Supplier<Module> model, IntFunction<Tensor> input, Map<Integer, String> axes) {
        @Override
        public String toString() { return name; }
    }

    static final class EncoderBlock extends Module {
        final MultiheadAttention attn = new MultiheadAttention(16, 4, 0.0, true, true);
        final LayerNorm norm1 = new LayerNorm(16);
        final Linear ff1 = new Linear(16, 32);
        final GELU act = new GELU();
        final Linear ff2 = new Linear(32, 16);
        final LayerNorm norm2 = new LayerNorm(16);
        final Dropout drop = new Dropout(0.1);

        @Override
        public Tensor forward(Tensor x) {
            Tensor h = norm1.forward(x.add(drop.forward(attn.forward(x))));
            return norm2.forward(h.add(drop.forward(ff2.forward(act.forward(ff1.forward(h))))));
        }
    }

    /** Embedding, a 2-layer bidirectional LSTM (batch first) and a per-token classifier. */
    static final class BiLstmTagger extends Module {
        final Embedding embed = new Embedding(20, 8);
        final LSTM lstm = new LSTM(8, 6, 2, true, true, 0.0, true);
        final Linear tag = new Linear(12, 5);

        @Override
        public Tensor forward(Tensor tokens) { return tag.forward(lstm.forward(embed.forward(tokens))).logSoftmax(-1); }
    }

    /** Self-attention with a key-padding mask computed from the input and a causal mask: output, or the head-averaged weights. */
    static final class MaskedAttention extends Module {
        final MultiheadAttention attn = new MultiheadAttention(16, 4, 0.0, true, true);
        private final boolean weights;

        MaskedAttention(boolean weights) { this.weights = weights; }

        @Override
        public Tensor forward(Tensor x) {
            long seq = x.size(1);
            Tensor padding = x.sum(new int[] {2}, false).lt(-2.0); // [N, S] true where masked
            Tensor causal = Torch.ones(seq, seq).triu(1).gt(0.5);  // [S, S]
            dev.kindling.nn.AttentionOutput o = attn.forward(x, x, x, padding, weights, causal, true);
            return weights ? o.weights() : o.output();
        }
    }

    /** Running statistics that are not the initial 0 and 1, so eval-mode normalisation is really checked. */
    private static Module withStats(Module m) {
        m.namedBuffers().forEach((k, b) -> {
            if (k.endsWith("running_mean")) b.copy_(Torch.randn(b.shape()).mul(0.5));
            if (k.endsWith("running_var")) b.copy_(Torch.rand(b.shape()).add(0.5));
        });
        return m;
    }

    private static Map<Integer, String> batch() { return Map.of(0, "batch"); }

    static List<Case> all() {
        List<Case> c = new ArrayList<>();
        c.add(new Case("Linear", () -> new Linear(8, 5), n -> Torch.randn(n, 8), batch()));
        c.add(new Case("Linear3d", () -> new Linear(8, 5), n -> Torch.randn(n, n + 1, 8), Map.of(0, "batch", 1, "seq")));
        c.add(new Case("LinearNoBias", () -> new Linear(8, 5, false), n -> Torch.randn(n, 8), batch()));
        c.add(new Case("Conv1d", () -> new Conv1d(3, 4, 3, 2, 1), n -> Torch.randn(n, 3, 16), batch()));
        c.add(new Case("Conv2dGrouped", () -> new Conv2d(3, 6, new int[] {3, 3}, new int[] {1, 2}, new int[] {1, 0}, new int[] {2, 1}, 3, true),
                n -> Torch.randn(n, 3, 9, 9), batch()));
        c.add(new Case("Conv2d", () -> new Conv2d(2, 4, 3, 1, 1), n -> Torch.randn(n, 2, 6, 6), batch()));
        c.add(new Case("MaxPool2d", () -> new MaxPool2d(3, 2, 1), n -> Torch.randn(n, 2, 9, 9), batch()));
        c.add(new Case("MaxPool2dCeil", () -> new MaxPool2d(new int[] {2, 2}, new int[] {2, 2}, new int[] {0, 0}, new int[] {1, 1}, true),
                n -> Torch.randn(n, 2, 9, 9), batch()));
        c.add(new Case("AvgPool2d", () -> new AvgPool2d(3, 2, 1), n -> Torch.randn(n, 2, 9, 9), batch()));
        c.add(new Case("AvgPool2dNoPadCount", () -> new AvgPool2d(new int[] {2, 2}, new int[] {2, 2}, new int[] {1, 1}, false, false, null),
                n -> Torch.randn(n, 2, 8, 8), batch()));
        c.add(new Case("AdaptiveAvgPool2d1", () -> new AdaptiveAvgPool2d(1), n -> Torch.randn(n, 3, 7, 7), batch()));
        c.add(new Case("AdaptiveAvgPool2d2", () -> new AdaptiveAvgPool2d(2), n -> Torch.randn(n, 3, 8, 8), batch()));
        c.add(new Case("BatchNorm2d", () -> withStats(new BatchNorm2d(3)), n -> Torch.randn(n, 3, 4, 4), batch()));
        c.add(new Case("BatchNorm1d", () -> withStats(new BatchNorm1d(6)), n -> Torch.randn(n, 6), batch()));
        c.add(new Case("LayerNorm", () -> new LayerNorm(16), n -> Torch.randn(n, n + 2, 16), Map.of(0, "batch", 1, "seq")));
        c.add(new Case("Dropout", () -> new Dropout(0.3), n -> Torch.randn(n, 7), batch()));
        c.add(new Case("ReLU", ReLU::new, n -> Torch.randn(n, 7), batch()));
        c.add(new Case("Sigmoid", Sigmoid::new, n -> Torch.randn(n, 7), batch()));
        c.add(new Case("Tanh", Tanh::new, n -> Torch.randn(n, 7), batch()));
        c.add(new Case("GELU", GELU::new, n -> Torch.randn(n, 7), batch()));
        c.add(new Case("GELUTanh", () -> new GELU("tanh"), n -> Torch.randn(n, 7), batch()));
        c.add(new Case("LeakyReLU", () -> new LeakyReLU(0.2), n -> Torch.randn(n, 7), batch()));
        c.add(new Case("Softmax", () -> new Softmax(-1), n -> Torch.randn(n, 7), batch()));
        c.add(new Case("LogSoftmax", () -> new LogSoftmax(1), n -> Torch.randn(n, 7), batch()));
        c.add(new Case("Embedding", () -> new Embedding(10, 4), n -> Torch.randint(0, 10, new long[] {n, n + 1}), Map.of(0, "batch", 1, "seq")));
        c.add(new Case("Flatten", Flatten::new, n -> Torch.randn(n, 2, 3, 4), batch()));
        c.add(new Case("FlattenMiddle", () -> new Flatten(1, 2), n -> Torch.randn(n, 2, 3, 4), batch()));
        c.add(new Case("FlattenAll", () -> new Flatten(0, -1), n -> Torch.randn(n, 2, 3), batch()));
        c.add(new Case("MultiheadAttention", () -> new MultiheadAttention(16, 4), n -> Torch.randn(n + 1, n, 16), Map.of(0, "seq", 1, "batch")));
        c.add(new Case("MultiheadAttentionBatchFirst", () -> new MultiheadAttention(16, 2, 0.0, true, true), n -> Torch.randn(n, n + 2, 16),
                Map.of(0, "batch", 1, "seq")));
        c.add(new Case("LSTM", () -> new LSTM(5, 7), n -> Torch.randn(n + 1, n, 5), Map.of(0, "seq", 1, "batch")));
        c.add(new Case("LSTMNoBias", () -> new LSTM(5, 7, 1, false, false, 0.0, false), n -> Torch.randn(n + 1, n, 5), Map.of(0, "seq", 1, "batch")));
        c.add(new Case("LSTMBidirectional2Layer", () -> new LSTM(5, 7, 2, true, true, 0.0, true), n -> Torch.randn(n, n + 2, 5), Map.of(0, "batch", 1, "seq")));
        c.add(new Case("GRU", () -> new GRU(5, 7), n -> Torch.randn(n + 1, n, 5), Map.of(0, "seq", 1, "batch")));
        c.add(new Case("GRUBidirectional2Layer", () -> new GRU(5, 7, 2, true, false, 0.0, true), n -> Torch.randn(n + 1, n, 5), Map.of(0, "seq", 1, "batch")));
        c.add(new Case("RNN", () -> new RNN(5, 7), n -> Torch.randn(n + 1, n, 5), Map.of(0, "seq", 1, "batch")));
        c.add(new Case("RNNReluBidirectional2Layer", () -> new RNN(5, 7, 2, "relu", true, true, 0.0, true), n -> Torch.randn(n, n + 2, 5),
                Map.of(0, "batch", 1, "seq")));
        c.add(new Case("BiLSTMTagger", BiLstmTagger::new, n -> Torch.randint(0, 20, new long[] {n, n + 3}), Map.of(0, "batch", 1, "seq")));
        c.add(new Case("MultiheadAttentionMasked", () -> new MaskedAttention(false), n -> Torch.randn(n, 5, 16), batch()));
        c.add(new Case("MultiheadAttentionWeights", () -> new MaskedAttention(true), n -> Torch.randn(n, 5, 16), batch()));
        c.add(new Case("MultiheadAttentionUnbatched", () -> new MultiheadAttention(16, 4), n -> Torch.randn(n + 1, 16), Map.of(0, "seq")));
        c.add(new Case("MLP", () -> new Sequential(new Linear(12, 32), new ReLU(), new Linear(32, 16), new ReLU(), new Linear(16, 3)),
                n -> Torch.randn(n, 12), batch()));
        c.add(new Case("CNN", () -> withStats(new Sequential(new Conv2d(1, 8, 3, 1, 1), new BatchNorm2d(8), new ReLU(), new MaxPool2d(2),
                new Conv2d(8, 16, 3, 1, 1), new BatchNorm2d(16), new ReLU(), new AdaptiveAvgPool2d(1), new Flatten(), new Linear(16, 10))),
                n -> Torch.randn(n, 1, 12, 12), batch()));
        c.add(new Case("TransformerEncoderBlock", EncoderBlock::new, n -> Torch.randn(n, n + 3, 16), Map.of(0, "batch", 1, "seq")));
        return c;
    }

    static boolean isIndex(Tensor t) { return t.dtype() == DType.INT64; }
}
