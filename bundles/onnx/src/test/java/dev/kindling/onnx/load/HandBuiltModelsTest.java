package dev.kindling.onnx.load;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.StringStringEntryProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import dev.kindling.api.Tensor;
import dev.kindling.api.Torch;
import dev.kindling.onnx.Onnx;
import dev.kindling.onnx.OnnxException;
import dev.kindling.onnx.OnnxModel;
import dev.kindling.onnx.internal.load.StateNames;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static dev.kindling.onnx.load.Protos.FLOAT;
import static dev.kindling.onnx.load.Protos.attr;
import static dev.kindling.onnx.load.Protos.floats;
import static dev.kindling.onnx.load.Protos.ints;
import static dev.kindling.onnx.load.Protos.longs;
import static dev.kindling.onnx.load.Protos.model;
import static dev.kindling.onnx.load.Protos.node;
import static dev.kindling.onnx.load.Protos.value;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Models built with the protobuf builders: dynamic shapes, external data, metadata, names, opset adapters. */
class HandBuiltModelsTest {
    @TempDir
    Path dir;

    /** {@code Reshape(x, Concat(Unsqueeze(Gather(Shape(x), 0)), [12])) @ W}: the batch size flows through the graph. */
    @Test
    void reshapeWithAShapeComputedInTheGraphRunsAtAnyBatchSize() {
        float[] w = new float[12 * 2];
        for (int i = 0; i < w.length; i++) w[i] = (i % 5) - 2;
        GraphProto g = Protos.reshapeToBatch(GraphProto.newBuilder()
                .addInput(value("x", FLOAT, "batch", 3, 4))
                .addOutput(value("y", FLOAT, "batch", 2))
                .addInitializer(floats("w", w, 12, 2)), "x", "f", 12)
                .addNode(node("MatMul", "mm", List.of("f", "w"), List.of("y")))
                .build();
        OnnxModel m = Onnx.load(model(g, 13).toByteArray(), "dynamic-reshape");
        Tensor wt = Torch.tensor(w, 12, 2);
        for (int batch : new int[] {1, 2, 5, 13}) {
            Tensor x = Torch.randn(batch, 3, 4);
            Tensor y = m.forward(x);
            assertArrayEquals(new long[] {batch, 2}, y.shape(), "batch " + batch);
            assertTrue(y.allclose(x.reshape(batch, 12).matmul(wt), 1e-5, 1e-5), "batch " + batch);
        }
        OnnxException e = assertThrows(OnnxException.class, () -> m.forward(Torch.randn(2, 4, 4)));
        assertTrue(e.getMessage().contains("'x'") && e.getMessage().contains("[batch, 3, 4]"), e.getMessage());
    }

    /** Inputs that share a dim_param must agree on its size. */
    @Test
    void dimParamsAreConsistentAcrossInputs() {
        GraphProto g = GraphProto.newBuilder()
                .addInput(value("a", FLOAT, "n", 2)).addInput(value("b", FLOAT, "n", 2)).addOutput(value("y", FLOAT, "n", 2))
                .addNode(node("Add", "add", List.of("a", "b"), List.of("y"))).build();
        OnnxModel m = Onnx.load(model(g, 17).toByteArray(), "pair.onnx");
        assertArrayEquals(new long[] {3, 2}, m.run(Torch.ones(3, 2), Torch.ones(3, 2))[0].shape());
        OnnxException e = assertThrows(OnnxException.class, () -> m.run(Torch.ones(3, 2), Torch.ones(1, 2)));
        assertTrue(e.getMessage().contains("input 'b' has n = 1 at dim 0, but another input has n = 3"), e.getMessage());
    }

    @Test
    void externalDataIsReadRelativeToTheModelWithItsOffsetAndLength() throws Exception {
        float[] w = {1.5f, -2f, 3.25f, 4f, 0.5f, -1f};
        ByteBuffer b = ByteBuffer.allocate(16 + 4 * w.length).order(ByteOrder.LITTLE_ENDIAN);
        b.position(16);
        for (float f : w) b.putFloat(f);
        Files.createDirectories(dir.resolve("weights"));
        Files.write(dir.resolve("weights/w.bin"), b.array());
        TensorProto ext = TensorProto.newBuilder().setName("w").setDataType(FLOAT).addDims(3).addDims(2)
                .setDataLocation(TensorProto.DataLocation.EXTERNAL)
                .addExternalData(entry("location", "weights/w.bin"))
                .addExternalData(entry("offset", "16"))
                .addExternalData(entry("length", String.valueOf(4 * w.length))).build();
        GraphProto g = GraphProto.newBuilder()
                .addInput(value("x", FLOAT, "n", 3)).addOutput(value("y", FLOAT, "n", 2)).addInitializer(ext)
                .addNode(node("MatMul", "mm", List.of("x", "w"), List.of("y"))).build();
        Path file = dir.resolve("ext.onnx");
        Files.write(file, model(g, 17).toByteArray());
        OnnxModel m = Onnx.load(file);
        assertArrayEquals(w, m.stateDict().get("w").toFloatArray());
        Tensor y = m.forward(Torch.tensor(new float[][] {{1, 0, 0}, {0, 1, 1}}));
        assertArrayEquals(new float[] {1.5f, -2f, 3.25f + 0.5f, 4f - 1f}, y.toFloatArray(), 1e-6f);

        // the same model from bytes has no directory to read external data from
        OnnxException e = assertThrows(OnnxException.class, () -> Onnx.load(Files.readAllBytes(file), "in-memory.onnx"));
        assertTrue(e.getMessage().startsWith("in-memory.onnx: initializer #0 'w'"), e.getMessage());
    }

    @Test
    void metadataOpsetAndNamesAreReported() {
        ModelProto m = Protos.mlp(4, 8, 3, 1).toBuilder()
                .addMetadataProps(StringStringEntryProto.newBuilder().setKey("kindling.version").setValue("0.1.0"))
                .addMetadataProps(StringStringEntryProto.newBuilder().setKey("author").setValue("test")).build();
        OnnxModel model = Onnx.load(m.toByteArray(), "mlp.onnx");
        assertEquals(Map.of("kindling.version", "0.1.0", "author", "test"), model.metadata());
        assertEquals(17, model.opset());
        assertEquals(List.of("x"), model.inputNames());
        assertEquals(List.of("y"), model.outputNames());
        assertEquals(List.of("fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"), List.copyOf(model.stateDict().keySet()));
        assertEquals(List.of("fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"), List.copyOf(model.namedParameters().keySet()));
        assertTrue(model.getSubmodule("fc1") != null);
        Map<String, Tensor> out = model.run(Map.of("x", Torch.randn(2, 4)));
        assertArrayEquals(new long[] {2, 3}, out.get("y").shape());
    }

    /** Names whose dots cannot nest are kept flat with '.' as %2E ('%' as %25); every key decodes to its name. */
    @Test
    void initializerNamesRoundTripThroughStateDictKeys() {
        List<String> names = List.of("fc1", "fc1.weight", "a..b", ".lead", "trail.", "x%y", "deep.er.name", "steps");
        GraphProto.Builder g = GraphProto.newBuilder().addInput(value("x", FLOAT, 1)).addOutput(value("y", FLOAT, 1));
        String prev = "x";
        for (int i = 0; i < names.size(); i++) {
            String name = names.get(i);
            if (name.equals("steps")) {
                g.addInitializer(longs(name, new long[] {3}));
                continue;
            }
            g.addInitializer(floats(name, new float[] {i}, 1));
            String out = i == names.size() - 2 ? "y" : "v" + i;
            g.addNode(node("Add", "add" + i, List.of(prev, name), List.of(out)));
            prev = out;
        }
        OnnxModel m = Onnx.load(model(g.build(), 17).toByteArray(), "names.onnx");
        Map<String, Tensor> sd = m.stateDict();
        assertEquals(java.util.Set.of("fc1", "fc1%2Eweight", "a%2E%2Eb", "%2Elead", "trail%2E", "x%25y", "steps", "deep.er.name"), sd.keySet());
        assertTrue(m.getSubmodule("deep.er") != null, "dotted names nest");
        for (String key : sd.keySet()) assertTrue(names.contains(StateNames.decode(key)), key);
        assertEquals(3, sd.get("steps").itemLong());
        assertTrue(!m.namedParameters().containsKey("steps"), "integer initializers are buffers");
        assertEquals(1 + (0 + 1 + 2 + 3 + 4 + 5 + 6), m.forward(Torch.tensor(new float[] {1})).item(), 1e-6);
    }

    @Test
    void softmaxBeforeOpset13CoercesTo2d() {
        GraphProto g = GraphProto.newBuilder().addInput(value("x", FLOAT, 2, 3, 4)).addOutput(value("y", FLOAT, 2, 3, 4))
                .addNode(node("Softmax", "sm", List.of("x"), List.of("y"), attr("axis", 1L))).build();
        Tensor x = Torch.randn(2, 3, 4);
        Tensor old = Onnx.load(model(g, 11).toByteArray(), "sm11").forward(x);
        Tensor now = Onnx.load(model(g, 13).toByteArray(), "sm13").forward(x);
        assertTrue(old.allclose(x.reshape(2, 12).softmax(1).reshape(2, 3, 4), 1e-6, 1e-6));
        assertTrue(now.allclose(x.softmax(1), 1e-6, 1e-6));
    }

    /** Clip's bounds are attributes before opset 11, inputs after; ReduceMean's axes an attribute before 18. */
    @Test
    void attributesThatBecameInputsAreReadPerOpset() {
        Tensor x = Torch.tensor(new float[][] {{-3, 0.5f, 4}, {1, -1, 9}});
        GraphProto clip6 = GraphProto.newBuilder().addInput(value("x", FLOAT, 2, 3)).addOutput(value("y", FLOAT, 2, 3))
                .addNode(node("Clip", "c", List.of("x"), List.of("y"), attr("min", -1f), attr("max", 2f))).build();
        GraphProto clip11 = GraphProto.newBuilder().addInput(value("x", FLOAT, 2, 3)).addOutput(value("y", FLOAT, 2, 3))
                .addInitializer(floats("lo", new float[] {-1})).addInitializer(floats("hi", new float[] {2}))
                .addNode(node("Clip", "c", List.of("x", "lo", "hi"), List.of("y"))).build();
        float[] clipped = {-1, 0.5f, 2, 1, -1, 2};
        assertArrayEquals(clipped, Onnx.load(model(clip6, 6).toByteArray(), "clip6").forward(x).toFloatArray());
        assertArrayEquals(clipped, Onnx.load(model(clip11, 13).toByteArray(), "clip11").forward(x).toFloatArray());

        GraphProto mean13 = GraphProto.newBuilder().addInput(value("x", FLOAT, 2, 3)).addOutput(value("y", FLOAT, 2))
                .addNode(node("ReduceMean", "m", List.of("x"), List.of("y"), ints("axes", 1), attr("keepdims", 0L))).build();
        GraphProto mean18 = GraphProto.newBuilder().addInput(value("x", FLOAT, 2, 3)).addOutput(value("y", FLOAT, 2))
                .addInitializer(longs("ax", new long[] {1}, 1))
                .addNode(node("ReduceMean", "m", List.of("x", "ax"), List.of("y"), attr("keepdims", 0L))).build();
        float[] means = {0.5f, 3};
        assertArrayEquals(means, Onnx.load(model(mean13, 13).toByteArray(), "mean13").forward(x).toFloatArray(), 1e-6f);
        assertArrayEquals(means, Onnx.load(model(mean18, 18).toByteArray(), "mean18").forward(x).toFloatArray(), 1e-6f);
    }

    /** Before opset 7 a broadcast operand aligned at `axis`, and Cast took its target type as a string. */
    @Test
    void legacyBroadcastAndCastAttributesAreAdapted() {
        GraphProto add = GraphProto.newBuilder().addInput(value("x", FLOAT, 2, 3, 2)).addOutput(value("y", FLOAT, 2, 3, 2))
                .addInitializer(floats("bias", new float[] {10, 20, 30}, 3))
                .addNode(node("Add", "add", List.of("x", "bias"), List.of("y"), attr("broadcast", 1L), attr("axis", 1L))).build();
        Tensor x = Torch.zeros(2, 3, 2);
        float[] y = Onnx.load(model(add, 6).toByteArray(), "add6").forward(x).toFloatArray();
        assertArrayEquals(new float[] {10, 10, 20, 20, 30, 30, 10, 10, 20, 20, 30, 30}, y);
        GraphProto cast = GraphProto.newBuilder().addInput(value("x", FLOAT, 2)).addOutput(value("y", TensorProto.DataType.INT64_VALUE, 2))
                .addNode(node("Cast", "cast", List.of("x"), List.of("y"), attr("to", "INT64"))).build();
        Tensor c = Onnx.load(model(cast, 5).toByteArray(), "cast5").forward(Torch.tensor(new float[] {2.7f, -1.5f}));
        assertEquals(dev.kindling.api.DType.INT64, c.dtype());
        assertArrayEquals(new long[] {2, -1}, c.toLongArray());
    }

    @Test
    void aConvNetWithBatchNormAndPoolingRuns() {
        java.util.Random r = new java.util.Random(3);
        GraphProto g = GraphProto.newBuilder()
                .addInput(value("x", FLOAT, "n", 1, 8, 8)).addOutput(value("y", FLOAT, "n", 4))
                .addInitializer(floats("conv.weight", Protos.random(r, 4 * 9, 0.3), 4, 1, 3, 3))
                .addInitializer(floats("conv.bias", Protos.random(r, 4, 0.1), 4))
                .addInitializer(floats("bn.weight", new float[] {1, 2, 0.5f, 1}, 4))
                .addInitializer(floats("bn.bias", new float[] {0, 0.1f, -0.1f, 0}, 4))
                .addInitializer(floats("bn.running_mean", new float[] {0.1f, 0, 0, -0.1f}, 4))
                .addInitializer(floats("bn.running_var", new float[] {1, 0.5f, 2, 1}, 4))
                .addNode(node("Conv", "conv", List.of("x", "conv.weight", "conv.bias"), List.of("c"), ints("kernel_shape", 3, 3), ints("pads", 1, 1, 1, 1)))
                .addNode(node("BatchNormalization", "bn", List.of("c", "bn.weight", "bn.bias", "bn.running_mean", "bn.running_var"), List.of("b")))
                .addNode(node("Relu", "relu", List.of("b"), List.of("a")))
                .addNode(node("MaxPool", "pool", List.of("a"), List.of("p"), ints("kernel_shape", 2, 2), ints("strides", 2, 2)))
                .addNode(node("GlobalAveragePool", "gap", List.of("p"), List.of("q")))
                .addNode(node("Flatten", "flat", List.of("q"), List.of("y")))
                .build();
        OnnxModel m = Onnx.load(model(g, 17).toByteArray(), "cnn.onnx");
        Tensor x = Torch.randn(3, 1, 8, 8);
        Map<String, Tensor> sd = m.stateDict();
        Tensor c = dev.kindling.nn.functional.F.conv2d(x, sd.get("conv.weight"), sd.get("conv.bias"), 1, 1);
        Tensor bn = dev.kindling.nn.functional.F.batchNorm(c, sd.get("bn.running_mean"), sd.get("bn.running_var"), sd.get("bn.weight"), sd.get("bn.bias"), false, 0.1, 1e-5);
        Tensor want = dev.kindling.nn.functional.F.maxPool2d(bn.relu(), 2).mean(new int[] {2, 3}, false);
        assertTrue(m.forward(x).allclose(want, 1e-5, 1e-5));
    }

    private static StringStringEntryProto entry(String k, String v) {
        return StringStringEntryProto.newBuilder().setKey(k).setValue(v).build();
    }

    @Test
    void typedFieldsAndHalfPrecisionInitializersDecode() {
        TensorProto half = TensorProto.newBuilder().setName("h").setDataType(TensorProto.DataType.FLOAT16_VALUE).addDims(3)
                .addInt32Data(0x3c00).addInt32Data(0xc000).addInt32Data(0x3800).build(); // 1, -2, 0.5
        TensorProto bf = TensorProto.newBuilder().setName("bf").setDataType(TensorProto.DataType.BFLOAT16_VALUE).addDims(2)
                .addInt32Data(0x3f80).addInt32Data(0x4040).build(); // 1, 3
        TensorProto i8 = TensorProto.newBuilder().setName("i8").setDataType(TensorProto.DataType.INT8_VALUE).addDims(2)
                .addInt32Data(-5).addInt32Data(7).build();
        TensorProto dbl = TensorProto.newBuilder().setName("d").setDataType(TensorProto.DataType.DOUBLE_VALUE).addDims(1).addDoubleData(0.25).build();
        GraphProto g = GraphProto.newBuilder().addInput(value("x", FLOAT, 1)).addOutput(value("x", FLOAT, 1))
                .addInitializer(half).addInitializer(bf).addInitializer(i8).addInitializer(dbl).build();
        Map<String, Tensor> sd = Onnx.load(model(g, 17).toByteArray(), "typed.onnx").stateDict();
        assertArrayEquals(new double[] {1, -2, 0.5}, sd.get("h").toDoubleArray());
        assertEquals(dev.kindling.api.DType.FLOAT16, sd.get("h").dtype());
        assertArrayEquals(new double[] {1, 3}, sd.get("bf").toDoubleArray());
        assertArrayEquals(new long[] {-5, 7}, sd.get("i8").toLongArray());
        assertEquals(0.25, sd.get("d").item());
    }
}
