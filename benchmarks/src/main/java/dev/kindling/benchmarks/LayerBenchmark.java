package dev.kindling.benchmarks;

import dev.kindling.api.GradMode;
import dev.kindling.api.Tensor;
import dev.kindling.api.Torch;
import dev.kindling.nn.functional.F;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Setup;

import java.util.concurrent.TimeUnit;

/**
 * The CNN's layers at batch 64 on Fashion-MNIST shapes: convolutions (forward, forward + backward), max pooling, the
 * bias add and the bias gradient's sum over N, H, W.
 */
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class LayerBenchmark extends KindlingBenchmark {
    private Tensor image;
    private Tensor pooled1;
    private Tensor act1;
    private Tensor w1;
    private Tensor b1;
    private Tensor w2;
    private Tensor b2;
    private Tensor bias;

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
        bias = Torch.randn(1, 32, 1, 1);
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

    /** [64, 32, 28, 28] + [1, 32, 1, 1]. */
    @Benchmark
    public Tensor biasAdd() {
        try (GradMode g = Torch.noGrad()) {
            return act1.add(bias);
        }
    }

    /** Sum of [64, 32, 28, 28] over dims 0, 2, 3 (a convolution's bias gradient). */
    @Benchmark
    public Tensor channelSum() {
        try (GradMode g = Torch.noGrad()) {
            return act1.sum(new int[] {0, 2, 3}, false);
        }
    }
}
