package dev.kindling.benchmarks;

import dev.kindling.api.GradMode;
import dev.kindling.api.Tensor;
import dev.kindling.api.Torch;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;

import java.util.concurrent.TimeUnit;

/**
 * Memory-bound ops on float32 (add, relu, full sum) at three sizes. GB/s = bytes moved / time: add 12 bytes per
 * element, relu 8, sum 4. The convolution's bias add and bias-gradient sum are in {@link LayerBenchmark}.
 */
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class ElementwiseBenchmark extends KindlingBenchmark {
    /** Elements: 2^16 (in cache), 2^20, 2^24 (64 MiB per tensor). */
    @Param({"65536", "1048576", "16777216"})
    public long n;

    private Tensor a;
    private Tensor b;
    private GradMode noGrad;

    @Setup
    public void setup() {
        Torch.manualSeed(0);
        a = Torch.randn(n);
        b = Torch.randn(n);
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
}
