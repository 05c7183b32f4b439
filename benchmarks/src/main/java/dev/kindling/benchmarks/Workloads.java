package dev.kindling.benchmarks;

import dev.kindling.api.Generator;
import dev.kindling.api.GradMode;
import dev.kindling.api.Tensor;
import dev.kindling.api.Torch;
import dev.kindling.data.DataLoader;
import dev.kindling.data.Sample;
import dev.kindling.data.transforms.Compose;
import dev.kindling.data.transforms.Normalize;
import dev.kindling.data.transforms.ToTensor;
import dev.kindling.datasets.FashionMNIST;
import dev.kindling.nn.CrossEntropyLoss;
import dev.kindling.nn.ModelSpec;
import dev.kindling.nn.Module;
import dev.kindling.optim.Adam;
import dev.kindling.optim.Optimizer;
import dev.kindling.optim.SGD;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.DoubleSupplier;

/**
 * The workloads of the performance table, each measured in-process after a warm-up, one per JVM run so the
 * comparison script can alternate Kindling and PyTorch ({@code benchmarks/pytorch_workloads.py} is the same list in
 * PyTorch). Prints {@code RESULT <workload> <value> <unit> [gc=<share of wall time>]}, the median of the timed rounds.
 *
 * <pre>java -cp ... dev.kindling.benchmarks.Workloads WORKLOAD [ROUNDS]</pre>
 */
public final class Workloads {
    private Workloads() {}

    static final double WARMUP_SECONDS = 3;

    public static final List<String> ALL = List.of("mlp_train", "cnn_train", "mlp_infer", "sgemm1024", "add1", "graph3",
            "add_large", "relu_large", "sum_large");

    public static void main(String[] args) {
        if (args.length == 0 || !ALL.contains(args[0])) {
            System.err.println("usage: Workloads " + String.join("|", ALL) + " [ROUNDS]");
            System.exit(2);
        }
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        String w = args[0];
        Torch.manualSeed(0);
        switch (w) {
            case "mlp_train": report(w, "samples/s", rounds, training(false)); break;
            case "cnn_train": report(w, "samples/s", rounds, training(true)); break;
            case "mlp_infer": report(w, "samples/s", rounds, inference()); break;
            case "sgemm1024": report(w, "GFLOPS", rounds, sgemm(1024)); break;
            case "add1": report(w, "us/op", rounds, addOne()); break;
            case "graph3": report(w, "us/op", rounds, graph3()); break;
            case "add_large": report(w, "GB/s", rounds, large("add")); break;
            case "relu_large": report(w, "GB/s", rounds, large("relu")); break;
            default: report(w, "GB/s", rounds, large("sum"));
        }
    }

    /**
     * Warm-up rounds for at least {@link #WARMUP_SECONDS} (the Vector API kernels reach steady state only after C2 has
     * compiled them, about a second in), then {@code rounds} timed ones; prints the median and the GC share of the timed
     * wall time.
     */
    private static void report(String name, String unit, int rounds, DoubleSupplier round) {
        long warmEnd = System.nanoTime() + (long) (WARMUP_SECONDS * 1e9);
        int warm = 0;
        while (warm < 2 || System.nanoTime() < warmEnd) {
            round.getAsDouble();
            warm++;
        }
        double[] v = new double[rounds];
        long gc0 = gcMillis(), t0 = System.nanoTime();
        for (int i = 0; i < rounds; i++) v[i] = round.getAsDouble();
        double wallMs = (System.nanoTime() - t0) / 1e6;
        double gcShare = (gcMillis() - gc0) / wallMs;
        Arrays.sort(v);
        System.out.printf(Locale.ROOT, "RESULT %s %.4f %s gc=%.3f rounds=%s%n", name, v[rounds / 2], unit, gcShare, Arrays.toString(v));
    }

    private static long gcMillis() {
        long t = 0;
        for (GarbageCollectorMXBean b : ManagementFactory.getGarbageCollectorMXBeans()) t += Math.max(0, b.getCollectionTime());
        return t;
    }

    /** Fashion-MNIST as one normalised [n, 1, 28, 28] tensor and its labels, as the PyTorch side holds them. */
    static Tensor[] fashion(boolean train) {
        var tf = new Compose<>(new ToTensor(), new Normalize(new double[] {0.2860}, new double[] {0.3530}));
        DataLoader<Sample> loader = DataLoader.builder(new FashionMNIST(train, tf)).batchSize(10000).build();
        List<Tensor> xs = new ArrayList<>(), ys = new ArrayList<>();
        for (var b : loader) {
            xs.add(b.inputs());
            ys.add(b.targets());
        }
        return new Tensor[] {Torch.cat(xs, 0), Torch.cat(ys, 0)};
    }

    /** Samples/s of a training round: 150 steps of batch 64 drawn from a shuffled Fashion-MNIST (MLP: SGD momentum; CNN: Adam). */
    private static DoubleSupplier training(boolean cnn) {
        Tensor[] data = fashion(true);
        Module model = ModelSpec.fromJson(cnn ? FashionMnistTraining.CNN : FashionMnistTraining.MLP).build();
        Optimizer opt = cnn ? new Adam(model.parameters(), 1e-3) : SGD.builder(model.parameters()).lr(0.01).momentum(0.9).build();
        CrossEntropyLoss lossFn = new CrossEntropyLoss();
        Generator g = new Generator(0);
        int steps = cnn ? 40 : 150;
        long n = data[0].size(0);
        return () -> {
            Tensor perm = Torch.randperm(n, g);
            long t0 = System.nanoTime();
            for (int s = 0; s < steps; s++) {
                Tensor idx = perm.narrow(0, (long) s * 64, 64);
                Tensor x = data[0].indexSelect(0, idx), y = data[1].indexSelect(0, idx);
                opt.zeroGrad();
                lossFn.forward(model.forward(x), y).backward();
                opt.step();
            }
            return steps * 64 / ((System.nanoTime() - t0) / 1e9);
        };
    }

    /** Samples/s of the MLP's forward pass over the 10,000 test images in batches of 1,000, without grad. */
    private static DoubleSupplier inference() {
        Tensor[] data = fashion(false);
        Module model = ModelSpec.fromJson(FashionMnistTraining.MLP).build();
        model.eval();
        return () -> {
            long t0 = System.nanoTime();
            try (GradMode ignored = Torch.noGrad()) {
                for (long s = 0; s < 10000; s += 1000) model.forward(data[0].narrow(0, s, 1000)).argmax(1, false);
            }
            return 10000 / ((System.nanoTime() - t0) / 1e9);
        };
    }

    private static DoubleSupplier sgemm(int size) {
        Tensor a = Torch.randn(size, size), b = Torch.randn(size, size);
        return () -> {
            int reps = 10;
            long t0 = System.nanoTime();
            for (int i = 0; i < reps; i++) a.mm(b);
            return 2.0 * size * size * size * reps / ((System.nanoTime() - t0) / 1e9) / 1e9;
        };
    }

    private static DoubleSupplier addOne() {
        Tensor a = Torch.rand(1), b = Torch.rand(1);
        return () -> {
            int reps = 200_000;
            long t0 = System.nanoTime();
            try (GradMode ignored = Torch.noGrad()) {
                for (int i = 0; i < reps; i++) a.add(b);
            }
            return (System.nanoTime() - t0) / 1e3 / reps;
        };
    }

    /** Forward + backward of tanh(a * b + c) on 1-element tensors. */
    private static DoubleSupplier graph3() {
        Tensor a = Torch.rand(1).requiresGrad_(true), b = Torch.rand(1).requiresGrad_(true), c = Torch.rand(1).requiresGrad_(true);
        return () -> {
            int reps = 50_000;
            long t0 = System.nanoTime();
            for (int i = 0; i < reps; i++) {
                a.setGrad(null);
                b.setGrad(null);
                c.setGrad(null);
                a.mul(b).add(c).tanh().backward();
            }
            return (System.nanoTime() - t0) / 1e3 / reps;
        };
    }

    /** GB/s moved by an op over 2^24 float32 elements (64 MiB per tensor, far beyond the caches). */
    private static DoubleSupplier large(String op) {
        long n = 1L << 24;
        Tensor a = Torch.randn(n), b = Torch.randn(n);
        double bytesPerElement = op.equals("add") ? 12 : op.equals("relu") ? 8 : 4;
        return () -> {
            int reps = 10;
            long t0 = System.nanoTime();
            try (GradMode ignored = Torch.noGrad()) {
                for (int i = 0; i < reps; i++) {
                    if (op.equals("add")) a.add(b);
                    else if (op.equals("relu")) a.relu();
                    else a.sum();
                }
            }
            return bytesPerElement * n * reps / ((System.nanoTime() - t0) / 1e9) / 1e9;
        };
    }
}
