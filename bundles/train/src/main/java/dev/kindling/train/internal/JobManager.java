package dev.kindling.train.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kindling.kernel.Kernel;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The training jobs of this framework: numbered from 1, run one at a time in submission order on a background thread
 * (jobs share the default random generator, and on a CPU they would only compete for the same cores), the others
 * queued. The component is immediate, so the jobs outlive the (delayed) command component between commands.
 *
 * <p>When it is deactivated (the train bundle is updated or stopped, the framework shuts down) it suspends the jobs:
 * each running job ends at its next optimizer step with a checkpoint of its position in the epoch, queued ones are kept
 * as they are, and the list goes into a job registry in the bundle's data area ({@value #REGISTRY}). The next
 * activation (the new revision of the bundle, the next start) resumes them from there, in the same order, so a job
 * ends bit for bit as if it had never been interrupted. Framework property {@value #RESUME_PROPERTY}{@code =false}
 * keeps the registry for {@code kindling:resume} instead.
 *
 * <p>A job started with {@code --nproc N} holds the jobs thread while its N rank JVMs run (they use the cores); its
 * ranks suspend alike, each with its place in the epoch. Rank JVMs that do not end in time are killed: none outlives
 * the job manager.
 */
@Component(service = JobManager.class, immediate = true)
public final class JobManager {
    /** How long deactivation waits for running jobs to reach a step boundary and write their checkpoint. */
    static final long STOP_WAIT_MILLIS = 60_000;
    /** How long a resumed job waits for its dataset's provider (its bundle may start after this one). */
    static final long DATASET_WAIT_MILLIS = 30_000;
    static final String REGISTRY = "suspended-jobs.json";
    static final String REGISTRY_FORMAT = "kindling-suspended-jobs";
    static final String RESUME_PROPERTY = "kindling.train.resumeSuspended";

    private final Map<Integer, TrainingJob> jobs = new ConcurrentSkipListMap<>();
    private final AtomicInteger ids = new AtomicInteger();
    private final ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "kindling-training-jobs");
        t.setDaemon(true);
        return t;
    });
    /** The job registry file, or null: jobs are then suspended with their checkpoints but not resumed by themselves. */
    private final Path registry;
    private final List<String> resumeProblems = new CopyOnWriteArrayList<>();
    /** Registry entries read but not yet queued again: kept in the registry if this activation ends first. */
    private final List<Suspended> notYetResumed = new CopyOnWriteArrayList<>();

    /** A job registry entry: the run directory and the checkpoint to continue from (null: from the start). */
    private record Suspended(Path out, Path checkpoint) {}
    private volatile boolean closed;
    /** How the rank JVMs of {@code --nproc} jobs start. */
    private final RankLaunch rankLaunch;

    /** Without a job registry (tests, embedding): deactivation still suspends running jobs with a checkpoint. */
    public JobManager() { this(null, null, false, null); }

    @Activate
    public JobManager(@Reference(name = "kernel") Kernel kernel, BundleContext context) {
        this(kernel, context.getDataFile(REGISTRY).toPath(), !"false".equalsIgnoreCase(context.getProperty(RESUME_PROPERTY)), context);
    }

    /** With the job registry {@code registry}; resumes the jobs it lists when {@code resume}, else keeps them listed. */
    JobManager(Kernel kernel, Path registry, boolean resume) { this(kernel, registry, resume, null); }

    private JobManager(Kernel kernel, Path registry, boolean resume, BundleContext context) {
        this.registry = registry;
        this.rankLaunch = new RankLaunch(context);
        if (registry != null && Files.exists(registry)) readRegistry(kernel, resume);
    }

    /** How the ranks of {@code --nproc} jobs start: their class path and JVM options, and whether they can here. */
    RankLaunch rankLaunch() { return rankLaunch; }

    /** Queues a job; it starts when the jobs before it have ended. */
    synchronized TrainingJob submit(Kernel kernel, RunConfig config, DataPrep.Data data, Path out, Path resumeFrom, int startEpoch, boolean validated) {
        if (closed) throw new IllegalStateException("the training job manager has stopped");
        TrainingJob job = new TrainingJob(ids.incrementAndGet(), kernel, config, data, out, resumeFrom, startEpoch, validated,
                config.nproc > 0 ? rankLaunch : null);
        jobs.put(job.id(), job);
        executor.execute(job::run);
        return job;
    }

    List<TrainingJob> list() { return new ArrayList<>(jobs.values()); }

    /** Suspended jobs of an earlier activation that could not be resumed, each with the reason. */
    List<String> resumeProblems() { return List.copyOf(resumeProblems); }

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

    /**
     * Suspends running jobs at their next step boundary (each writes a mid-epoch checkpoint) and queued ones, waits for
     * them, and lists them in the job registry for the next activation.
     */
    @Deactivate
    public void close() {
        List<TrainingJob> pending = new ArrayList<>();
        synchronized (this) {
            closed = true;
            for (TrainingJob j : jobs.values()) {
                if (!j.state().ended()) {
                    j.requestSuspend();
                    pending.add(j);
                }
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
        } finally {
            // The rank JVMs of a job that did not reach a step boundary in time are not left behind.
            for (TrainingJob j : pending) if (!j.state().ended()) j.killRanks();
        }
        if (registry != null) writeRegistry(pending);
    }

    private void writeRegistry(List<TrainingJob> pending) {
        ObjectNode root = RunConfig.JSON.createObjectNode();
        root.put("format", REGISTRY_FORMAT).put("version", 1);
        ArrayNode list = root.putArray("jobs");
        List<Suspended> entries = new ArrayList<>(notYetResumed);
        for (TrainingJob j : pending) {
            // Left out: a job that ended meanwhile, or one that did not reach a step boundary in time.
            if (j.state() == TrainingJob.State.SUSPENDED) entries.add(new Suspended(j.out(), j.suspendedAt()));
        }
        for (Suspended s : entries) {
            ObjectNode e = list.addObject();
            e.put("out", s.out().toAbsolutePath().toString());
            e.put("checkpoint", s.checkpoint() == null ? null : s.checkpoint().toAbsolutePath().toString());
        }
        try {
            if (list.isEmpty()) {
                Files.deleteIfExists(registry);
            } else {
                Files.createDirectories(registry.getParent());
                RunConfig.writeJson(registry, root);
            }
        } catch (IOException e) {
            // Nothing is lost: every suspended job's checkpoint is in its run directory for kindling:resume.
            resumeProblems.add("cannot write the job registry " + registry + ": " + e.getMessage());
        }
    }

    /**
     * Queues the jobs the registry lists, each resumed from its checkpoint on the jobs thread, then forgets the
     * registry; without {@code resume} they stay listed (for kindling:resume) and are written back at deactivation.
     */
    private void readRegistry(Kernel kernel, boolean resume) {
        List<JsonNode> entries = new ArrayList<>();
        try {
            JsonNode root = RunConfig.JSON.readTree(Files.readAllBytes(registry));
            if (root == null || !REGISTRY_FORMAT.equals(root.path("format").asText())) throw new IOException("not a job registry");
            root.path("jobs").forEach(entries::add);
            Files.delete(registry);
        } catch (IOException e) {
            resumeProblems.add("cannot read the job registry " + registry + ": " + e.getMessage());
            return;
        }
        for (JsonNode e : entries) {
            Suspended s = new Suspended(Path.of(e.path("out").asText()), e.hasNonNull("checkpoint") ? Path.of(e.get("checkpoint").asText()) : null);
            notYetResumed.add(s);
            if (resume) executor.execute(() -> resume(kernel, s));
        }
    }

    private void resume(Kernel kernel, Suspended s) {
        if (closed) return; // still listed: the registry written at close keeps it
        Path out = s.out();
        Path checkpoint = s.checkpoint();
        try {
            RunConfig cfg = RunConfig.read(out.resolve(RunConfig.FILE));
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(DATASET_WAIT_MILLIS);
            while (kernel.datasets().find(cfg.dataset).isEmpty() && System.nanoTime() < deadline) Thread.sleep(50);
            DataPrep.Data data = RunSetup.data(kernel, cfg);
            int start = checkpoint == null ? 0 : ModelFiles.checkpointInfo(checkpoint).epoch() + 1;
            synchronized (this) {
                if (closed) return;
                submit(kernel, cfg, data, out, checkpoint, start, false);
                notYetResumed.remove(s);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            notYetResumed.remove(s);
            resumeProblems.add("cannot resume the suspended job in " + out + ": " + Text.message(e) + " (kindling:resume " + out + " continues it)");
        }
    }
}
