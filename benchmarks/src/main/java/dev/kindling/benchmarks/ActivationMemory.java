package dev.kindling.benchmarks;

import dev.kindling.api.AutocastMode;
import dev.kindling.api.DType;
import dev.kindling.api.Device;
import dev.kindling.api.Tensor;
import dev.kindling.api.Torch;
import dev.kindling.nn.CrossEntropyLoss;
import dev.kindling.nn.ModelSpec;
import dev.kindling.nn.Module;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;

/**
 * Heap held by one training step's autograd graph (the saved activations) at batch 64 on Fashion-MNIST shapes, in
 * float32 and under bfloat16 autocast: the retained heap after forward and loss, graph alive, minus the heap before.
 * Issue 14 asks for at most 0.6x of float32.
 * <pre>java -cp ... dev.kindling.benchmarks.ActivationMemory</pre>
 */
public final class ActivationMemory {
    private ActivationMemory() {}

    private static long usedAfterGc(MemoryMXBean mem) {
        long best = Long.MAX_VALUE;
        for (int i = 0; i < 5; i++) {
            System.gc();
            best = Math.min(best, mem.getHeapMemoryUsage().getUsed());
        }
        return best;
    }

    private static long graphBytes(Module model, Tensor x, Tensor y, boolean bf16) {
        MemoryMXBean mem = ManagementFactory.getMemoryMXBean();
        long before = usedAfterGc(mem);
        Tensor loss;
        try (AutocastMode ac = bf16 ? Torch.autocast(Device.CPU, DType.BFLOAT16) : null) {
            loss = new CrossEntropyLoss().forward(model.forward(x), y);
        }
        long after = usedAfterGc(mem);
        loss.backward(); // keeps the graph reachable until here
        return after - before;
    }

    public static void main(String[] args) {
        Torch.manualSeed(0);
        Tensor x = Torch.randn(64, 1, 28, 28);
        Tensor y = Torch.randint(0, 10, new long[] {64});
        for (String name : new String[] {"mlp", "cnn"}) {
            Module m = ModelSpec.fromJson(name.equals("mlp") ? FashionMnistTraining.MLP : FashionMnistTraining.CNN).build();
            graphBytes(m, x, y, false); // warm up both paths
            graphBytes(m, x, y, true);
            long fp32 = Long.MAX_VALUE, bf16 = Long.MAX_VALUE;
            for (int r = 0; r < 3; r++) {
                fp32 = Math.min(fp32, graphBytes(m, x, y, false));
                bf16 = Math.min(bf16, graphBytes(m, x, y, true));
            }
            System.out.printf("RESULT %s saved-graph heap: fp32 %.2f MiB, bf16-mixed %.2f MiB, ratio %.2f%n", name, fp32 / 1048576.0,
                    bf16 / 1048576.0, (double) bf16 / fp32);
        }
    }
}
