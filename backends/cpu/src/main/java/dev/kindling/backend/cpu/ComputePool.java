package dev.kindling.backend.cpu;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.function.IntConsumer;

/**
 * Where the CPU backend's parallel work runs: the JVM's common fork-join pool (shared with the application and owning no
 * threads of its own, so nothing outlives a bundle restart), split into at most {@link #threads()} contiguous chunks
 * with the calling thread doing the first one. Small work never leaves the calling thread: a hand-off costs
 * microseconds, which made a 64³ product five times slower when it was split.
 *
 * <p>The cap is the {@code threads} of the configuration {@code dev.kindling.cpu} ({@link CpuConfiguration}), changeable
 * while jobs run; without one, {@code -Dkindling.cpu.threads=N}, else the available processors.
 */
final class ComputePool {
    private ComputePool() {}

    /** Below this many multiply-adds (or element visits) per call the work stays on the calling thread. */
    static final long MIN_PARALLEL_WORK = 1L << 18;

    private static final int DEFAULT_THREADS = Math.max(1, Integer.getInteger("kindling.cpu.threads", Runtime.getRuntime().availableProcessors()));

    /** The configured cap, 0 for none. Set by the CPU backend's component and cleared when it goes away. */
    private static volatile int configured;

    static int threads() { return Math.min(cap(), ForkJoinPool.getCommonPoolParallelism() + 1); }

    /** The cap in force: the configured one, else the default. */
    static int cap() {
        int c = configured;
        return c > 0 ? c : DEFAULT_THREADS;
    }

    /** Caps the threads at {@code threads} (at least 1), or restores the default with 0. */
    static void configure(int threads) {
        if (threads < 0) throw new IllegalArgumentException("threads must be 0 (the default) or more, not " + threads);
        configured = threads;
    }

    /** Set while a thread runs a chunk, so work nested inside a chunk stays on that thread instead of oversubscribing. */
    private static final ThreadLocal<boolean[]> IN_CHUNK = ThreadLocal.withInitial(() -> new boolean[1]);

    /** Runs {@code body} for {@code 0..n-1}, in up to {@link #threads()} chunks when {@code n * workPerItem} pays for it. */
    static void parallelFor(int n, long workPerItem, IntConsumer body) {
        int t = chunksFor(n, (long) n * workPerItem);
        if (t <= 1) {
            for (int i = 0; i < n; i++) body.accept(i);
            return;
        }
        ranges(t, n, (c, lo, hi) -> {
            for (int i = lo; i < hi; i++) body.accept(i);
        });
    }

    /** One chunk of {@link #ranges}: chunk {@code c} covers {@code [lo, hi)}. */
    interface Range {
        void run(int c, int lo, int hi);
    }

    /** Splits {@code 0..n-1} into {@code chunks} contiguous ranges of near-equal length and runs them at once. */
    static void ranges(int chunks, int n, Range body) {
        run(chunks, c -> body.run(c, (int) ((long) n * c / chunks), (int) ((long) n * (c + 1) / chunks)));
    }

    /** Runs {@code tasks} tasks at once (task 0 on the calling thread) and waits for all of them. */
    static void run(int tasks, IntConsumer task) {
        if (tasks == 1) {
            task.accept(0);
            return;
        }
        ForkJoinTask<?>[] others = new ForkJoinTask<?>[tasks - 1];
        for (int c = 1; c < tasks; c++) {
            int id = c;
            others[c - 1] = ForkJoinPool.commonPool().submit(() -> inChunk(task, id));
        }
        try {
            inChunk(task, 0);
        } finally {
            for (ForkJoinTask<?> f : others) f.join();
        }
    }

    private static void inChunk(IntConsumer task, int id) {
        boolean[] flag = IN_CHUNK.get();
        boolean outer = flag[0];
        flag[0] = true;
        try {
            task.accept(id);
        } finally {
            flag[0] = outer;
        }
    }

    /** How many chunks {@code items} items of {@code totalWork} should be split into. */
    static int chunksFor(int items, long totalWork) {
        if (items < 2 || totalWork < MIN_PARALLEL_WORK || IN_CHUNK.get()[0]) return 1;
        return Math.min(items, threads());
    }
}
