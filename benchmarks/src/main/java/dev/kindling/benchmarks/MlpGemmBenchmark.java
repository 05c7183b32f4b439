package dev.kindling.benchmarks;

import dev.kindling.api.Tensor;
import dev.kindling.api.Torch;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Setup;

import java.util.concurrent.TimeUnit;

/**
 * The matrix products of the MLP 784-256-10 at batch 64: the forward passes and the first layer's weight gradient,
 * which multiplies by a transposed view (packed without a copy). And the backward products of the data-parallel
 * benchmark's MLP 784-512-512-10 (DdpScaling), which the packing SGEMM takes; {@code benchmarks/pytorch_mm_shapes.py}
 * times the same products in PyTorch on one thread. Run with {@code -Dkindling.cpu.threads=1} to compare them, and
 * with {@code -Dkindling.cpu.sgemmKernel=4x16} for the micro-kernel of CPUs without AVX-512's registers.
 */
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class MlpGemmBenchmark extends KindlingBenchmark {
    private Tensor x;
    private Tensor w1;
    private Tensor g1;
    private Tensor h;
    private Tensor w2;
    private Tensor g512;
    private Tensor h512;
    private Tensor w512;

    @Setup
    public void setup() {
        Torch.manualSeed(0);
        x = Torch.randn(64, 784);
        w1 = Torch.randn(256, 784);
        g1 = Torch.randn(64, 256);
        h = Torch.randn(64, 256);
        w2 = Torch.randn(10, 256);
        g512 = Torch.randn(64, 512);
        h512 = Torch.randn(64, 512);
        w512 = Torch.randn(512, 512);
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

    /** grad [64, 512] · w [512, 512]: the 512-wide hidden layer's input gradient (k = 512 in two blocks). */
    @Benchmark
    public Tensor wideInputGrad() { return g512.mm(w512); }

    /** gradᵀ [512, 64] · x [64, 784]: the 784-512 layer's weight gradient (k = 64, one block). */
    @Benchmark
    public Tensor wideLayer1WeightGrad() { return g512.t().mm(x); }

    /** gradᵀ [512, 64] · h [64, 512]: the 512-512 layer's weight gradient. */
    @Benchmark
    public Tensor wideLayer2WeightGrad() { return g512.t().mm(h512); }
}
