package dev.kindling.train;

import dev.kindling.api.DType;
import dev.kindling.api.Device;
import dev.kindling.api.Tensor;
import dev.kindling.api.Torch;
import dev.kindling.data.Batch;
import dev.kindling.data.DataLoader;
import dev.kindling.data.Sample;
import dev.kindling.datasets.Digits;
import dev.kindling.nn.Conv2d;
import dev.kindling.nn.Linear;
import dev.kindling.nn.Loss;
import dev.kindling.nn.Module;
import dev.kindling.nn.Parameter;
import dev.kindling.nn.functional.F;
import dev.kindling.optim.Optimizer;
import dev.kindling.optim.SGD;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The acceptance test of "write models as in PyTorch": a model and a two-input loss written with plain field
 * assignment, the optimizer built first, the model moved after, trained on the embedded Digits data.
 */
class PyTorchStyleModelTest {

    /** The same class in PyTorch: {@code self.conv = nn.Conv2d(1, 8, 3, padding=1, bias=False); self.fc1 = ...}. */
    static class DigitNet extends Module {
        Conv2d conv = new Conv2d(1, 8, 3, 1, 1, 1, 1, false);
        Linear fc1 = new Linear(8 * 4 * 4, 32);
        Tensor temperature = Parameter.of(Torch.ones(1));
        Linear fc2 = new Linear(32, 10);

        @Override
        public Tensor forward(Tensor x) {
            x = F.maxPool2d(F.relu(conv.forward(x.view(-1, 1, 8, 8))), 2);
            return fc2.forward(F.relu(fc1.forward(x.view(x.size(0), -1)))).mul(temperature);
        }
    }

    /** A custom loss taking (logits, target): label-smoothed negative log likelihood. */
    static class SmoothedNll extends Loss {
        final double eps;

        SmoothedNll(double eps) { this.eps = eps; }

        @Override
        public Tensor forward(Tensor logits, Tensor target) {
            Tensor logp = F.logSoftmax(logits, 1);
            Tensor nll = logp.gather(1, target.unsqueeze(1)).mean().neg();
            return nll.mul(1 - eps).add(logp.mean().neg().mul(eps));
        }
    }

    // /usr/bin/python3 (torch 1.13) on the same classes: [k for k, _ in DigitNet().named_parameters()],
    // list(DigitNet().state_dict()), print(DigitNet()), list(SmoothedNll().state_dict())
    static final List<String> PYTORCH_NAMES = List.of("temperature", "conv.weight", "fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias");
    static final String PYTORCH_REPR = "DigitNet(\n"
            + "  (conv): Conv2d(1, 8, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1), bias=False)\n"
            + "  (fc1): Linear(in_features=128, out_features=32, bias=True)\n"
            + "  (fc2): Linear(in_features=32, out_features=10, bias=True)\n"
            + ")";

    @Test
    void aPyTorchStyleModelTrainsAfterItsOptimizerWasBuiltAndItWasMoved() {
        Torch.manualSeed(0);
        DigitNet model = new DigitNet();
        Module lossFn = new SmoothedNll(0.1);
        assertEquals(PYTORCH_NAMES, new ArrayList<>(model.namedParameters().keySet()));
        assertEquals(PYTORCH_NAMES, new ArrayList<>(model.stateDict().keySet()));
        assertEquals(PYTORCH_REPR, model.toString());
        assertTrue(lossFn.stateDict().isEmpty());

        Optimizer opt = SGD.builder(model.parameters()).lr(0.05).momentum(0.9).build();
        List<Tensor> params = model.parameters();
        assertSame(model, model.to(DType.FLOAT64)); // after the optimizer: the tensors change in place
        model.to(Device.CPU);
        for (int i = 0; i < params.size(); i++) {
            assertSame(params.get(i), opt.paramGroups().get(0).params().get(i));
            assertEquals(DType.FLOAT64, opt.paramGroups().get(0).params().get(i).dtype());
        }
        assertEquals(DType.FLOAT64, model.temperature.dtype());

        DataLoader<Sample> loader = new DataLoader<>(new Digits(x -> x.div(16.0), null), 64, true);
        List<Double> epochLoss = new ArrayList<>();
        for (int epoch = 0; epoch < 5; epoch++) {
            double sum = 0;
            int n = 0;
            model.train();
            for (Batch b : loader) {
                opt.zeroGrad();
                Tensor loss = lossFn.forward(model.forward(b.inputs().to(DType.FLOAT64)), b.targets());
                assertEquals(DType.FLOAT64, loss.dtype());
                loss.backward();
                opt.step();
                sum += loss.item();
                n++;
            }
            epochLoss.add(sum / n);
        }
        System.out.println("PyTorch-style DigitNet, float64, mean loss per epoch: " + epochLoss);
        assertTrue(epochLoss.get(4) < 0.5 * epochLoss.get(0), "the loss must fall: " + epochLoss);
        assertTrue(epochLoss.get(4) < 0.8, "the loss must fall: " + epochLoss);
        for (Tensor p : model.parameters()) assertEquals(DType.FLOAT64, p.grad().dtype());
    }
}
