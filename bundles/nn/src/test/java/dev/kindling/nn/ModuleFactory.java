package dev.kindling.nn;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kindling.api.Tensor;

/** Builds a Kindling module with its Java constructors from the PyTorch constructor arguments in a fixture. */
final class ModuleFactory {
    private ModuleFactory() {}

    static Module layerOrLoss(String type, JsonNode a) {
        switch (type) {
            case "Linear": return new Linear(i(a, "in_features"), i(a, "out_features"), b(a, "bias", true));
            case "Conv2d":
                if (a.has("padding_mode") || (a.has("padding") && a.get("padding").isTextual())) {
                    int[] k = pair(a, "kernel_size", 0), st = pair(a, "stride", 1), dl = pair(a, "dilation", 1);
                    Conv2d.Builder cb = Conv2d.builder(i(a, "in_channels"), i(a, "out_channels"), k[0], k[1]).stride(st[0], st[1]).dilation(dl[0], dl[1])
                            .groups(i(a, "groups", 1)).bias(b(a, "bias", true));
                    if (a.has("padding_mode")) cb.paddingMode(a.get("padding_mode").asText());
                    if (a.has("padding") && a.get("padding").isTextual()) {
                        cb.padding(a.get("padding").asText());
                    } else {
                        int[] pd = pair(a, "padding", 0);
                        cb.padding(pd[0], pd[1]);
                    }
                    return cb.build();
                }
                return new Conv2d(i(a, "in_channels"), i(a, "out_channels"), pair(a, "kernel_size", 0), pair(a, "stride", 1), pair(a, "padding", 0),
                        pair(a, "dilation", 1), i(a, "groups", 1), b(a, "bias", true));
            case "Conv1d": {
                boolean named = a.has("padding") && a.get("padding").isTextual();
                return new Conv1d(i(a, "in_channels"), i(a, "out_channels"), i(a, "kernel_size"), i(a, "stride", 1), named ? 0 : i(a, "padding", 0),
                        named ? a.get("padding").asText() : null, i(a, "dilation", 1), i(a, "groups", 1), b(a, "bias", true),
                        a.has("padding_mode") ? a.get("padding_mode").asText() : "zeros");
            }
            case "MaxPool2d":
                return new MaxPool2d(sizes(a, "kernel_size", 0), a.has("stride") ? sizes(a, "stride", 0) : null, sizes(a, "padding", 0),
                        sizes(a, "dilation", 1), b(a, "ceil_mode", false));
            case "AvgPool2d":
                return new AvgPool2d(sizes(a, "kernel_size", 0), a.has("stride") ? sizes(a, "stride", 0) : null, sizes(a, "padding", 0),
                        b(a, "ceil_mode", false), b(a, "count_include_pad", true), a.has("divisor_override") ? a.get("divisor_override").asInt() : null);
            case "AdaptiveAvgPool2d": {
                int[] s = sizes(a, "output_size", 0);
                return s.length == 1 ? new AdaptiveAvgPool2d(s[0]) : new AdaptiveAvgPool2d(s[0], s[1]);
            }
            case "BatchNorm1d":
                return new BatchNorm1d(i(a, "num_features"), d(a, "eps", 1e-5), momentum(a), b(a, "affine", true), b(a, "track_running_stats", true));
            case "BatchNorm2d":
                return new BatchNorm2d(i(a, "num_features"), d(a, "eps", 1e-5), momentum(a), b(a, "affine", true), b(a, "track_running_stats", true));
            case "LayerNorm": {
                int[] s = sizes(a, "normalized_shape", 0);
                long[] shape = java.util.Arrays.stream(s).asLongStream().toArray();
                return new LayerNorm(shape, d(a, "eps", 1e-5), b(a, "elementwise_affine", true));
            }
            case "Embedding":
                return new Embedding(i(a, "num_embeddings"), i(a, "embedding_dim"), a.has("padding_idx") ? a.get("padding_idx").asInt() : null);
            case "ReLU": return new ReLU();
            case "LeakyReLU": return a.has("negative_slope") ? new LeakyReLU(d(a, "negative_slope", 0)) : new LeakyReLU();
            case "GELU": return new GELU(a.has("approximate") ? a.get("approximate").asText() : "none");
            case "Sigmoid": return new Sigmoid();
            case "Tanh": return new Tanh();
            case "Softmax": return new Softmax(i(a, "dim"));
            case "LogSoftmax": return new LogSoftmax(i(a, "dim"));
            case "Flatten": return new Flatten(i(a, "start_dim", 1), i(a, "end_dim", -1));
            case "Identity": return new Identity();
            case "Dropout": return new Dropout(d(a, "p", 0.5));
            case "LSTM":
                return new LSTM(i(a, "input_size"), i(a, "hidden_size"), i(a, "num_layers", 1), b(a, "bias", true), b(a, "batch_first", false),
                        d(a, "dropout", 0), b(a, "bidirectional", false));
            case "GRU":
                return new GRU(i(a, "input_size"), i(a, "hidden_size"), i(a, "num_layers", 1), b(a, "bias", true), b(a, "batch_first", false),
                        d(a, "dropout", 0), b(a, "bidirectional", false));
            case "RNN":
                return new RNN(i(a, "input_size"), i(a, "hidden_size"), i(a, "num_layers", 1), a.has("nonlinearity") ? a.get("nonlinearity").asText() : "tanh",
                        b(a, "bias", true), b(a, "batch_first", false), d(a, "dropout", 0), b(a, "bidirectional", false));
            case "MultiheadAttention":
                return new MultiheadAttention(i(a, "embed_dim"), i(a, "num_heads"), d(a, "dropout", 0), b(a, "bias", true), b(a, "batch_first", false));
            case "small_cnn":
                return new Sequential(new Conv2d(1, 4, 3, 1, 1, 1, 1, false), new BatchNorm2d(4), new ReLU(), new MaxPool2d(2), new Flatten(), new Linear(36, 5),
                        new LogSoftmax(1));
            // ---- losses
            case "MSELoss": return new MSELoss(red(a));
            case "L1Loss": return new L1Loss(red(a));
            case "SmoothL1Loss": return new SmoothL1Loss(red(a), d(a, "beta", 1.0));
            case "HuberLoss": return new HuberLoss(red(a), d(a, "delta", 1.0));
            case "CrossEntropyLoss":
                return CrossEntropyLoss.builder().weight(t(a, "weight")).ignoreIndex(a.has("ignore_index") ? a.get("ignore_index").asLong() : -100)
                        .labelSmoothing(d(a, "label_smoothing", 0)).reduction(red(a)).build();
            case "NLLLoss": return new NLLLoss(t(a, "weight"), a.has("ignore_index") ? a.get("ignore_index").asLong() : -100, red(a));
            case "BCELoss": return new BCELoss(t(a, "weight"), red(a));
            case "BCEWithLogitsLoss": return BCEWithLogitsLoss.builder().weight(t(a, "weight")).posWeight(t(a, "pos_weight")).reduction(red(a)).build();
            case "KLDivLoss": return new KLDivLoss(red(a), b(a, "log_target", false));
            case "TripletMarginLoss":
                return new TripletMarginLoss(d(a, "margin", 1.0), d(a, "p", 2.0), d(a, "eps", 1e-6), b(a, "swap", false), red(a));
            case "CosineEmbeddingLoss": return new CosineEmbeddingLoss(d(a, "margin", 0.0), red(a));
            default: throw new AssertionError("no Kindling constructor for fixture type " + type);
        }
    }

    private static int i(JsonNode a, String k) {
        if (!a.has(k)) throw new AssertionError("fixture args lack " + k);
        return a.get(k).asInt();
    }

    private static int i(JsonNode a, String k, int def) { return a.has(k) ? a.get(k).asInt() : def; }

    private static double d(JsonNode a, String k, double def) { return a.has(k) ? a.get(k).asDouble() : def; }

    private static boolean b(JsonNode a, String k, boolean def) { return a.has(k) ? a.get(k).asBoolean() : def; }

    private static String red(JsonNode a) { return a.has("reduction") ? a.get("reduction").asText() : "mean"; }

    private static Tensor t(JsonNode a, String k) { return a.has(k) ? Fixtures.tensor(a.get(k)) : null; }

    private static Double momentum(JsonNode a) {
        if (!a.has("momentum")) return 0.1;
        return a.get("momentum").isNull() ? null : a.get("momentum").asDouble();
    }

    /** An int or a list, as given ({@code {v}} for an int). */
    static int[] sizes(JsonNode a, String k, int def) {
        if (!a.has(k)) return new int[] {def};
        JsonNode v = a.get(k);
        if (!v.isArray()) return new int[] {v.asInt()};
        int[] out = new int[v.size()];
        for (int j = 0; j < out.length; j++) out[j] = v.get(j).asInt();
        return out;
    }

    private static int[] pair(JsonNode a, String k, int def) {
        int[] s = sizes(a, k, def);
        return s.length == 1 ? new int[] {s[0], s[0]} : s;
    }
}
