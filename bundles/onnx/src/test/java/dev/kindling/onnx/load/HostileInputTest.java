package dev.kindling.onnx.load;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.StringStringEntryProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import com.google.protobuf.ByteString;
import dev.kindling.api.Torch;
import dev.kindling.onnx.Onnx;
import dev.kindling.onnx.OnnxException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static dev.kindling.onnx.load.Protos.FLOAT;
import static dev.kindling.onnx.load.Protos.attr;
import static dev.kindling.onnx.load.Protos.floats;
import static dev.kindling.onnx.load.Protos.model;
import static dev.kindling.onnx.load.Protos.node;
import static dev.kindling.onnx.load.Protos.value;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Bad and hostile files: each is an OnnxException whose message names the source and the node or field at fault. */
class HostileInputTest {
    @TempDir
    Path dir;

    private static void fails(Executable load, String... fragments) {
        OnnxException e = assertThrows(OnnxException.class, load);
        for (String f : fragments) assertTrue(e.getMessage().contains(f), "message lacks '" + f + "': " + e.getMessage());
    }

    private static byte[] bytes(ModelProto m) { return m.toByteArray(); }

    private static GraphProto.Builder identity() {
        return GraphProto.newBuilder().addInput(value("x", FLOAT, 2)).addOutput(value("y", FLOAT, 2));
    }

    @Test
    void truncatedFilesNameTheSource() {
        byte[] full = bytes(Protos.mlp(4, 8, 3, 2));
        for (int len : new int[] {0, 1, 7, full.length / 3, full.length / 2, full.length - 1}) {
            byte[] cut = Arrays.copyOf(full, len);
            fails(() -> Onnx.load(cut, "cut.onnx"), "cut.onnx");
        }
        fails(() -> Onnx.load(dir.resolve("absent.onnx")), "absent.onnx", "cannot read");
    }

    @Test
    void hugeDimsWithoutTheBytesAreRejectedBeforeAllocating() {
        TensorProto huge = TensorProto.newBuilder().setName("big").setDataType(FLOAT).addDims(1L << 40).addDims(1L << 20)
                .setRawData(ByteString.copyFrom(new byte[16])).build();
        fails(() -> Onnx.load(bytes(model(identity().addInitializer(huge).addNode(node("Identity", "id", List.of("x"), List.of("y"))).build(), 17)), "huge.onnx"),
                "huge.onnx", "initializer #0 'big'", "elements");
        TensorProto lying = TensorProto.newBuilder().setName("w").setDataType(FLOAT).addDims(1000).addDims(1000)
                .setRawData(ByteString.copyFrom(new byte[12])).build();
        fails(() -> Onnx.load(bytes(model(identity().addInitializer(lying).addNode(node("Identity", "id", List.of("x"), List.of("y"))).build(), 17)), "lying.onnx"),
                "initializer #0 'w'", "raw_data has 12 bytes", "need 4000000");
        TensorProto typed = TensorProto.newBuilder().setName("t").setDataType(FLOAT).addDims(50_000_000).addFloatData(1).build();
        fails(() -> Onnx.load(bytes(model(identity().addInitializer(typed).addNode(node("Identity", "id", List.of("x"), List.of("y"))).build(), 17)), "typed.onnx"),
                "initializer #0 't'", "holds 1 values");
        TensorProto negative = TensorProto.newBuilder().setName("n").setDataType(FLOAT).addDims(-3).build();
        fails(() -> Onnx.load(bytes(model(identity().addInitializer(negative).addNode(node("Identity", "id", List.of("x"), List.of("y"))).build(), 17)), "neg.onnx"),
                "'n'", "dims[0] = -3");
    }

    private TensorProto external(String location, String offset, String length) {
        TensorProto.Builder t = TensorProto.newBuilder().setName("w").setDataType(FLOAT).addDims(4)
                .setDataLocation(TensorProto.DataLocation.EXTERNAL)
                .addExternalData(StringStringEntryProto.newBuilder().setKey("location").setValue(location));
        if (offset != null) t.addExternalData(StringStringEntryProto.newBuilder().setKey("offset").setValue(offset));
        if (length != null) t.addExternalData(StringStringEntryProto.newBuilder().setKey("length").setValue(length));
        return t.build();
    }

    private Path withExternal(String name, TensorProto w) throws Exception {
        Path sub = Files.createDirectories(dir.resolve("model"));
        Files.write(sub.resolve("data.bin"), new byte[32]);
        Files.write(dir.resolve("secret.bin"), new byte[64]);
        Path p = sub.resolve(name);
        Files.write(p, bytes(model(identity().addInitializer(w).addNode(node("Identity", "id", List.of("x"), List.of("y"))).build(), 17)));
        return p;
    }

    @Test
    void externalDataOffsetsAndLocationsAreBoundsChecked() throws Exception {
        Path ok = withExternal("ok.onnx", external("data.bin", "16", "16"));
        assertTrue(Onnx.load(ok).stateDict().containsKey("w"));
        Path negOffset = withExternal("neg.onnx", external("data.bin", "-4", null));
        fails(() -> Onnx.load(negOffset), "neg.onnx", "'w'", "offset -4 is negative");
        Path past = withExternal("past.onnx", external("data.bin", "24", null));
        fails(() -> Onnx.load(past), "'w'", "offset 24 + 16 bytes lies beyond it");
        Path huge = withExternal("hugeoff.onnx", external("data.bin", String.valueOf(Long.MAX_VALUE), null));
        fails(() -> Onnx.load(huge), "'w'", "lies beyond");
        Path badLength = withExternal("len.onnx", external("data.bin", "0", "8"));
        fails(() -> Onnx.load(badLength), "'w'", "length 8");
        Path escape = withExternal("escape.onnx", external("../secret.bin", "0", null));
        fails(() -> Onnx.load(escape), "'w'", "leaves the model's directory");
        Path absolute = withExternal("abs.onnx", external(dir.resolve("secret.bin").toAbsolutePath().toString(), "0", null));
        fails(() -> Onnx.load(absolute), "'w'", "absolute");
        Path missing = withExternal("missing.onnx", external("nope.bin", "0", null));
        fails(() -> Onnx.load(missing), "'w'", "does not exist");
        Path garbage = withExternal("garbage.onnx", external("data.bin", "zero", null));
        fails(() -> Onnx.load(garbage), "'w'", "offset 'zero' is not an integer");
    }

    @Test
    void graphStructureErrorsNameTheNode() {
        GraphProto cyclic = identity()
                .addNode(node("Relu", "a", List.of("z"), List.of("p")))
                .addNode(node("Relu", "b", List.of("p"), List.of("z")))
                .addNode(node("Identity", "out", List.of("x"), List.of("y"))).build();
        fails(() -> Onnx.load(bytes(model(cyclic, 17)), "cycle.onnx"), "cycle.onnx", "cycle", "(Relu, opset 17)");

        GraphProto missingInit = identity().addNode(node("Add", "add", List.of("x", "bias"), List.of("y"))).build();
        fails(() -> Onnx.load(bytes(model(missingInit, 17)), "missing.onnx"), "node #0 'add' (Add, opset 17)", "input 'bias' is not defined");

        GraphProto twice = identity().addNode(node("Relu", "r1", List.of("x"), List.of("y"))).addNode(node("Relu", "r2", List.of("x"), List.of("y"))).build();
        fails(() -> Onnx.load(bytes(model(twice, 17)), "twice.onnx"), "node #1 'r2'", "output 'y' is also produced by node #0 'r1'");

        GraphProto shadow = identity().addNode(node("Relu", "r", List.of("x"), List.of("x"))).addNode(node("Relu", "r2", List.of("x"), List.of("y"))).build();
        fails(() -> Onnx.load(bytes(model(shadow, 17)), "shadow.onnx"), "node #0 'r'", "output 'x' is already defined");

        GraphProto noProducer = identity().addNode(node("Relu", "r", List.of("x"), List.of("z"))).build();
        fails(() -> Onnx.load(bytes(model(noProducer, 17)), "noout.onnx"), "graph output 'y' is not produced");
    }

    @Test
    void unknownOpsAndDomainsNameTheOpNodeAndOpset() {
        GraphProto unknown = identity().addNode(node("FrobnicateV2", "frob", List.of("x"), List.of("y"))).build();
        fails(() -> Onnx.load(bytes(model(unknown, 17)), "unknown.onnx"), "node #0 'frob' (FrobnicateV2)", "op type 'FrobnicateV2' is not supported at opset 17");
        NodeProto ml = node("LinearClassifier", "clf", List.of("x"), List.of("y")).toBuilder().setDomain("ai.onnx.ml").build();
        ModelProto mlModel = model(identity().addNode(ml).build(), 17).toBuilder()
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("ai.onnx.ml").setVersion(3)).build();
        fails(() -> Onnx.load(bytes(mlModel), "ml.onnx"), "'clf'", "domain 'ai.onnx.ml' is not supported");
        GraphProto sneaky = identity().addNode(node("Relu", "relu", List.of("x"), List.of("y"),
                AttributeProto.newBuilder().setName("body").setType(AttributeProto.AttributeType.GRAPH).setG(GraphProto.getDefaultInstance()).build())).build();
        fails(() -> Onnx.load(bytes(model(sneaky, 17)), "graph.onnx"), "'relu'", "attribute 'body' holds a subgraph, which only If, Loop, Scan and SequenceMap take");
        // a branch reading a value nothing defines is caught at load time, naming the branch and its node
        GraphProto branch = GraphProto.newBuilder().addOutput(value("b", FLOAT, 2))
                .addNode(node("Relu", "inner", List.of("ghost"), List.of("b"))).build();
        GraphProto ifGraph = GraphProto.newBuilder().addInput(value("c", ai.onnx.proto.OnnxMl.TensorProto.DataType.BOOL_VALUE))
                .addInput(value("x", FLOAT, 2)).addOutput(value("y", FLOAT, 2))
                .addNode(node("If", "branch", List.of("c"), List.of("y"),
                        AttributeProto.newBuilder().setName("then_branch").setType(AttributeProto.AttributeType.GRAPH).setG(branch).build(),
                        AttributeProto.newBuilder().setName("else_branch").setType(AttributeProto.AttributeType.GRAPH).setG(branch).build())).build();
        fails(() -> Onnx.load(bytes(model(ifGraph, 17)), "if.onnx"), "node #0 'branch' (If) attribute 'then_branch'", "node #0 'inner'", "input 'ghost' is not defined");
    }

    @Test
    void versionsOutsideTheSupportedRangeAreRejected() {
        GraphProto g = identity().addNode(node("Identity", "id", List.of("x"), List.of("y"))).build();
        fails(() -> Onnx.load(bytes(model(g, 29)), "new.onnx"), "new.onnx", "opset 29 is not supported (1..28)");
        fails(() -> Onnx.load(bytes(model(g, 17).toBuilder().setIrVersion(99).build()), "ir.onnx"), "ir_version 99");
        fails(() -> Onnx.load(bytes(model(g, 17).toBuilder().clearIrVersion().build()), "noir.onnx"), "ir_version is missing");
        fails(() -> Onnx.load(bytes(model(g, 17).toBuilder().clearOpsetImport().build()), "noopset.onnx"), "no default-domain");
        // a model at opset 28 (the newest accepted) loads
        assertTrue(Onnx.load(bytes(model(g, 28)), "new28.onnx").opset() == 28);
    }

    @Test
    void wrongAttributeTypesNameTheNodeAndAttribute() {
        GraphProto perm = GraphProto.newBuilder().addInput(value("x", FLOAT, 2, 3)).addOutput(value("y", FLOAT, 3, 2))
                .addNode(node("Transpose", "tr", List.of("x"), List.of("y"), attr("perm", 1.0f))).build();
        fails(() -> Onnx.load(bytes(model(perm, 17)), "perm.onnx"), "node #0 'tr' (Transpose)", "attribute 'perm' must be INTS, got FLOAT");
        // an op-specific attribute is checked when the op reads it
        GraphProto gelu = identity().addNode(node("Gelu", "g", List.of("x"), List.of("y"), attr("approximate", 1L))).build();
        var m = Onnx.load(bytes(model(gelu, 20)), "gelu.onnx");
        fails(() -> m.forward(Torch.randn(2)), "gelu.onnx: node #0 'g' (Gelu, opset 20)", "attribute 'approximate' must be STRING, got INT");
        GraphProto dup = identity().addNode(node("LeakyRelu", "lr", List.of("x"), List.of("y"), attr("alpha", 0.1f), attr("alpha", 0.2f))).build();
        fails(() -> Onnx.load(bytes(model(dup, 17)), "dup.onnx"), "'lr'", "attribute 'alpha' is given twice");
    }

    @Test
    void runTimeFailuresNameTheNode() {
        GraphProto g = GraphProto.newBuilder().addInput(value("x", FLOAT, "n", 6)).addOutput(value("y", FLOAT, 4, "m"))
                .addInitializer(Protos.longs("shape", new long[] {4, -1}, 2))
                .addNode(node("Reshape", "rs", List.of("x", "shape"), List.of("y"))).build();
        var m = Onnx.load(bytes(model(g, 17)), "reshape.onnx");
        fails(() -> m.forward(Torch.randn(3, 6)), "reshape.onnx: node #0 'rs' (Reshape, opset 17)", "cannot reshape [3, 6]");
        GraphProto expand = GraphProto.newBuilder().addInput(value("x", FLOAT, 1)).addOutput(value("y", FLOAT, "a", "b"))
                .addInitializer(Protos.longs("shape", new long[] {1L << 31, 1L << 31}, 2))
                .addNode(node("Expand", "ex", List.of("x", "shape"), List.of("y"))).build();
        var e = Onnx.load(bytes(model(expand, 17)), "expand.onnx");
        fails(() -> e.forward(Torch.randn(1)), "node #0 'ex' (Expand", "too large");
        fails(() -> Onnx.load(bytes(Protos.mlp(4, 8, 3, 1)), "mlp.onnx").forward(Torch.randn(2, 5)), "mlp.onnx", "input 'x' has shape [2, 5]");
        GraphProto init = identity().addInitializer(floats("w", new float[] {1, 2}, 2)).addNode(node("Identity", "id", List.of("x"), List.of("y"))).build();
        fails(() -> Onnx.load(bytes(model(init, 17)), "w.onnx").run(), "w.onnx", "takes 1 inputs");
    }
}
