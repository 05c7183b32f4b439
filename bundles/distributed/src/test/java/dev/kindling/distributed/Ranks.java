package dev.kindling.distributed;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;

/** Runs a body once per rank, each on its own thread, and collects what each returned or threw. */
final class Ranks {
    private Ranks() {}

    record Outcome<T>(T value, Throwable error) {
        T get() {
            if (error != null) throw new AssertionError("a rank failed: " + error, error);
            return value;
        }
    }

    static <T> List<Outcome<T>> run(int n, IntFunction<T> body) {
        ExecutorService pool = Executors.newFixedThreadPool(n);
        try {
            List<Future<T>> futures = new ArrayList<>();
            for (int r = 0; r < n; r++) {
                int rank = r;
                futures.add(pool.submit(() -> body.apply(rank)));
            }
            List<Outcome<T>> out = new ArrayList<>();
            for (Future<T> f : futures) {
                try {
                    out.add(new Outcome<>(f.get(60, TimeUnit.SECONDS), null));
                } catch (ExecutionException e) {
                    out.add(new Outcome<>(null, e.getCause()));
                } catch (Exception e) {
                    throw new AssertionError("a rank hung or was interrupted", e);
                }
            }
            return out;
        } finally {
            pool.shutdownNow();
        }
    }

    static <T> List<T> values(List<Outcome<T>> outcomes) { return outcomes.stream().map(Outcome::get).toList(); }

    /** A local group of {@code n} ranks on {@code store}. */
    static ProcessGroup local(Store store, int rank, int n) {
        return Dist.newProcessGroup(InitOptions.builder().backend("local").store(store).rank(rank).worldSize(n)
                .timeout(Duration.ofSeconds(20)).build());
    }
}
