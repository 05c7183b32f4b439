package dev.kindling.benchmarks;

import dev.kindling.api.Tensor;
import dev.kindling.api.Torch;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Setup;

import java.util.concurrent.TimeUnit;

/**
 * The matrix products of the MLP 784-256-10 at batch 64: the forward passes and the first layer's weight gradient,
 * which multiplies by a transposed view (packed without a copy).
 */
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class MlpGemmBenchmark extends KindlingBenchmark {
    private Tensor x;
    private Tensor w1;
    private Tensor g1;
    private Tensor h;
    private Tensor w2;

    @Setup
    public void setup() {
        Torch.manualSeed(0);
        x = Torch.randn(64, 784);
        w1 = Torch.randn(256, 784);
        g1 = Torch.randn(64, 256);
        h = Torch.randn(64, 256);
        w2 = Torch.randn(10, 256);
    }

    /** x [64, 784] · w1ᵀ: the first Linear's forward. */
    @Benchmark
    public Tensor mlpLayer1Forward() { return x.mm(w1.t()); }

    /** gradᵀ [256, 64] · x [64, 784]: the first Linear's weight gradient. */
    @Benchmark
    public Tensor mlpLayer1WeightGrad() { return g1.t().mm(x); }

    /** h [64, 256] · w2ᵀ: the second Linear's forward. */
    @Benchmark
    public Tensor mlpLayer2Forward() { return h.mm(w2.t()); }
}
