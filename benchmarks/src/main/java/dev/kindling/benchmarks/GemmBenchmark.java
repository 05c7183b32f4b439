package dev.kindling.benchmarks;

import dev.kindling.api.Tensor;
import dev.kindling.api.Torch;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * float32 matrix products through {@code Tensor.mm}: square sizes 64–2048 (GFLOPS = 2·n³ / time) and the shapes of the
 * MLP 784-256-10 at batch 64 (forward, and the weight gradient, which multiplies by a transposed view).
 * {@code -Dkindling.cpu.threads=1} (as a JMH {@code -jvmArgsAppend}) measures one thread.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-XX:+IgnoreUnrecognizedVMOptions", "--add-modules=jdk.incubator.vector"})
public class GemmBenchmark {
    @Param({"64", "128", "256", "512", "1024", "2048"})
    public int size;

    private Tensor a;
    private Tensor b;
    private Tensor x;
    private Tensor w1;
    private Tensor g1;
    private Tensor h;
    private Tensor w2;

    @Setup
    public void setup() {
        Torch.manualSeed(0);
        a = Torch.randn(size, size);
        b = Torch.randn(size, size);
        x = Torch.randn(64, 784);
        w1 = Torch.randn(256, 784);
        g1 = Torch.randn(64, 256);
        h = Torch.randn(64, 256);
        w2 = Torch.randn(10, 256);
    }

    @Benchmark
    public Tensor square() { return a.mm(b); }

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
