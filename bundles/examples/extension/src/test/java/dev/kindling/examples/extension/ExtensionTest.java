package dev.kindling.examples.extension;

import dev.kindling.api.Tensor;
import dev.kindling.api.Torch;
import dev.kindling.api.spi.TensorRuntimes;
import dev.kindling.kernel.Kernel;
import dev.kindling.nn.ModelSpec;
import dev.kindling.nn.Module;
import dev.kindling.optim.Optimizer;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** On a plain classpath the extension's providers are found through ServiceLoader, like the built-in ones. */
class ExtensionTest {
    @Test
    void layerAndOptimizerAreUsableByName() {
        Kernel k = (Kernel) TensorRuntimes.get();
        Torch.manualSeed(0);
        Module model = ModelSpec.fromJson("[{\"type\":\"linear\",\"in\":4,\"out\":8},{\"type\":\"swish\",\"beta\":1.5},"
                + "{\"type\":\"linear\",\"in\":8,\"out\":1}]").build();
        assertTrue(model.toString().contains("Swish(beta=1.5)"), model.toString());
        Optimizer opt = (Optimizer) k.optimizers().create("lion", Map.of("params", model.parameters(), "lr", 0.01));
        Tensor x = Torch.randn(16, 4);
        Tensor y = x.sum(1, true);
        double first = Double.NaN;
        double last = Double.NaN;
        for (int i = 0; i < 50; i++) {
            opt.zeroGrad();
            Tensor loss = model.forward(x).sub(y).square().mean();
            loss.backward();
            opt.step();
            if (i == 0) first = loss.item();
            last = loss.item();
        }
        assertTrue(last < first / 2, "Lion did not reduce the loss: " + first + " -> " + last);
        String json = ModelSpec.of(model).toJson();
        assertTrue(json.contains("\"type\":\"swish\"") && json.contains("\"beta\":1.5"), json);
    }
}
