package dev.kindling.onnx.load;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import dev.kindling.api.Tensor;
import dev.kindling.onnx.Onnx;
import dev.kindling.onnx.OnnxException;
import dev.kindling.onnx.OnnxModel;
import dev.kindling.onnx.internal.load.OpSupport;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * Hostile attribute and input values for every op: each ONNX node case (when the data is installed) has its integer
 * attributes, integer inputs and input shapes replaced by boundary values, with fixed seeds, and is run. Only an
 * {@link OnnxException} may come out (no other exception, no Error such as running out of memory, no hang).
 */
class NodeDataFuzzTest {
    private static final long SEED = 424242L;
    private static final long[] HOSTILE = {-1, 0, 1, 7, -9, 1L << 31, 1L << 40, Long.MAX_VALUE, Long.MIN_VALUE};

    @Test
    void hostileAttributesAndInputsGiveOnlyOnnxExceptions() throws Exception {
        Path data = NodeConformanceTest.DATA;
        Assumptions.assumeTrue(Files.isDirectory(data), "ONNX node test data not installed at " + data + "; skipping");
        List<Path> cases;
        try (Stream<Path> s = Files.list(data)) {
            cases = s.filter(p -> Files.isRegularFile(p.resolve("model.onnx"))).sorted().toList();
        }
        List<String> crashes = new ArrayList<>();
        int[] counts = new int[3]; // ran, rejected, mutants
        long[] slowest = {0};
        String[] slowestCase = {""};
        assertTimeoutPreemptively(Duration.ofSeconds(150), () -> {
            Random r = new Random(SEED);
            for (Path dir : cases) {
                ModelProto base;
                List<byte[]> inputs = new ArrayList<>();
                try {
                    base = ModelProto.parseFrom(Files.readAllBytes(dir.resolve("model.onnx")));
                    for (int k = 0; Files.exists(dir.resolve("test_data_set_0/input_" + k + ".pb")); k++) {
                        inputs.add(Files.readAllBytes(dir.resolve("test_data_set_0/input_" + k + ".pb")));
                    }
                } catch (Exception e) {
                    continue;
                }
                for (int m = 0; m < 3; m++) {
                    counts[2]++;
                    String label = dir.getFileName() + "#" + m;
                    long t0 = System.nanoTime();
                    try {
                        ModelProto mutant = mutate(base, r);
                        OnnxModel model = Onnx.load(mutant.toByteArray(), label);
                        List<Tensor> in = new ArrayList<>();
                        for (byte[] b : inputs) in.add(mutateInput(b, r, label));
                        if (in.size() == model.inputNames().size()) model.run(in.toArray(Tensor[]::new));
                        counts[0]++;
                    } catch (OnnxException e) {
                        counts[1]++;
                    } catch (Throwable e) {
                        crashes.add(label + ": " + e);
                    }
                    long ms = (System.nanoTime() - t0) / 1_000_000;
                    if (ms > slowest[0]) {
                        slowest[0] = ms;
                        slowestCase[0] = label;
                    }
                }
            }
        });
        System.out.printf("[onnx node fuzz] %d mutants of %d cases: %d ran, %d rejected with OnnxException; slowest %d ms (%s)%n",
                counts[2], cases.size(), counts[0], counts[1], slowest[0], slowestCase[0]);
        assertEquals(List.of(), crashes);
    }

    private static ModelProto mutate(ModelProto m, Random r) {
        ModelProto.Builder b = m.toBuilder();
        GraphProto.Builder g = b.getGraphBuilder();
        for (NodeProto.Builder n : g.getNodeBuilderList()) {
            for (AttributeProto.Builder a : n.getAttributeBuilderList()) {
                if (r.nextInt(3) != 0) continue;
                if (a.getType() == AttributeProto.AttributeType.INT) a.setI(HOSTILE[r.nextInt(HOSTILE.length)]);
                else if (a.getIntsCount() > 0) a.setInts(r.nextInt(a.getIntsCount()), HOSTILE[r.nextInt(HOSTILE.length)]);
                else if (a.getType() == AttributeProto.AttributeType.FLOAT) a.setF(r.nextBoolean() ? Float.NaN : -1e30f);
            }
        }
        for (TensorProto.Builder t : g.getInitializerBuilderList()) {
            if (t.getInt64DataCount() > 0 && r.nextBoolean()) t.setInt64Data(r.nextInt(t.getInt64DataCount()), HOSTILE[r.nextInt(HOSTILE.length)]);
        }
        return b.build();
    }

    /** Integer inputs (shapes, axes, indices, counts) get a boundary value in one element. */
    private static Tensor mutateInput(byte[] bytes, Random r, String label) throws Exception {
        TensorProto t = TensorProto.parseFrom(bytes);
        if (t.getDataType() == TensorProto.DataType.INT64_VALUE && r.nextBoolean()) {
            long[] v = OpSupport.readTensor(bytes, label).toLongArray();
            if (v.length > 0) {
                v[r.nextInt(v.length)] = HOSTILE[r.nextInt(HOSTILE.length)];
                TensorProto.Builder tb = t.toBuilder().clearRawData().clearInt64Data();
                for (long x : v) tb.addInt64Data(x);
                t = tb.build();
            }
        }
        return OpSupport.readTensor(t.toByteArray(), label);
    }
}
