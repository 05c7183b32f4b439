package dev.kindling.onnx.load;

import ai.onnx.proto.OnnxMl.GraphProto;
import dev.kindling.api.DType;
import dev.kindling.api.Tensor;
import dev.kindling.api.Torch;
import dev.kindling.onnx.Onnx;
import dev.kindling.onnx.OnnxModel;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static dev.kindling.onnx.load.Protos.FLOAT;
import static dev.kindling.onnx.load.Protos.attr;
import static dev.kindling.onnx.load.Protos.ints;
import static dev.kindling.onnx.load.Protos.model;
import static dev.kindling.onnx.load.Protos.node;
import static dev.kindling.onnx.load.Protos.value;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Random ops (which ONNX's node data cannot check: its expected values come from numpy's generator). */
class RandomOpsTest {
    private static OnnxModel one(String op, int inputs, ai.onnx.proto.OnnxMl.AttributeProto... attrs) {
        GraphProto.Builder g = GraphProto.newBuilder().addOutput(value("y", FLOAT));
        if (inputs > 0) g.addInput(value("x", FLOAT, 1000));
        g.addNode(node(op, "r", inputs > 0 ? List.of("x") : List.of(), List.of("y"), attrs));
        return Onnx.load(model(g.build(), 22).toByteArray(), op + ".onnx");
    }

    @Test
    void uniformAndNormalHaveTheirShapeRangeAndMoments() {
        Tensor u = one("RandomUniform", 0, ints("shape", 4, 2500), attr("low", -2f), attr("high", 3f)).run()[0];
        assertArrayEquals(new long[] {4, 2500}, u.shape());
        assertTrue(u.min().item() >= -2 && u.max().item() < 3);
        assertEquals(0.5, u.mean().item(), 0.1);
        Tensor n = one("RandomNormal", 0, ints("shape", 10000), attr("mean", 1f), attr("scale", 2f), attr("dtype", 11L)).run()[0];
        assertEquals(DType.FLOAT64, n.dtype());
        assertEquals(1, n.mean().item(), 0.1);
        assertEquals(2, n.std().item(), 0.1);
    }

    @Test
    void aSeedRepeatsItsValuesAndNoSeedDoesNot() {
        OnnxModel seeded = one("RandomUniformLike", 1, attr("seed", 5f));
        Tensor x = Torch.zeros(1000);
        assertArrayEquals(seeded.run(x)[0].toFloatArray(), seeded.run(x)[0].toFloatArray());
        OnnxModel free = one("RandomNormalLike", 1);
        assertFalse(Arrays.equals(free.run(x)[0].toFloatArray(), free.run(x)[0].toFloatArray()));
    }

    @Test
    void bernoulliAndMultinomialFollowTheirProbabilities() {
        Tensor p = Torch.cat(Torch.zeros(500), Torch.ones(500));
        float[] b = one("Bernoulli", 1).run(p)[0].toFloatArray();
        for (int i = 0; i < b.length; i++) assertEquals(i < 500 ? 0f : 1f, b[i]);
        GraphProto g = GraphProto.newBuilder().addInput(value("x", FLOAT, 2, 3)).addOutput(value("y", Protos.INT64))
                .addNode(node("Multinomial", "m", List.of("x"), List.of("y"), attr("sample_size", 50L), attr("dtype", 7L))).build();
        float inf = Float.NEGATIVE_INFINITY;
        Tensor logits = Torch.tensor(new float[][] {{inf, 0, inf}, {inf, inf, 0}});
        long[] draws = Onnx.load(model(g, 22).toByteArray(), "multinomial.onnx").run(logits)[0].toLongArray();
        for (int i = 0; i < draws.length; i++) assertEquals(i < 50 ? 1 : 2, draws[i]);
    }
}
