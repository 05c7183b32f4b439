package dev.kindling.benchmarks;

import dev.kindling.api.GradMode;
import dev.kindling.api.Tensor;
import dev.kindling.api.Torch;
import dev.kindling.nn.functional.F;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/** The CNN's layers at batch 64 on Fashion-MNIST shapes: convolutions (forward, forward + backward) and max pooling. */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-XX:+IgnoreUnrecognizedVMOptions", "--add-modules=jdk.incubator.vector"})
public class LayerBenchmark {
    private Tensor image;
    private Tensor pooled1;
    private Tensor act1;
    private Tensor w1;
    private Tensor b1;
    private Tensor w2;
    private Tensor b2;

    @Setup
    public void setup() {
        Torch.manualSeed(0);
        image = Torch.randn(64, 1, 28, 28);
        pooled1 = Torch.randn(64, 32, 14, 14);
        act1 = Torch.randn(64, 32, 28, 28);
        w1 = Torch.randn(32, 1, 3, 3).requiresGrad_(true);
        b1 = Torch.randn(32).requiresGrad_(true);
        w2 = Torch.randn(64, 32, 3, 3).requiresGrad_(true);
        b2 = Torch.randn(64).requiresGrad_(true);
    }

    /** conv(1→32, 3, padding 1) on [64, 1, 28, 28]. */
    @Benchmark
    public Tensor conv1Forward() {
        try (GradMode g = Torch.noGrad()) {
            return F.conv2d(image, w1, b1, 1, 1);
        }
    }

    /** conv(32→64, 3, padding 1) on [64, 32, 14, 14]. */
    @Benchmark
    public Tensor conv2Forward() {
        try (GradMode g = Torch.noGrad()) {
            return F.conv2d(pooled1, w2, b2, 1, 1);
        }
    }

    /** conv2 forward and backward (weight, bias and input gradients). */
    @Benchmark
    public Tensor conv2ForwardBackward() {
        Tensor in = pooled1.detach().requiresGrad_(true);
        w2.setGrad(null);
        b2.setGrad(null);
        F.conv2d(in, w2, b2, 1, 1).sum().backward();
        return in.grad();
    }

    /** 2x2 max pooling of [64, 32, 28, 28]. */
    @Benchmark
    public Tensor maxPool() {
        try (GradMode g = Torch.noGrad()) {
            return F.maxPool2d(act1, 2);
        }
    }
}
