package dev.kindling.benchmarks;

import dev.kindling.api.Tensor;
import dev.kindling.api.Torch;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Setup;

import java.util.concurrent.TimeUnit;

/**
 * Dispatch and autograd bookkeeping overhead: PyTorch on this machine kind takes ~3.3 µs for an add of two 1-element
 * tensors and ~90 µs for forward + backward of a 3-op scalar graph (../shared/notes/cpu-performance.md).
 */
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class AutogradBenchmark extends KindlingBenchmark {
    private Tensor a;
    private Tensor b;
    private Tensor c;
    private Tensor x;
    private Tensor w1;
    private Tensor b1;
    private Tensor w2;
    private Tensor b2;

    @Setup
    public void setup() {
        Torch.manualSeed(0);
        a = Torch.rand(1).requiresGrad_(true);
        b = Torch.rand(1).requiresGrad_(true);
        c = Torch.rand(1).requiresGrad_(true);
        x = Torch.rand(64, 784);
        w1 = Torch.randn(784, 256).mul(0.05).requiresGrad_(true);
        b1 = Torch.zeros(256).requiresGrad_(true);
        w2 = Torch.randn(256, 10).mul(0.05).requiresGrad_(true);
        b2 = Torch.zeros(10).requiresGrad_(true);
    }

    /** Add of two 1-element tensors, no grad recording (per-op dispatch overhead). */
    @Benchmark
    public Tensor addOneElement() {
        try (var g = Torch.noGrad()) {
            return a.add(b);
        }
    }

    /** Forward + backward of a 3-op graph on 1-element tensors: tanh(a * b + c). */
    @Benchmark
    public Tensor threeOpForwardBackward() {
        a.setGrad(null);
        b.setGrad(null);
        c.setGrad(null);
        Tensor y = a.mul(b).add(c).tanh();
        y.backward();
        return a.grad();
    }

    /** One MLP 784-256-10 forward + backward on a batch of 64 (no optimizer step). */
    @Benchmark
    public Tensor mlpForwardBackward() {
        w1.setGrad(null);
        b1.setGrad(null);
        w2.setGrad(null);
        b2.setGrad(null);
        Tensor logits = x.matmul(w1).add(b1).relu().matmul(w2).add(b2);
        logits.logSoftmax(1).mean().neg().backward();
        return w1.grad();
    }
}
