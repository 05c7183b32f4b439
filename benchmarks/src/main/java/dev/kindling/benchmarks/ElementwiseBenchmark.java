package dev.kindling.benchmarks;

import dev.kindling.api.GradMode;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * Memory-bound ops on float32: elementwise (add, relu, a broadcast bias add) and reductions (full sum, the bias
 * gradient's sum over N, H, W). GB/s = bytes moved / time: add 12 bytes per element, relu 8, sum 4.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-XX:+IgnoreUnrecognizedVMOptions", "--add-modules=jdk.incubator.vector"})
public class ElementwiseBenchmark {
    /** Elements: 2^16 (in cache), 2^20, 2^24 (64 MiB per tensor). */
    @Param({"65536", "1048576", "16777216"})
    public long n;

    private Tensor a;
    private Tensor b;
    private Tensor act;
    private Tensor bias;
    private GradMode noGrad;

    @Setup
    public void setup() {
        Torch.manualSeed(0);
        a = Torch.randn(n);
        b = Torch.randn(n);
        act = Torch.randn(64, 32, 28, 28);
        bias = Torch.randn(1, 32, 1, 1);
        noGrad = Torch.noGrad();
    }

    @TearDown
    public void tearDown() { noGrad.close(); }

    @Benchmark
    public Tensor add() { return a.add(b); }

    @Benchmark
    public Tensor relu() { return a.relu(); }

    @Benchmark
    public Tensor sum() { return a.sum(); }

    /** [64, 32, 28, 28] + [1, 32, 1, 1]. */
    @Benchmark
    public Tensor biasAdd() { return act.add(bias); }

    /** Sum of [64, 32, 28, 28] over dims 0, 2, 3 (a convolution's bias gradient). */
    @Benchmark
    public Tensor channelSum() { return act.sum(new int[] {0, 2, 3}, false); }
}
