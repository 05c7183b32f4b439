package dev.kindling.backend.cuda;

import dev.kindling.api.Device;
import dev.kindling.api.Generator;
import dev.kindling.api.Tensor;
import dev.kindling.api.Torch;
import dev.kindling.api.spi.TensorRuntimes;
import dev.kindling.kernel.Kernel;
import dev.kindling.nn.BatchNorm2d;
import dev.kindling.nn.Conv2d;
import dev.kindling.nn.CrossEntropyLoss;
import dev.kindling.nn.Flatten;
import dev.kindling.nn.Linear;
import dev.kindling.nn.MaxPool2d;
import dev.kindling.nn.Module;
import dev.kindling.nn.ReLU;
import dev.kindling.nn.Sequential;
import dev.kindling.optim.Adam;
import dev.kindling.optim.Optimizer;
import dev.kindling.optim.SGD;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Training steps through the whole stack (op table, autograd, layers, losses, optimizers) with tensors on the
 * emulated GPU, compared with the same steps on the CPU: an MLP with SGD and momentum, and a CNN (conv, BatchNorm,
 * max pooling) with Adam. Shows that autograd and the optimizers work unchanged on CUDA tensors.
 */
class EmulatedTrainingTest {
    static Kernel kernel;
    static CudaBackend emulated;

    @BeforeAll
    static void register() {
        String failure = EmulatedDevice.load();
        if (EmulatedDevice.NO_COMPILER.equals(failure)) return;
        assertNull(failure, "the CUDA emulator must build where g++ is present");
        kernel = (Kernel) TensorRuntimes.get();
        emulated = EmulatedDevice.backend(new EmulatedDevice(0, true));
        kernel.addBackend(emulated);
    }

    @AfterAll
    static void unregister() {
        if (emulated != null) kernel.removeBackend(emulated);
    }

    record Run(List<Double> losses, List<float[]> params) {}

    private static Run train(Device device, boolean cnn) {
        Torch.manualSeed(0);
        Module model = cnn
                // No conv bias before BatchNorm: its gradient is zero up to rounding, which Adam would scale up to lr.
                ? new Sequential(new Conv2d(1, 4, 3, 1, 1, 1, 1, false), new BatchNorm2d(4), new ReLU(), new MaxPool2d(2), new Flatten(), new Linear(4 * 4 * 4, 3))
                : new Sequential(new Linear(20, 16), new ReLU(), new Linear(16, 3));
        model.to(device);
        Optimizer opt = cnn ? Adam.builder(model.parameters()).lr(1e-2).build()
                : SGD.builder(model.parameters()).lr(0.1).momentum(0.9).build();
        Generator g = new Generator(1);
        Tensor x = (cnn ? Torch.randn(g, 8, 1, 8, 8) : Torch.randn(g, 8, 20)).to(device);
        Tensor y = Torch.tensor(new long[] {0, 1, 2, 0, 1, 2, 0, 1}).to(device);
        CrossEntropyLoss lossFn = new CrossEntropyLoss();
        List<Double> losses = new ArrayList<>();
        for (int step = 0; step < 4; step++) {
            opt.zeroGrad();
            Tensor loss = lossFn.forward(model.forward(x), y);
            assertEquals(device, loss.device());
            loss.backward();
            opt.step();
            losses.add(loss.item());
        }
        List<float[]> params = new ArrayList<>();
        for (Tensor p : model.parameters()) {
            assertEquals(device, p.device());
            params.add(p.cpu().toFloatArray());
        }
        for (Tensor b : model.buffers()) params.add(b.cpu().toFloat().toFloatArray());
        return new Run(losses, params);
    }

    private static void compare(boolean cnn) {
        assumeTrue(emulated != null, "no CUDA emulator: " + EmulatedDevice.NO_COMPILER);
        Run cpu = train(Device.CPU, cnn);
        Run gpu = train(Device.CUDA, cnn);
        for (int i = 0; i < cpu.losses().size(); i++) {
            double a = cpu.losses().get(i), b = gpu.losses().get(i);
            assertTrue(Math.abs(a - b) <= 1e-5 * Math.abs(a), "step " + i + " loss: CPU " + a + ", CUDA " + b);
        }
        assertTrue(cpu.losses().get(3) < cpu.losses().get(0), "the loss falls: " + cpu.losses());
        assertEquals(cpu.params().size(), gpu.params().size());
        for (int p = 0; p < cpu.params().size(); p++) {
            float[] a = cpu.params().get(p), b = gpu.params().get(p);
            for (int i = 0; i < a.length; i++) {
                assertTrue(Math.abs(a[i] - b[i]) <= 1e-4f + 1e-4f * Math.abs(a[i]), "tensor " + p + " element " + i + ": CPU " + a[i] + ", CUDA " + b[i]);
            }
        }
    }

    @Test
    void mlpWithSgdMomentumTrainsTheSameOnTheGpu() { compare(false); }

    @Test
    void cnnWithBatchNormPoolingAndAdamTrainsTheSameOnTheGpu() { compare(true); }
}
