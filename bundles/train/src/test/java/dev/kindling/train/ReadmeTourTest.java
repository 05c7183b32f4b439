package dev.kindling.train;

import dev.kindling.api.Tensor;
import dev.kindling.api.Torch;
import dev.kindling.nn.CrossEntropyLoss;
import dev.kindling.nn.Linear;
import dev.kindling.nn.ModelSpec;
import dev.kindling.nn.Module;
import dev.kindling.nn.ReLU;
import dev.kindling.nn.Sequential;
import dev.kindling.optim.Optimizer;
import dev.kindling.optim.SGD;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The README's "Neural networks and optimisers" tour, as written there. */
class ReadmeTourTest {
    @TempDir
    Path dir;

    @Test
    void neuralNetworkTourWorksAsWritten() {
        Tensor x = Torch.rand(8, 784);
        Tensor y = Torch.randint(0, 10, 8);
        Module model = new Sequential(new Linear(784, 256), new ReLU(), new Linear(256, 10));
        assertTrue(model.toString().startsWith("Sequential(\n  (0): Linear(in_features=784, out_features=256, bias=True)"), model.toString());
        Optimizer opt = SGD.builder(model.parameters()).lr(0.1).momentum(0.9).build();
        CrossEntropyLoss lossFn = CrossEntropyLoss.builder().labelSmoothing(0.1).build();
        opt.zeroGrad();
        Tensor loss = lossFn.forward(model.forward(x), y);
        loss.backward();
        opt.step();
        Path file = dir.resolve("mlp.safetensors");
        Torch.save(model.stateDict(), file);
        Map<String, Tensor> back = Torch.load(file);
        assertEquals(model.stateDict().keySet(), back.keySet());
        assertArrayEquals(model.stateDict().get("0.weight").toFloatArray(), back.get("0.weight").toFloatArray());

        Module cnn = ModelSpec.fromJson("[{\"type\":\"conv2d\",\"in\":1,\"out\":32,\"kernel\":3,\"padding\":1},"
                + "{\"type\":\"relu\"},{\"type\":\"maxpool2d\",\"kernel\":2},{\"type\":\"flatten\"},"
                + "{\"type\":\"linear\",\"in\":6272,\"out\":10}]").build();
        assertArrayEquals(new long[] {2, 10}, cnn.forward(Torch.rand(2, 1, 28, 28)).shape());
        String json = ModelSpec.of(cnn).toJson();
        assertTrue(json.contains("\"conv2d\"") && json.contains("\"maxpool2d\""), json);
    }
}
