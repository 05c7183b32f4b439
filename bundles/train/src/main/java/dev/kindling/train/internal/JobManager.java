package dev.kindling.train.internal;

import dev.kindling.kernel.Kernel;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The training jobs of this framework: numbered from 1, run one at a time in submission order on a background thread
 * (jobs share the default random generator, and on a CPU they would only compete for the same cores), the others
 * queued. The component is immediate, so the jobs outlive the (delayed) command component between commands. When it is
 * deactivated (the bundle stops, the framework shuts down) running jobs are stopped cleanly, each with a final
 * checkpoint, before it returns.
 */
@Component(service = JobManager.class, immediate = true)
public final class JobManager {
    /** How long deactivation waits for running jobs to write their final checkpoint. */
    static final long STOP_WAIT_MILLIS = 60_000;

    private final Map<Integer, TrainingJob> jobs = new ConcurrentSkipListMap<>();
    private final AtomicInteger ids = new AtomicInteger();
    private final ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "kindling-training-jobs");
        t.setDaemon(true);
        return t;
    });
    private volatile boolean closed;

    /** Queues a job; it starts when the jobs before it have ended. */
    synchronized TrainingJob submit(Kernel kernel, RunConfig config, DataPrep.Data data, Path out, Path resumeFrom, int startEpoch, boolean validated) {
        if (closed) throw new IllegalStateException("the training job manager has stopped");
        TrainingJob job = new TrainingJob(ids.incrementAndGet(), kernel, config, data, out, resumeFrom, startEpoch, validated);
        jobs.put(job.id(), job);
        executor.execute(job::run);
        return job;
    }

    List<TrainingJob> list() { return new ArrayList<>(jobs.values()); }

    /** A job by number, or an error that lists the jobs there are. */
    TrainingJob get(String idText) {
        int id;
        try {
            id = Integer.parseInt(idText.trim().replaceFirst("^#", ""));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + idText + "' is not a job number" + known());
        }
        TrainingJob j = jobs.get(id);
        if (j == null) throw new IllegalArgumentException("no training job " + id + known());
        return j;
    }

    private String known() {
        return jobs.isEmpty() ? " (no jobs yet: kindling:train starts one)" : " (jobs: " + String.join(", ", jobs.keySet().stream().map(String::valueOf).toList()) + ")";
    }

    /** Whether some job is queued or running. */
    boolean busy() {
        for (TrainingJob j : jobs.values()) if (!j.state().ended()) return true;
        return false;
    }

    /** The unfinished job that writes into {@code out}, or null. */
    TrainingJob writingTo(Path out) {
        Path o = out.toAbsolutePath().normalize();
        for (TrainingJob j : jobs.values()) if (!j.state().ended() && j.out().toAbsolutePath().normalize().equals(o)) return j;
        return null;
    }

    /** Stops running jobs cleanly (final checkpoints), cancels queued ones, and waits for them. */
    @Deactivate
    public void close() {
        closed = true;
        List<TrainingJob> pending = new ArrayList<>();
        for (TrainingJob j : jobs.values()) {
            if (!j.state().ended()) {
                j.requestStop(false);
                pending.add(j);
            }
        }
        executor.shutdown();
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(STOP_WAIT_MILLIS);
        try {
            for (TrainingJob j : pending) {
                long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (left <= 0 || !j.await(left)) break;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
