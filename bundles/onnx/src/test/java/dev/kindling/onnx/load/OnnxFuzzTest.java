package dev.kindling.onnx.load;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import dev.kindling.api.Tensor;
import dev.kindling.api.Torch;
import dev.kindling.onnx.Onnx;
import dev.kindling.onnx.OnnxException;
import dev.kindling.onnx.OnnxModel;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Supplier;

import static dev.kindling.onnx.load.Protos.FLOAT;
import static dev.kindling.onnx.load.Protos.attr;
import static dev.kindling.onnx.load.Protos.floats;
import static dev.kindling.onnx.load.Protos.ints;
import static dev.kindling.onnx.load.Protos.longs;
import static dev.kindling.onnx.load.Protos.model;
import static dev.kindling.onnx.load.Protos.node;
import static dev.kindling.onnx.load.Protos.value;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Deterministic fuzzing of the importer: a few small valid models are mutated at the byte level (bit flips, boundary
 * bytes, truncation, deleted/duplicated/inserted ranges, overlong varints) and at the proto level (dims, attribute
 * values, op types, wiring). Each mutant is loaded and, if that works, run on the original inputs. Only an
 * {@link OnnxException} may come out: no other exception, no Error (out of memory, stack overflow), no hang.
 */
class OnnxFuzzTest {
    private static final long SEED = 20261204L;
    private static final int BYTE_MUTANTS_PER_MODEL = 800, PROTO_MUTANTS_PER_MODEL = 250;

    private record Case(String name, ModelProto model, Supplier<Tensor[]> inputs) {}

    private static List<Case> corpus() {
        List<Case> c = new ArrayList<>();
        c.add(new Case("mlp", Protos.mlp(4, 6, 3, 5), () -> new Tensor[] {Torch.ones(2, 4)}));
        Random r = new Random(7);
        GraphProto cnn = GraphProto.newBuilder()
                .addInput(value("x", FLOAT, "n", 2, 6, 6)).addOutput(value("y", FLOAT, "n", 3))
                .addInitializer(floats("conv.weight", Protos.random(r, 3 * 2 * 9, 0.3), 3, 2, 3, 3))
                .addInitializer(floats("conv.bias", Protos.random(r, 3, 0.1), 3))
                .addInitializer(floats("bn.scale", new float[] {1, 2, 0.5f}, 3))
                .addInitializer(floats("bn.b", new float[] {0, 0.1f, -0.1f}, 3))
                .addInitializer(floats("bn.mean", new float[] {0.1f, 0, 0}, 3))
                .addInitializer(floats("bn.var", new float[] {1, 0.5f, 2}, 3))
                .addNode(node("Conv", "conv", List.of("x", "conv.weight", "conv.bias"), List.of("c"), ints("kernel_shape", 3, 3), ints("pads", 1, 1, 1, 1), ints("strides", 1, 1)))
                .addNode(node("BatchNormalization", "bn", List.of("c", "bn.scale", "bn.b", "bn.mean", "bn.var"), List.of("b"), attr("epsilon", 1e-5f)))
                .addNode(node("Relu", "relu", List.of("b"), List.of("a")))
                .addNode(node("MaxPool", "pool", List.of("a"), List.of("p"), ints("kernel_shape", 2, 2), ints("strides", 2, 2)))
                .addNode(node("ReduceMean", "mean", List.of("p"), List.of("y"), ints("axes", 2, 3), attr("keepdims", 0L)))
                .build();
        c.add(new Case("cnn", model(cnn, 17), () -> new Tensor[] {Torch.ones(2, 2, 6, 6)}));
        GraphProto dyn = Protos.reshapeToBatch(GraphProto.newBuilder()
                .addInput(value("x", FLOAT, "batch", 3, 4)).addOutput(value("y", FLOAT, "batch", 12))
                .addInitializer(longs("reps", new long[] {1, 1}, 2)), "x", "f", 12)
                .addNode(node("Tile", "tile", List.of("f", "reps"), List.of("t")))
                .addNode(node("Softmax", "sm", List.of("t"), List.of("y"), attr("axis", -1L)))
                .build();
        c.add(new Case("dynamic", model(dyn, 13), () -> new Tensor[] {Torch.ones(2, 3, 4)}));
        // a bidirectional LSTM whose output feeds an If choosing between two subgraphs (a branch reads the outer y)
        GraphProto thenG = GraphProto.newBuilder().addOutput(value("t", FLOAT)).addNode(node("Relu", "pos", List.of("yh"), List.of("t"))).build();
        GraphProto elseG = GraphProto.newBuilder().addOutput(value("e", FLOAT)).addNode(node("Neg", "neg", List.of("yh"), List.of("e"))).build();
        GraphProto rnn = GraphProto.newBuilder()
                .addInput(value("x", FLOAT, 4, "batch", 3)).addOutput(value("out", FLOAT))
                .addInitializer(floats("W", Protos.random(r, 2 * 4 * 5 * 3, 0.4), 2, 20, 3))
                .addInitializer(floats("R", Protos.random(r, 2 * 4 * 5 * 5, 0.4), 2, 20, 5))
                .addInitializer(floats("B", Protos.random(r, 2 * 8 * 5, 0.1), 2, 40))
                .addNode(node("LSTM", "lstm", List.of("x", "W", "R", "B"), List.of("y", "yh"), attr("hidden_size", 5L), attr("direction", "bidirectional")))
                .addNode(node("ReduceSum", "total", List.of("y"), List.of("sum"), attr("keepdims", 0L)))
                .addNode(node("Greater", "positive", List.of("sum", "zero"), List.of("cond")))
                .addInitializer(floats("zero", new float[] {0}))
                .addNode(node("If", "branch", List.of("cond"), List.of("out"),
                        AttributeProto.newBuilder().setName("then_branch").setType(AttributeProto.AttributeType.GRAPH).setG(thenG).build(),
                        AttributeProto.newBuilder().setName("else_branch").setType(AttributeProto.AttributeType.GRAPH).setG(elseG).build()))
                .build();
        c.add(new Case("rnn-if", model(rnn, 17), () -> new Tensor[] {Torch.ones(4, 2, 3)}));
        return c;
    }

    private int loaded, ran, rejected;
    private long slowestNanos;
    private String slowest = "";
    private final List<String> crashes = new ArrayList<>();
    private final Map<String, Integer> perKind = new LinkedHashMap<>();

    private void check(String label, String kind, byte[] bytes, Supplier<Tensor[]> inputs) {
        perKind.merge(kind, 1, Integer::sum);
        long t0 = System.nanoTime();
        try {
            OnnxModel m = Onnx.load(bytes, label);
            loaded++;
            m.run(inputs.get());
            ran++;
        } catch (OnnxException e) {
            rejected++;
            if (e.getMessage() == null || !e.getMessage().startsWith(label)) crashes.add(label + ": message does not name the source: " + e.getMessage());
        } catch (Throwable e) { // anything else, Errors included, is a finding
            crashes.add(label + " (" + kind + "): " + e);
        }
        long dt = System.nanoTime() - t0;
        if (dt > slowestNanos) {
            slowestNanos = dt;
            slowest = label;
        }
    }

    @Test
    void mutantsLoadOrFailWithOnnxExceptionOnly() {
        assertTimeoutPreemptively(Duration.ofSeconds(120), () -> {
            Random rnd = new Random(SEED);
            int n = 0;
            for (Case c : corpus()) {
                // the unmutated model must load and run, or its mutants test nothing
                Onnx.load(c.model().toByteArray(), c.name() + ".onnx").run(c.inputs().get());
                byte[] orig = c.model().toByteArray();
                for (int i = 0; i < BYTE_MUTANTS_PER_MODEL; i++) {
                    String kind = "byte-" + (i % 7);
                    check(c.name() + "#b" + i + ".onnx", kind, mutateBytes(orig, i % 7, rnd), c.inputs());
                    n++;
                }
                for (int i = 0; i < PROTO_MUTANTS_PER_MODEL; i++) {
                    ModelProto m = mutateProto(c.model(), i % 6, rnd);
                    check(c.name() + "#p" + i + ".onnx", "proto-" + (i % 6), m.toByteArray(), c.inputs());
                    n++;
                }
            }
            System.out.printf("[onnx fuzz] %d mutants: %d loaded (%d ran), %d rejected with OnnxException; slowest %.1f ms (%s); per kind %s%n",
                    n, loaded, ran, rejected, slowestNanos / 1e6, slowest, perKind);
            assertEquals(List.of(), crashes, "mutants that gave something other than an OnnxException");
            assertTrue(rejected > n / 4, "the mutations should break most files: only " + rejected + " of " + n + " were rejected");
            assertTrue(slowestNanos < 5_000_000_000L, "slowest mutant took " + slowestNanos / 1e6 + " ms: " + slowest);
        });
    }

    private static byte[] mutateBytes(byte[] orig, int kind, Random r) {
        byte[] b = orig.clone();
        int at = r.nextInt(b.length);
        switch (kind) {
            case 0: { // a few bit flips
                for (int k = 1 + r.nextInt(4); k > 0; k--) {
                    int p = r.nextInt(b.length);
                    b[p] ^= (byte) (1 << r.nextInt(8));
                }
                return b;
            }
            case 1: { // boundary bytes
                byte[] vals = {0, (byte) 0xff, 0x7f, (byte) 0x80, 1};
                b[at] = vals[r.nextInt(vals.length)];
                return b;
            }
            case 2: return Arrays.copyOf(b, at);
            case 3: { // delete a range
                int len = Math.min(1 + r.nextInt(16), b.length - at);
                byte[] out = new byte[b.length - len];
                System.arraycopy(b, 0, out, 0, at);
                System.arraycopy(b, at + len, out, at, b.length - at - len);
                return out;
            }
            case 4: { // duplicate a range in place
                int len = Math.min(1 + r.nextInt(32), b.length - at);
                byte[] out = new byte[b.length + len];
                System.arraycopy(b, 0, out, 0, at + len);
                System.arraycopy(b, at, out, at + len, b.length - at);
                return out;
            }
            case 5: { // insert random bytes
                int len = 1 + r.nextInt(8);
                byte[] out = new byte[b.length + len];
                System.arraycopy(b, 0, out, 0, at);
                for (int k = 0; k < len; k++) out[at + k] = (byte) r.nextInt(256);
                System.arraycopy(b, at, out, at + len, b.length - at);
                return out;
            }
            default: { // an overlong varint: a length or dim that claims almost everything
                for (int k = 0; k < 9 && at + k < b.length; k++) b[at + k] = (byte) (k == 8 ? 0x01 : 0xff);
                return b;
            }
        }
    }

    private static final long[] HOSTILE = {-1, 0, 1, 2, 3, 1L << 31, 1L << 40, Long.MAX_VALUE, Long.MIN_VALUE, -7};

    private static ModelProto mutateProto(ModelProto m, int kind, Random r) {
        ModelProto.Builder mb = m.toBuilder();
        GraphProto.Builder g = mb.getGraphBuilder();
        switch (kind) {
            case 0: { // an initializer's dims
                if (g.getInitializerCount() == 0) break;
                int k = r.nextInt(g.getInitializerCount());
                TensorProto.Builder t = g.getInitializerBuilder(k);
                if (t.getDimsCount() == 0 || r.nextBoolean()) t.addDims(HOSTILE[r.nextInt(HOSTILE.length)]);
                else t.setDims(r.nextInt(t.getDimsCount()), HOSTILE[r.nextInt(HOSTILE.length)]);
                break;
            }
            case 1: { // an integer attribute or an entry of an INTS one
                NodeProto.Builder nb = g.getNodeBuilder(r.nextInt(g.getNodeCount()));
                if (nb.getAttributeCount() == 0) {
                    nb.addAttribute(attr("axis", HOSTILE[r.nextInt(HOSTILE.length)]));
                    break;
                }
                AttributeProto.Builder a = nb.getAttributeBuilder(r.nextInt(nb.getAttributeCount()));
                long v = HOSTILE[r.nextInt(HOSTILE.length)];
                if (a.getIntsCount() > 0) a.setInts(r.nextInt(a.getIntsCount()), v);
                else if (a.getType() == AttributeProto.AttributeType.INT) a.setI(v);
                else a.setType(AttributeProto.AttributeType.values()[r.nextInt(AttributeProto.AttributeType.values().length - 1)]);
                break;
            }
            case 2: { // another op type, with the same wiring
                String[] ops = {"Conv", "MaxPool", "Reshape", "Expand", "Tile", "Pad", "Slice", "Gather", "Split", "ConstantOfShape",
                        "Range", "TopK", "OneHot", "Resize", "LSTM", "Einsum", "ConvTranspose", "Softmax", "CumSum", "ScatterND", "LRN", "MaxUnpool"};
                g.getNodeBuilder(r.nextInt(g.getNodeCount())).setOpType(ops[r.nextInt(ops.length)]);
                break;
            }
            case 3: { // rewire an input to another value
                NodeProto.Builder nb = g.getNodeBuilder(r.nextInt(g.getNodeCount()));
                List<String> names = new ArrayList<>();
                g.getInitializerList().forEach(t -> names.add(t.getName()));
                g.getNodeList().forEach(n -> names.addAll(n.getOutputList()));
                names.add("x");
                names.add("");
                if (nb.getInputCount() > 0) nb.setInput(r.nextInt(nb.getInputCount()), names.get(r.nextInt(names.size())));
                break;
            }
            case 4: { // an integer initializer's values (shapes, axes, repeats)
                for (int k = 0; k < g.getInitializerCount(); k++) {
                    TensorProto.Builder t = g.getInitializerBuilder(k);
                    if (t.getInt64DataCount() > 0 && r.nextBoolean()) t.setInt64Data(r.nextInt(t.getInt64DataCount()), HOSTILE[r.nextInt(HOSTILE.length)]);
                }
                break;
            }
            default: { // the opset stamp
                mb.setOpsetImport(0, mb.getOpsetImport(0).toBuilder().setVersion(r.nextInt(32) - 2));
            }
        }
        return mb.build();
    }
}
