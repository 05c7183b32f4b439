package dev.kindling.onnx.load;

import dev.kindling.api.Tensor;
import dev.kindling.api.Torch;
import dev.kindling.nn.functional.F;
import dev.kindling.onnx.Onnx;
import dev.kindling.onnx.OnnxModel;
import dev.kindling.optim.SGD;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** An imported model trains: its initializers are parameters that autograd reaches and an optimizer updates. */
class FineTuneTest {
    @Test
    void anImportedMlpFineTunesWithSgd() {
        OnnxModel model = Onnx.load(Protos.mlp(3, 16, 1, 11).toByteArray(), "mlp.onnx");
        List<String> keys = List.of("fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias");
        assertEquals(keys, List.copyOf(model.namedParameters().keySet()));
        Map<String, Tensor> before = model.stateDict();
        float[] w1Before = before.get("fc1.weight").toFloatArray();

        // synthetic regression: y = x0 - 2 x1 + 0.5 x2
        Torch.manualSeed(5);
        Tensor x = Torch.randn(64, 3);
        Tensor y = x.matmul(Torch.tensor(new float[] {1, -2, 0.5f}, 3, 1));
        SGD opt = new SGD(model.parameters(), 0.05);
        double first = 0, last = 0;
        for (int step = 0; step < 60; step++) {
            opt.zeroGrad();
            Tensor loss = F.mseLoss(model.forward(x), y);
            loss.backward();
            if (step == 0) {
                first = loss.item();
                for (Map.Entry<String, Tensor> p : model.namedParameters().entrySet()) {
                    assertNotNull(p.getValue().grad(), "no gradient reached initializer " + p.getKey());
                    assertTrue(p.getValue().grad().abs().sum().item() > 0, "zero gradient at initializer " + p.getKey());
                }
            }
            opt.step();
            last = loss.item();
        }
        assertTrue(last < first * 0.2, "loss should fall well below its start: " + first + " -> " + last);
        // the state dict holds the trained values under the initializer names
        assertFalse(java.util.Arrays.equals(w1Before, model.stateDict().get("fc1.weight").toFloatArray()));
        assertEquals(keys, List.copyOf(model.stateDict().keySet()));
    }

    /** Each run reads the registered tensors, so a loaded state dict takes effect. */
    @Test
    void loadStateDictChangesWhatTheGraphComputes() {
        OnnxModel model = Onnx.load(Protos.mlp(3, 4, 2, 1).toByteArray(), "mlp.onnx");
        Map<String, Tensor> sd = new java.util.LinkedHashMap<>();
        model.stateDict().forEach((k, v) -> sd.put(k, Torch.zerosLike(v)));
        sd.put("fc2.bias", Torch.tensor(new float[] {5, -1}));
        assertTrue(model.loadStateDict(sd).allKeysMatched());
        try (var g = Torch.noGrad()) {
            assertArrayEquals(new float[] {5, -1, 5, -1}, model.forward(Torch.randn(2, 3)).toFloatArray());
        }
    }
}
