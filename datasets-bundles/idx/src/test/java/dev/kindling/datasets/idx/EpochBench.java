package dev.kindling.datasets.idx;

import dev.kindling.api.Tensor;
import dev.kindling.data.Batch;
import dev.kindling.data.DataLoader;
import dev.kindling.data.Sample;
import dev.kindling.data.transforms.Compose;
import dev.kindling.data.transforms.Lambda;
import dev.kindling.data.transforms.Normalize;
import dev.kindling.data.transforms.ToTensor;

import java.nio.file.Path;
import java.util.Arrays;

/**
 * Wall time of one DataLoader epoch over Fashion-MNIST (60,000 images, batch 64, shuffle, ToTensor + Normalize).
 * Run with bench/epoch-bench.sh; arguments: [workers=2] [epochs=12] [root=/usr/share/datasets/fashion-mnist] [fast|generic].
 * The first epochs warm up the JIT; the report gives every epoch and the median of the second half.
 */
public final class EpochBench {
    public static void main(String[] args) {
        int workers = args.length > 0 ? Integer.parseInt(args[0]) : 2;
        int epochs = args.length > 1 ? Integer.parseInt(args[1]) : 12;
        Path root = Path.of(args.length > 2 ? args[2] : "/usr/share/datasets/fashion-mnist");
        // "generic" makes the transform start with an identity Lambda, so the reader's bytes-to-float fast path is off
        boolean generic = args.length > 3 && args[3].equals("generic");
        long t0 = System.nanoTime();
        IdxImageDataset ds = new IdxImageDataset(IdxImageDataset.Kind.FASHION_MNIST, root, true,
                generic ? new Compose<Tensor>(new Lambda<>(x -> x), new ToTensor(), new Normalize(new double[] {0.2860}, new double[] {0.3530}))
                        : new Compose<Tensor>(new ToTensor(), new Normalize(new double[] {0.2860}, new double[] {0.3530})), null);
        System.out.printf("load: %d samples in %.0f ms%n", ds.size(), (System.nanoTime() - t0) / 1e6);
        DataLoader<Sample> loader = DataLoader.builder(ds).batchSize(64).shuffle(true).seed(0).numWorkers(workers).build();
        double[] times = new double[epochs];
        for (int e = 0; e < epochs; e++) {
            long s = System.nanoTime();
            int batches = 0;
            long samples = 0;
            double check = 0;
            for (Batch b : loader) {
                batches++;
                samples += b.size();
                check += b.targets().toLongArray()[0];
            }
            times[e] = (System.nanoTime() - s) / 1e6;
            System.out.printf("epoch %2d: %4d batches, %d samples, %.1f ms (check %.0f)%n", e, batches, samples, times[e], check);
        }
        double[] tail = Arrays.copyOfRange(times, epochs / 2, epochs);
        Arrays.sort(tail);
        System.out.printf("workers=%d  median epoch (last %d): %.1f ms  best: %.1f ms  java %s, %d cpus%n", workers, tail.length,
                tail[tail.length / 2], tail[0], System.getProperty("java.version"), Runtime.getRuntime().availableProcessors());
    }
}
