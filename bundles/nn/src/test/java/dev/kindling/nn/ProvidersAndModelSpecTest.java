package dev.kindling.nn;

import dev.kindling.api.Tensor;
import dev.kindling.api.Torch;
import dev.kindling.api.spi.TensorRuntimes;
import dev.kindling.kernel.Kernel;
import dev.kindling.kernel.spi.LayerProvider;
import dev.kindling.kernel.spi.ParameterSpec;
import dev.kindling.kernel.spi.Provider;
import dev.kindling.nn.spi.AbstractLayerProvider;
import dev.kindling.nn.spi.Params;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Layers and losses by name through the kernel's registries (found with ServiceLoader here), and ModelSpec JSON. */
class ProvidersAndModelSpecTest {
    private static Kernel kernel() { return (Kernel) TensorRuntimes.get(); }

    private static Module layer(String name, Map<String, Object> params) { return (Module) kernel().layers().create(name, params); }

    @Test
    void everyLayerAndLossIsRegistered() {
        assertEquals(List.of("adaptiveavgpool2d", "avgpool2d", "batchnorm1d", "batchnorm2d", "conv1d", "conv2d", "dropout", "embedding", "flatten",
                        "gelu", "gru", "identity", "layernorm", "leakyrelu", "linear", "logsoftmax", "lstm", "maxpool2d", "multiheadattention", "relu",
                        "rnn", "sequential", "sigmoid", "softmax", "tanh"),
                kernel().layers().all().stream().map(Provider::name).toList());
        assertEquals(List.of("bce", "bce_with_logits", "cosine_embedding", "cross_entropy", "huber", "kl_div", "l1", "mse", "nll", "smooth_l1",
                "triplet_margin"), kernel().losses().all().stream().map(Provider::name).toList());
        for (LayerProvider<?> p : kernel().layers().all()) {
            assertInstanceOf(AbstractLayerProvider.class, p);
            assertTrue(!p.description().isEmpty());
        }
    }

    @Test
    void layersByNameWithParameters() {
        assertEquals("Conv2d(1, 32, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))",
                layer("conv2d", Map.of("in", 1, "out", 32, "kernel", 3, "padding", 1)).toString());
        // as the shell passes them: strings
        assertEquals("Conv2d(2, 4, kernel_size=(3, 5), stride=(1, 1), padding=same, bias=False)",
                layer("Conv2d", Map.of("in", "2", "out", "4", "kernel", "3,5", "padding", "same", "bias", "false")).toString());
        assertEquals("Conv2d(2, 4, kernel_size=(3, 3), stride=(1, 2), padding=valid)",
                layer("conv2d", Map.of("in", "2", "out", "4", "kernel", "3", "stride", "[1, 2]", "padding", "valid")).toString());
        assertEquals("padding='same' is not supported for strided convolutions",
                assertThrows(IllegalArgumentException.class, () -> layer("conv2d", Map.of("in", 2, "out", 4, "kernel", 3, "stride", 2, "padding", "same")))
                        .getMessage());
        assertEquals("BatchNorm1d(8, eps=1e-05, momentum=None, affine=True, track_running_stats=True)",
                layer("batchnorm1d", mapOf("features", 8, "momentum", null)).toString());
        assertEquals("LSTM(3, 4, num_layers=2, batch_first=True)", layer("lstm", Map.of("in", 3, "hidden", 4, "layers", 2, "batch_first", true)).toString());
        assertEquals("MaxPool2d(kernel_size=(2, 3), stride=1, padding=0, dilation=1, ceil_mode=False)",
                layer("maxpool2d", Map.of("kernel", List.of(2, 3), "stride", 1)).toString());
        assertEquals("Embedding(10, 3, padding_idx=0)", layer("embedding", Map.of("num", 10, "dim", 3, "padding_idx", 0)).toString());
    }

    @Test
    void unknownOrMissingOrBadParametersAreNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> layer("conv2d", Map.of("in", 1, "out", 2, "kernal", 3)));
        assertTrue(e.getMessage().startsWith("layer 'conv2d': unknown parameter 'kernal'; missing required parameter 'kernel' (accepted: [in:int, out:int, "),
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> layer("relu", Map.of("slope", 0.1)));
        assertTrue(e.getMessage().contains("unknown parameter 'slope'"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> layer("linear", Map.of("in", "many", "out", 2)));
        assertEquals("layer 'linear': parameter 'in' must be an integer, got \"many\"", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> layer("linear", Map.of("in", 2.5, "out", 2)));
        assertEquals("layer 'linear': parameter 'in' must be an integer, got 2.5", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> layer("gelu", Map.of("approximate", "fast")));
        assertEquals("layer 'gelu': parameter 'approximate' must be one of none, tanh, got \"fast\"", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> kernel().layers().create("conv3d", Map.of()));
        assertTrue(e.getMessage().startsWith("unknown layer 'conv3d'; installed: [adaptiveavgpool2d, "), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> kernel().losses().create("mse", Map.of("reduction", "avg")));
        assertEquals("loss 'mse': parameter 'reduction' must be one of mean, sum, none, got \"avg\"", e.getMessage());
    }

    @Test
    void lossesByName() {
        Tensor logits = Torch.randn(4, 3);
        Tensor target = Torch.tensor(new long[] {0, 2, 1, 2});
        Module byName = (Module) kernel().losses().create("cross_entropy", Map.of("weight", List.of(1.0, 2.0, 0.5), "label_smoothing", 0.1,
                "ignore_index", 1));
        Module direct = CrossEntropyLoss.builder().weight(Torch.tensor(new float[] {1, 2, 0.5f})).labelSmoothing(0.1).ignoreIndex(1).build();
        assertEquals(direct.forward(logits, target).item(), byName.forward(logits, target).item(), 1e-7);
        Module bce = (Module) kernel().losses().create("bce_with_logits", Map.of("pos_weight", "2,3,4", "reduction", "sum"));
        assertArrayEquals(new float[] {2, 3, 4}, ((BCEWithLogitsLoss) bce).posWeight().toFloatArray());
        assertEquals("sum", ((Loss) bce).reduction());
        assertInstanceOf(KLDivLoss.class, kernel().losses().create("kl_div", Map.of("reduction", "batchmean")));
        assertInstanceOf(TripletMarginLoss.class, kernel().losses().create("triplet_margin", Map.of()));
    }

    /** Every layer type with non-default parameters: built from JSON, written back identically, and rebuilt the same. */
    @Test
    void modelSpecRoundTripsEveryLayer() {
        String json = "{\"type\":\"sequential\",\"layers\":["
                + "{\"type\":\"conv2d\",\"in\":1,\"out\":4,\"kernel\":[3,5],\"stride\":2,\"padding\":[1,2],\"dilation\":[1,2],\"bias\":false},"
                + "{\"type\":\"conv2d\",\"in\":4,\"out\":4,\"kernel\":3,\"padding\":\"same\",\"groups\":2,\"padding_mode\":\"reflect\"},"
                + "{\"type\":\"conv1d\",\"in\":2,\"out\":3,\"kernel\":3,\"stride\":2,\"padding\":1},"
                + "{\"type\":\"maxpool2d\",\"kernel\":3,\"stride\":2,\"padding\":1,\"ceil_mode\":true},"
                + "{\"type\":\"avgpool2d\",\"kernel\":[2,3],\"count_include_pad\":false,\"divisor_override\":4},"
                + "{\"type\":\"adaptiveavgpool2d\",\"output\":[7,5]},"
                + "{\"type\":\"batchnorm2d\",\"features\":4,\"eps\":0.001,\"momentum\":null},"
                + "{\"type\":\"batchnorm1d\",\"features\":4,\"affine\":false,\"track_running_stats\":false},"
                + "{\"type\":\"layernorm\",\"shape\":[3,4],\"elementwise_affine\":false},"
                + "{\"type\":\"dropout\",\"p\":0.25},{\"type\":\"relu\"},{\"type\":\"relu\",\"inplace\":true},{\"type\":\"leakyrelu\",\"negative_slope\":0.2},"
                + "{\"type\":\"gelu\",\"approximate\":\"tanh\"},{\"type\":\"sigmoid\"},{\"type\":\"tanh\"},{\"type\":\"identity\"},"
                + "{\"type\":\"softmax\",\"dim\":1},{\"type\":\"logsoftmax\",\"dim\":-1},{\"type\":\"flatten\",\"start_dim\":0,\"end_dim\":2},"
                + "{\"type\":\"embedding\",\"num\":10,\"dim\":3,\"padding_idx\":0},"
                + "{\"type\":\"lstm\",\"in\":3,\"hidden\":4,\"layers\":2,\"batch_first\":true,\"dropout\":0.5,\"bidirectional\":true},"
                + "{\"type\":\"gru\",\"in\":3,\"hidden\":4,\"bias\":false},{\"type\":\"rnn\",\"in\":3,\"hidden\":4,\"nonlinearity\":\"relu\"},"
                + "{\"type\":\"multiheadattention\",\"embed_dim\":8,\"heads\":2,\"dropout\":0.1,\"batch_first\":true},"
                + "{\"type\":\"sequential\",\"name\":\"head\",\"layers\":[{\"type\":\"linear\",\"in\":4,\"out\":2},{\"type\":\"linear\",\"in\":2,\"out\":1,\"bias\":false}]}"
                + "]}";
        ModelSpec spec = ModelSpec.fromJson(json);
        Module model = spec.build();
        assertEquals(json, ModelSpec.of(model).toJson());
        assertEquals(spec, ModelSpec.of(model));
        assertEquals(model.toString(), ModelSpec.of(model).build().toString());
        assertEquals(List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12", "13", "14", "15", "16", "17", "18", "19", "20", "21", "22",
                "23", "24", "head"), List.copyOf(model.namedChildren().keySet()));
    }

    @Test
    void issueExampleBuildsAndRuns() {
        Torch.manualSeed(0);
        Module model = ModelSpec.fromJson("[{\"type\":\"conv2d\",\"in\":1,\"out\":32,\"kernel\":3,\"padding\":1}, {\"type\":\"relu\"},"
                + " {\"type\":\"maxpool2d\",\"kernel\":2}, {\"type\":\"flatten\"}, {\"type\":\"linear\",\"in\":6272,\"out\":10}]").build();
        assertEquals("Sequential(\n  (0): Conv2d(1, 32, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))\n  (1): ReLU()\n"
                + "  (2): MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)\n  (3): Flatten(start_dim=1, end_dim=-1)\n"
                + "  (4): Linear(in_features=6272, out_features=10, bias=True)\n)", model.toString());
        assertArrayEquals(new long[] {2, 10}, model.forward(Torch.randn(2, 1, 28, 28)).shape());
        assertEquals("{\"type\":\"sequential\",\"layers\":[{\"type\":\"conv2d\",\"in\":1,\"out\":32,\"kernel\":3,\"padding\":1},{\"type\":\"relu\"},"
                + "{\"type\":\"maxpool2d\",\"kernel\":2},{\"type\":\"flatten\"},{\"type\":\"linear\",\"in\":6272,\"out\":10}]}", ModelSpec.of(model).toJson());
        // the same seed builds the same weights
        Torch.manualSeed(0);
        Module again = ModelSpec.of(model).build();
        model.stateDict().forEach((k, v) -> assertTrue(v.equal(again.stateDict().get(k)), k));
        assertTrue(ModelSpec.of(new Linear(3, 2)).toPrettyJson().contains("\n"));
        assertEquals("linear", ModelSpec.of(new Linear(3, 2)).type());
    }

    @Test
    void modelSpecErrorsSayWhere() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ModelSpec.fromJson("[{\"type\":\"relu\"}, {\"type\":\"sequential\",\"layers\":[{\"type\":\"conv3d\"}]}]").build());
        assertTrue(e.getMessage().startsWith("layers[1].layers[0]: unknown layer type 'conv3d'; installed: [adaptiveavgpool2d, "), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ModelSpec.fromJson("[{\"type\":\"relu\"}, {\"type\":\"linear\",\"in\":3,\"outt\":2}]").build());
        assertTrue(e.getMessage().startsWith("layers[1]: layer 'linear': unknown parameter 'outt'; missing required parameter 'out'"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ModelSpec.fromJson("[{\"in\":3}]").build());
        assertTrue(e.getMessage().startsWith("layers[0]: missing \"type\""), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ModelSpec.fromJson("{\"type\":\"linear\",\"in\":3,"));
        assertTrue(e.getMessage().startsWith("model spec is not valid JSON"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ModelSpec.fromJson("42"));
        e = assertThrows(IllegalArgumentException.class, () -> ModelSpec.of(new PyTorchModels.Net()));
        assertTrue(e.getMessage().startsWith("no installed layer provider describes dev.kindling.nn.PyTorchModels$Net"), e.getMessage());
    }

    /** A layer from "another bundle": registered with the kernel, found by name in a spec and written back. */
    static final class Scale extends Module {
        final double factor;

        Scale(double factor) { this.factor = factor; }

        @Override
        public Tensor forward(Tensor x) { return x.mul(factor); }

        @Override
        public String extraRepr() { return "factor=" + factor; }
    }

    static final class ScaleProvider extends AbstractLayerProvider<Scale> {
        ScaleProvider() { super("scale", Scale.class, "multiplies by a constant", ParameterSpec.optional("factor", "double", 1.0, "the constant")); }

        @Override
        protected Scale create(Params p) { return new Scale(p.number("factor")); }

        @Override
        public Map<String, Object> describe(Scale m) { return Map.of("factor", m.factor); }
    }

    @Test
    void thirdPartyLayersAreFoundByName() {
        ScaleProvider provider = new ScaleProvider();
        kernel().addProvider(provider);
        try {
            Module m = ModelSpec.fromJson("[{\"type\":\"linear\",\"in\":2,\"out\":2}, {\"type\":\"scale\",\"factor\":3}]").build();
            assertEquals("Scale(factor=3.0)", ((Sequential) m).get(1).toString());
            assertEquals("{\"type\":\"sequential\",\"layers\":[{\"type\":\"linear\",\"in\":2,\"out\":2},{\"type\":\"scale\",\"factor\":3.0}]}",
                    ModelSpec.of(m).toJson());
        } finally {
            kernel().removeProvider(provider);
        }
        assertThrows(IllegalArgumentException.class, () -> ModelSpec.fromJson("{\"type\":\"scale\"}").build());
    }

    private static Map<String, Object> mapOf(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) m.put((String) kv[i], kv[i + 1]);
        return m;
    }
}
