package dev.kindling.train;

import dev.kindling.api.DType;
import dev.kindling.api.Tensor;
import dev.kindling.api.Torch;
import dev.kindling.io.Models;
import dev.kindling.nn.Conv2d;
import dev.kindling.nn.CrossEntropyLoss;
import dev.kindling.nn.Linear;
import dev.kindling.nn.Loss;
import dev.kindling.nn.ModelSpec;
import dev.kindling.nn.Module;
import dev.kindling.nn.Parameter;
import dev.kindling.nn.ReLU;
import dev.kindling.nn.Sequential;
import dev.kindling.nn.functional.F;
import dev.kindling.optim.Adam;
import dev.kindling.optim.Optimizer;
import dev.kindling.optim.SGD;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
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
        String pth = dir.resolve("mlp.pth").toString();
        Torch.save(model.stateDict(), pth);
        assertEquals("<All keys matched successfully>", model.loadStateDict(Torch.load(pth)).toString());

        Module cnn = ModelSpec.fromJson("[{\"type\":\"conv2d\",\"in\":1,\"out\":32,\"kernel\":3,\"padding\":1},"
                + "{\"type\":\"relu\"},{\"type\":\"maxpool2d\",\"kernel\":2},{\"type\":\"flatten\"},"
                + "{\"type\":\"linear\",\"in\":6272,\"out\":10}]").build();
        assertArrayEquals(new long[] {2, 10}, cnn.forward(Torch.rand(2, 1, 28, 28)).shape());
        String json = ModelSpec.of(cnn).toJson();
        assertTrue(json.contains("\"conv2d\"") && json.contains("\"maxpool2d\""), json);
    }

    static class Net extends Module {
        Conv2d conv = new Conv2d(1, 8, 3, 1, 1);
        Linear fc1 = new Linear(8 * 14 * 14, 64);
        Tensor scale = Parameter.of(Torch.ones(1));   // nn.Parameter
        Linear fc2 = new Linear(64, 10);

        @Override
        public Tensor forward(Tensor x) {
            x = F.maxPool2d(F.relu(conv.forward(x)), 2);
            return fc2.forward(F.relu(fc1.forward(x.view(x.size(0), -1)))).mul(scale);
        }
    }

    static class SmoothedNll extends Loss {                  // two inputs: forward(input, target)
        @Override
        public Tensor forward(Tensor logits, Tensor target) {
            Tensor logp = F.logSoftmax(logits, 1);
            return logp.gather(1, target.unsqueeze(1)).mean().neg().mul(0.9).add(logp.mean().neg().mul(0.1));
        }
    }

    @Test
    void customModelTourWorksAsWritten() throws Exception {
        Net net = new Net();
        assertEquals(List.of("scale", "conv.weight", "conv.bias", "fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"),
                new ArrayList<>(net.stateDict().keySet()));
        Optimizer adam = Adam.builder(net.parameters()).lr(1e-3).build();
        net.to(DType.FLOAT64);
        assertSame(net.fc1.weight(), adam.paramGroups().get(0).params().get(3));
        assertEquals(DType.FLOAT64, adam.paramGroups().get(0).params().get(3).dtype());
        Tensor l = new SmoothedNll().forward(net.forward(Torch.rand(DType.FLOAT64, 4, 1, 28, 28)), Torch.randint(0, 10, 4));
        adam.zeroGrad();
        l.backward();
        adam.step();
        Path file = dir.resolve("net.safetensors");
        Models.save(net, file);
        Net back = Models.load(file, Net::new);
        assertArrayEquals(net.fc2.weight().toFloatArray(), back.fc2.weight().toFloatArray());
    }
}
