package dev.kindling.benchmarks;

import dev.kindling.api.Tensor;
import dev.kindling.api.Torch;
import dev.kindling.jit.Jit;
import dev.kindling.jit.TracedModule;
import dev.kindling.nn.Conv2d;
import dev.kindling.nn.Flatten;
import dev.kindling.nn.Linear;
import dev.kindling.nn.MaxPool2d;
import dev.kindling.nn.Module;
import dev.kindling.nn.ReLU;
import dev.kindling.nn.Sequential;
import dev.kindling.onnx.ExportOptions;
import dev.kindling.onnx.Onnx;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.Warmup;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Tracing and ONNX export of a ~10 M-parameter CNN (issue 13's goal: both within 2 s on 2 cores): a trace at fixed
 * sizes, and an export with a dynamic batch axis, which traces twice, checks the trace at a third size and writes the
 * 39 MB of initializers.
 */
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 5, time = 1)
public class ExportBenchmark extends KindlingBenchmark {
    private Module cnn;
    private Tensor image;

    @Setup
    public void setup() {
        Torch.manualSeed(0);
        cnn = new Sequential(new Conv2d(3, 64, 3, 1, 1), new ReLU(), new Conv2d(64, 128, 3, 1, 1), new ReLU(), new MaxPool2d(2),
                new Conv2d(128, 256, 3, 1, 1), new ReLU(), new MaxPool2d(2), new Flatten(), new Linear(256 * 8 * 8, 600), new ReLU(), new Linear(600, 10));
        cnn.eval();
        image = Torch.randn(1, 3, 32, 32);
        long params = cnn.parameters().stream().mapToLong(Tensor::numel).sum();
        if (params < 9_500_000) throw new IllegalStateException("the benchmark CNN has " + params + " parameters, meant ~10 M");
    }

    @Benchmark
    public TracedModule traceStatic() { return Jit.trace(cnn, image); }

    @Benchmark
    public byte[] traceAndExportDynamicBatch() {
        return Onnx.toBytes(cnn, new Tensor[] {image}, ExportOptions.builder().inputNames("x").dynamicAxes(Map.of("x", Map.of(0, "batch"))).build());
    }

    @Benchmark
    public byte[] exportTraced(TracedState s) { return Onnx.toBytes(s.traced); }

    /** A trace made once, for the export alone. */
    @org.openjdk.jmh.annotations.State(org.openjdk.jmh.annotations.Scope.Benchmark)
    public static class TracedState {
        TracedModule traced;

        @Setup
        public void setup(ExportBenchmark b) {
            b.setup();
            traced = Jit.trace(b.cnn, new Tensor[] {b.image}, List.of("x"), List.of(), Map.of("x", Map.of(0, "batch")));
        }
    }
}
