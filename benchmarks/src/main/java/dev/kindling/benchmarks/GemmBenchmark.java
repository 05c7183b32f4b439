package dev.kindling.benchmarks;

import dev.kindling.api.Tensor;
import dev.kindling.api.Torch;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;

import java.util.concurrent.TimeUnit;

/**
 * float32 matrix products through {@code Tensor.mm}, square sizes 64–2048: GFLOPS = 2·n³ / time. The MLP's shapes are in
 * {@link MlpGemmBenchmark}. {@code -jvmArgsAppend -Dkindling.cpu.threads=1} measures one thread.
 */
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class GemmBenchmark extends KindlingBenchmark {
    @Param({"64", "128", "256", "512", "1024", "2048"})
    public int size;

    private Tensor a;
    private Tensor b;
    @Setup
    public void setup() {
        Torch.manualSeed(0);
        a = Torch.randn(size, size);
        b = Torch.randn(size, size);
    }

    @Benchmark
    public Tensor square() { return a.mm(b); }
}
