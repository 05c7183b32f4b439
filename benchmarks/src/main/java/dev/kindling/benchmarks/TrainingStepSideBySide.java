package dev.kindling.benchmarks;

import java.util.Arrays;
import java.util.function.Supplier;

/**
 * {@link TrainingStepBenchmark}'s steps, fp32 and bf16-mixed interleaved in one JVM: rounds alternate the two
 * precisions, so load from other processes on a shared machine falls on both alike (JMH measures one after the other,
 * and on a busy 2-core machine its errors exceed the difference). Prints each step's median and quartiles and the
 * bf16-mixed/fp32 ratio of medians, the figure issue 14 bounds by 1.15.
 * Run: {@code java --add-modules=jdk.incubator.vector -cp ... dev.kindling.benchmarks.TrainingStepSideBySide [rounds]}.
 */
public final class TrainingStepSideBySide {
    private TrainingStepSideBySide() {}

    public static void main(String[] args) {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 40;
        TrainingStepBenchmark fp32 = state("fp32"), bf16 = state("bf16-mixed");
        compare("mlpSgdMomentum", rounds, 20, fp32::mlpSgdMomentum, bf16::mlpSgdMomentum);
        compare("cnnAdam", rounds, 2, fp32::cnnAdam, bf16::cnnAdam);
    }

    private static TrainingStepBenchmark state(String precision) {
        TrainingStepBenchmark b = new TrainingStepBenchmark();
        b.precision = precision;
        b.setup();
        return b;
    }

    private static void compare(String name, int rounds, int stepsPerRound, Supplier<?> fp32, Supplier<?> bf16) {
        // warm-up: the JIT compiles both paths (the first Vector API calls are slow for about a second)
        long until = System.nanoTime() + 8_000_000_000L;
        while (System.nanoTime() < until) {
            fp32.get();
            bf16.get();
        }
        double[] a = new double[rounds], b = new double[rounds];
        for (int r = 0; r < rounds; r++) {
            // alternate which goes first, so neither always follows the other's garbage
            boolean fpFirst = r % 2 == 0;
            if (fpFirst) a[r] = time(fp32, stepsPerRound);
            b[r] = time(bf16, stepsPerRound);
            if (!fpFirst) a[r] = time(fp32, stepsPerRound);
        }
        Arrays.sort(a);
        Arrays.sort(b);
        System.out.printf("%-15s fp32 %8.3f ms (q1 %.3f, q3 %.3f)   bf16-mixed %8.3f ms (q1 %.3f, q3 %.3f)   ratio of medians %.2f%n", name,
                q(a, 0.5), q(a, 0.25), q(a, 0.75), q(b, 0.5), q(b, 0.25), q(b, 0.75), q(b, 0.5) / q(a, 0.5));
    }

    /** Mean milliseconds per step over {@code n} consecutive steps. */
    private static double time(Supplier<?> step, int n) {
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) step.get();
        return (System.nanoTime() - t0) / 1e6 / n;
    }

    private static double q(double[] sorted, double p) { return sorted[(int) Math.round(p * (sorted.length - 1))]; }
}
