package dev.kindling.onnx.export;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.StringStringEntryProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.TensorInfo;
import dev.kindling.api.Tensor;
import dev.kindling.api.Torch;
import dev.kindling.jit.Jit;
import dev.kindling.jit.TracedModule;
import dev.kindling.nn.BatchNorm2d;
import dev.kindling.nn.GELU;
import dev.kindling.nn.LSTM;
import dev.kindling.nn.LayerNorm;
import dev.kindling.nn.Linear;
import dev.kindling.nn.Module;
import dev.kindling.nn.ReLU;
import dev.kindling.nn.Sequential;
import dev.kindling.onnx.ExportOptions;
import dev.kindling.onnx.Onnx;
import dev.kindling.onnx.OnnxException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The structure of exported files: stamps, names, metadata, opset-dependent forms, and the errors of what cannot be exported. */
class OnnxExportTest {
    @TempDir
    Path dir;

    private static Module mlp() {
        Torch.manualSeed(1);
        Module m = new Sequential(new Linear(4, 8), new ReLU(), new Linear(8, 2));
        m.eval();
        return m;
    }

    private static ModelProto export(Module m, Tensor x, ExportOptions o) throws Exception {
        return ModelProto.parseFrom(Onnx.toBytes(m, new Tensor[] {x}, o));
    }

    private static List<String> opTypes(ModelProto m) { return m.getGraph().getNodeList().stream().map(NodeProto::getOpType).collect(Collectors.toList()); }

    private static Map<String, String> metadata(ModelProto m) {
        return m.getMetadataPropsList().stream().collect(Collectors.toMap(StringStringEntryProto::getKey, StringStringEntryProto::getValue));
    }

    @Test
    void stampsTheOpsetWithItsMinimumIrVersion() throws Exception {
        int[][] expected = {{17, 8}, {18, 8}, {20, 9}, {21, 10}};
        for (int[] e : expected) {
            ModelProto m = export(mlp(), Torch.randn(2, 4), ExportOptions.builder().opset(e[0]).build());
            assertEquals(e[1], m.getIrVersion(), "IR for opset " + e[0]);
            assertEquals(1, m.getOpsetImportCount());
            assertEquals("", m.getOpsetImport(0).getDomain());
            assertEquals(e[0], m.getOpsetImport(0).getVersion());
            assertEquals("kindling", m.getProducerName());
        }
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () -> ExportOptions.builder().opset(19));
        assertTrue(bad.getMessage().contains("opset 19 is not one the exporter writes"), bad.getMessage());
    }

    @Test
    void initializersAreTheStateDictKeysIncludingRecurrentWeights() throws Exception {
        Torch.manualSeed(2);
        LSTM lstm = new LSTM(3, 4, 2, true, false, 0.0, true);
        ModelProto m = export(lstm, Torch.randn(5, 2, 3), ExportOptions.defaults());
        List<String> names = m.getGraph().getInitializerList().stream().map(TensorProto::getName).collect(Collectors.toList());
        assertEquals(List.copyOf(lstm.stateDict().keySet()), names);
        assertEquals(2, opTypes(m).stream().filter("LSTM"::equals).count(), "one LSTM node per layer");
        TensorProto w = m.getGraph().getInitializer(0);
        assertArrayEquals(lstm.getParameter("weight_ih_l0").toFloatArray(),
                Torch.tensor(toFloats(w.getRawData().toByteArray()), 16, 3).toFloatArray());
    }

    private static float[] toFloats(byte[] raw) {
        java.nio.FloatBuffer fb = java.nio.ByteBuffer.wrap(raw).order(java.nio.ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
        float[] f = new float[fb.remaining()];
        fb.get(f);
        return f;
    }

    @Test
    void metadataCarriesTheModelSpecAndTheInputsAndOutputs() throws Exception {
        ModelProto m = export(mlp(), Torch.randn(2, 4), ExportOptions.builder().inputNames("features").outputNames("logits")
                .dynamicAxes(Map.of("features", Map.of(0, "batch"), "logits", Map.of(0, "batch"))).build());
        Map<String, String> meta = metadata(m);
        assertTrue(meta.get("kindling.modelspec").contains("\"linear\""), meta.toString());
        assertEquals("{\"inputs\":[{\"name\":\"features\",\"dtype\":\"float32\",\"shape\":[\"batch\",4]}],"
                + "\"outputs\":[{\"name\":\"logits\",\"dtype\":\"float32\",\"shape\":[\"batch\",2]}]}", meta.get("kindling.io"));
        assertEquals("batch", m.getGraph().getInput(0).getType().getTensorType().getShape().getDim(0).getDimParam());
        assertEquals(4, m.getGraph().getInput(0).getType().getTensorType().getShape().getDim(1).getDimValue());
        assertEquals("logits", m.getGraph().getOutput(0).getName());
        try (Ort ort = new Ort(m.toByteArray(), true)) {
            NodeInfo in = ort.session().getInputInfo().get("features");
            assertArrayEquals(new long[] {-1, 4}, ((TensorInfo) in.getInfo()).getShape());
            assertEquals("batch", ((TensorInfo) in.getInfo()).getDimensionNames()[0]);
        }
    }

    @Test
    void opsetDecidesGeluAndReductionAxes() throws Exception {
        Module gelu = new GELU();
        assertTrue(opTypes(export(gelu, Torch.randn(2, 3), ExportOptions.builder().opset(20).build())).contains("Gelu"));
        List<String> at17 = opTypes(export(gelu, Torch.randn(2, 3), ExportOptions.builder().opset(17).build()));
        assertFalse(at17.contains("Gelu"), at17.toString());
        assertTrue(at17.contains("Erf"), at17.toString());
        Module mean = new Module() {
            @Override
            public Tensor forward(Tensor x) { return x.mean(1); }
        };
        NodeProto r17 = export(mean, Torch.randn(2, 3), ExportOptions.builder().opset(17).build()).getGraph().getNodeList().stream()
                .filter(n -> n.getOpType().equals("ReduceMean")).findFirst().orElseThrow();
        assertEquals(1, r17.getInputCount());
        assertEquals("axes", r17.getAttribute(0).getName().equals("keepdims") ? r17.getAttribute(1).getName() : r17.getAttribute(0).getName());
        NodeProto r18 = export(mean, Torch.randn(2, 3), ExportOptions.builder().opset(18).build()).getGraph().getNodeList().stream()
                .filter(n -> n.getOpType().equals("ReduceMean")).findFirst().orElseThrow();
        assertEquals(2, r18.getInputCount(), "axes is an input from opset 18");
        assertTrue(opTypes(export(new LayerNorm(3), Torch.randn(2, 3), ExportOptions.defaults())).contains("LayerNormalization"));
    }

    /** A module whose forward uses an op with no ONNX form. */
    static final class Inverting extends Module {
        final Linear proj = new Linear(3, 3);

        @Override
        public Tensor forward(Tensor x) { return proj.forward(x).reshape(-1, 3, 1).matmul(x.reshape(-1, 1, 3)).inverse(); }
    }

    @Test
    void anOpWithoutAnOnnxFormIsNamedWithItsModuleAndTheOpsetAndNoFileIsWritten() {
        Path out = dir.resolve("inv.onnx");
        OnnxException e = assertThrows(OnnxException.class, () -> Onnx.export(new Inverting(), Torch.randn(2, 3), out));
        assertTrue(e.getMessage().startsWith("cannot export op 'inverse' (module 'proj') at opset 17"), e.getMessage());
        assertFalse(Files.exists(out));
        Module bn = new BatchNorm2d(2); // left in training mode
        e = assertThrows(OnnxException.class, () -> Onnx.export(bn, Torch.randn(2, 2, 3, 3), out));
        assertTrue(e.getMessage().contains("batch_norm in training mode: export the model in eval mode (model.eval())"), e.getMessage());
    }

    @Test
    void exportAndJitSaveWriteOneSelfContainedFile() throws Exception {
        Module m = mlp();
        Tensor x = Torch.randn(3, 4);
        Path onnx = dir.resolve("mlp.onnx");
        Onnx.export(m, x, onnx);
        TracedModule traced = Jit.trace(m, x);
        Path saved = dir.resolve("traced.onnx");
        Jit.save(traced, saved);
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of("mlp.onnx", "traced.onnx"), files.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList()));
        }
        for (Path p : List.of(onnx, saved)) {
            try (Ort ort = new Ort(Files.readAllBytes(p), true)) {
                Tensor got = ort.run(Map.of("input", x));
                assertTrue(got.allclose(m.forward(x), 1e-4, 1e-5), p.toString());
            }
        }
    }

    @Test
    void optionsThatDisagreeWithATraceAreRefused() {
        TracedModule t = Jit.trace(mlp(), Torch.randn(2, 4));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Onnx.toBytes(t, ExportOptions.builder().dynamicAxes(Map.of("input", Map.of(0, "batch"))).build()));
        assertTrue(e.getMessage().contains("axis 0 of 'input' is declared dynamic but the trace has its shape as [2, 4]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Onnx.toBytes(t, ExportOptions.builder().inputNames("x").build()));
        assertTrue(e.getMessage().contains("input names [x] differ from the trace's [input]"), e.getMessage());
    }
}
