package dev.kindling.train.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kindling.api.spi.TensorRuntimes;
import dev.kindling.distributed.gloo.jni.GlooNative;
import dev.kindling.io.Models;
import dev.kindling.kernel.Kernel;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@code kindling:train --nproc N}: its checks, and real runs of 2 rank JVMs over gloo on tiny iris jobs (seconds each;
 * skipped, saying why, where gloo's natives are not built).
 */
class NprocTest {
    @TempDir
    Path dir;

    private final Kernel kernel = (Kernel) TensorRuntimes.get();
    private JobManager jobs = new JobManager();
    private TrainCommand train = new TrainCommand(kernel, jobs);
    private JobCommands jobCommands = new JobCommands(jobs);
    private final ByteArrayOutputStream printed = new ByteArrayOutputStream();

    @BeforeAll
    static void fastRankJvms() {
        // tiny jobs: a quick start matters more than compiled speed
        System.setProperty(RankLaunch.JVM_ARGS_PROPERTY, "-Xmx256m -XX:TieredStopAtLevel=1");
    }

    @AfterAll
    static void clear() { System.clearProperty(RankLaunch.JVM_ARGS_PROPERTY); }

    @AfterEach
    void noRankOutlivesItsJob() throws InterruptedException {
        jobs.close();
        long end = System.currentTimeMillis() + 5000;
        while (ProcessHandle.current().descendants().findAny().isPresent() && System.currentTimeMillis() < end) Thread.sleep(20);
        assertEquals(List.of(), ProcessHandle.current().descendants().map(p -> p.pid() + " " + p.info().commandLine().orElse("")).toList(),
                "rank JVMs left behind");
    }

    private Console console() { return new Console(new PrintStream(printed, true, StandardCharsets.UTF_8), false, dir); }

    private String error(String... args) {
        return assertThrows(IllegalArgumentException.class, () -> train.train(console(), args)).getMessage();
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("timed out waiting for " + what);
            Thread.sleep(10);
        }
    }

    private static void assumeGloo() {
        if (GlooNative.unavailableReason() != null) System.out.println("[kindling-train] --nproc runs skipped: " + GlooNative.unavailableReason());
        assumeTrue(GlooNative.unavailableReason() == null, "--nproc runs skipped: " + GlooNative.unavailableReason());
    }

    private static JsonNode json(Path f) throws IOException { return RunConfig.JSON.readTree(Files.readAllBytes(f)); }

    static void assertPortFree(int port) {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress("127.0.0.1", port));
        } catch (IOException e) {
            throw new AssertionError("port " + port + " is still bound", e);
        }
    }

    @Test
    void badNprocValuesAndConflictingOptionsAreNamedBeforeAnythingStarts() {
        for (String bad : List.of("0", "-2", "two", "1.5", "")) {
            String e = error("iris", "mlp", "--nproc", bad);
            assertTrue(e.contains("kindling:train: --nproc takes the number of ranks to start, a whole number >= 1, got '" + bad + "'"), e);
        }
        assertTrue(error("iris", "mlp", "--max-restarts", "1").contains("--max-restarts restarts the ranks of a data-parallel job: it needs --nproc N"));
        assertTrue(error("iris", "mlp", "--nproc", "2", "--max-restarts", "x").contains("--max-restarts must be an integer >= 0, got 'x'"));
        String e = error("iris", "mlp", "--nproc", "2", "--device", "cuda:1");
        assertTrue(e.contains("--nproc 2 with --device cuda:1 would put all 2 ranks on one GPU; give --device cuda (rank r trains on cuda:r) or --nproc 1"), e);
        if (kernel.devices().stream().noneMatch(d -> d.type().equals("cuda"))) {
            e = error("iris", "mlp", "--nproc", "2", "--device", "cuda");
            assertTrue(e.contains("--nproc 2 with --device cuda needs 2 GPUs (one per rank, cuda:0 to cuda:1); this machine has 0"), e);
        }
        assertTrue(error("iris", "mlp", "--nproc", "2", "--nproc", "3").contains("option --nproc is given twice"));
        assertTrue(jobs.list().isEmpty(), "no job was started");
        assertTrue(jobs.rankLaunch().problem("nosuch").startsWith("no 'nosuch' process-group backend is installed"), jobs.rankLaunch().problem("nosuch"));
        if (GlooNative.unavailableReason() == null) {
            e = error("iris", "mlp", "--nproc", "121"); // iris: 120 training samples
            assertTrue(e.contains("--nproc 121: the training set has only 120 samples, fewer than the ranks that share it"), e);
        } else {
            e = error("iris", "mlp", "--nproc", "2");
            assertTrue(e.contains("--nproc 2 cannot start ranks here: the gloo backend is unavailable here: "), e);
        }
        assertTrue(train.train(console(), "--help").contains("--nproc N"));
    }

    @Test
    void twoRanksTrainAsOneJobWithEqualParametersAndResumeBitForBitAfterASuspendOrAKilledRank() throws Exception {
        assumeGloo();
        long t0 = System.nanoTime();
        String done = train.train(console(), "iris", "mlp", "--epochs", "4", "--batch-size", "8", "--nproc", "2", "--out", "ref", "--wait");
        double refSeconds = (System.nanoTime() - t0) / 1e9;
        assertTrue(done.startsWith("job 1 completed in "), done + "\n" + printed);
        assertTrue(done.contains("all 2 ranks ended with the same parameters (SHA-256 "), done);
        assertTrue(printed.toString().contains("data-parallel: 2 ranks, each a JVM of its own (DistributedDataParallel over gloo; batch size 8 per rank, 16 in all)"),
                printed.toString());
        assertTrue(printed.toString().contains("epoch 4/4  loss"), printed.toString());
        Path ref = dir.resolve("ref");
        TrainingJob job = jobs.get("1");
        String sha = job.paramsSha256();
        assertNotNull(sha);
        assertEquals(sha, RankMain.sha256(Models.load(ref.resolve("model.safetensors"))), "rank 0 saved the parameters all ranks ended with");
        JsonNode summary = json(ref.resolve("summary.json"));
        assertEquals("completed", summary.get("state").asText());
        assertEquals(2, summary.path("distributed").path("nproc").asInt());
        assertEquals(sha, summary.path("distributed").path("params_sha256").asText());
        assertTrue(summary.get("test_accuracy").asDouble() > 0.5, summary.toString());
        assertEquals(2, RunConfig.read(ref.resolve("run.json")).nproc);
        // rank 0 alone writes checkpoints and logs: one metrics line per epoch
        assertEquals(5, Files.readAllLines(ref.resolve("logs/metrics.csv")).size());
        assertEquals("epoch-0004", Files.readString(ref.resolve("checkpoints/latest")).trim());
        assertTrue(Files.exists(ref.resolve("logs/rank-0.log")) && Files.exists(ref.resolve("logs/rank-1.log")));
        String table = jobCommands.jobs(null);
        assertTrue(table.contains("job 1: 2 rank JVMs over gloo, rendezvous at 127.0.0.1:"), table);
        assertTrue(table.lines().filter(l -> l.matches("\\s+[01]\\s+\\d+\\s+completed\\s+4/4\\s+.*")).count() == 2, table);
        System.out.printf("[kindling-train] 2 rank JVMs, iris 4 epochs: %.1f s%n", refSeconds);

        // Suspended (the train bundle stops) inside epoch 2, then resumed by the next job manager: the same parameters.
        Path registry = dir.resolve("registry.json");
        jobs.close();
        jobs = new JobManager(kernel, registry, true);
        train = new TrainCommand(kernel, jobs);
        train.train(console(), "iris", "mlp", "--epochs", "4", "--batch-size", "8", "--nproc", "2", "--out", "susp");
        TrainingJob s = jobs.get("1");
        await(() -> s.progress() != null && s.progress().epoch() == 1 && s.progress().batch() >= 2, "epoch 2 under way");
        jobs.close();
        assertEquals(TrainingJob.State.SUSPENDED, s.state(), String.valueOf(s.errorMessage()));
        Path step = s.suspendedAt();
        assertTrue(step.getFileName().toString().startsWith("step-"), step.toString());
        assertTrue(Files.exists(RankMain.rankDirectory(dir.resolve("susp/checkpoints"), 1).resolve(step.getFileName()).resolve("checkpoint.json")),
                "rank 1 saved its place in the epoch");
        assertTrue(Files.exists(registry));
        jobs = new JobManager(kernel, registry, true);
        await(() -> !jobs.list().isEmpty() && jobs.list().get(0).state().ended(), "the resumed job");
        TrainingJob resumed = jobs.list().get(0);
        assertEquals(TrainingJob.State.COMPLETED, resumed.state(), String.valueOf(resumed.errorMessage()));
        assertEquals(sha, resumed.paramsSha256(), "suspended and resumed, the ranks end as the uninterrupted run");

        // rank 1 killed in epoch 2: with --max-restarts 1 all ranks start again from epoch 1's checkpoint
        jobs.close();
        jobs = new JobManager();
        train = new TrainCommand(kernel, jobs);
        train.train(console(), "iris", "mlp", "--epochs", "4", "--batch-size", "8", "--nproc", "2", "--max-restarts", "1", "--out", "restarted");
        TrainingJob r = jobs.get("1");
        await(() -> r.progress() != null && r.progress().epoch() == 1 && r.progress().batch() >= 2, "epoch 2 under way");
        long pid = r.ranks().ranks().get(1).pid;
        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        assertTrue(r.await(60_000));
        assertEquals(TrainingJob.State.COMPLETED, r.state(), String.valueOf(r.errorMessage()));
        assertEquals(1, r.ranks().restarts());
        assertTrue(r.epochLines().stream().anyMatch(l -> l.matches("rank 1 failed with exit code 137 \\(SIGKILL\\).*; all ranks restart \\(1 of 1\\) "
                + "from the latest checkpoint")), r.epochLines().toString());
        assertEquals(sha, r.paramsSha256(), "restarted from the epoch checkpoint, the ranks end as the uninterrupted run");
    }

    @Test
    void stoppingAJobStopsAllItsRanksAndKillingThemLeavesNoneBehind() throws Exception {
        assumeGloo();
        train.train(console(), "iris", "mlp", "--epochs", "1000", "--batch-size", "4", "--nproc", "2", "--out", "long");
        TrainingJob job = jobs.get("1");
        await(() -> job.ranks() != null && job.ranks().ranks().stream().allMatch(k -> k.progress != null), "both ranks training");
        List<Long> pids = job.ranks().ranks().stream().map(k -> k.pid).toList();
        int port = job.ranks().options().masterPort();
        String table = jobCommands.jobs(null);
        for (long pid : pids) assertTrue(table.matches("(?s).*\\n\\s+[01]\\s+" + pid + "\\s+running\\s+\\d+/1000\\s+\\d+/15\\s+.*"), table);
        String e = assertThrows(IllegalArgumentException.class, () -> jobCommands.migrate("1", "cpu")).getMessage();
        assertTrue(e.contains("job 1 runs as 2 rank JVMs (--nproc), which cannot change device while they run"), e);

        String stopped = jobCommands.stop(console(), "1");
        assertEquals(TrainingJob.State.STOPPED, job.state(), stopped);
        assertTrue(stopped.contains("was stopped after epoch ") && stopped.contains("kindling:resume long"), stopped);
        for (long pid : pids) assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "rank " + pid + " still runs");
        assertPortFree(port);
        assertEquals("stopped", json(dir.resolve("long/summary.json")).get("state").asText());
        assertTrue(jobCommands.jobs(null).lines().filter(l -> l.matches("\\s+[01]\\s+\\d+\\s+stopped\\s+.*")).count() == 2, jobCommands.jobs(null));

        // ranks that cannot be stopped cleanly in time are killed
        train.train(console(), "iris", "mlp", "--epochs", "1000", "--batch-size", "4", "--nproc", "2", "--out", "killed");
        TrainingJob k = jobs.get("2");
        await(() -> k.ranks() != null && k.ranks().ranks().stream().allMatch(x -> x.progress != null), "both ranks training");
        List<Long> kpids = k.ranks().ranks().stream().map(x -> x.pid).toList();
        k.killRanks();
        assertTrue(k.await(10_000));
        assertEquals(TrainingJob.State.STOPPED, k.state());
        assertTrue(new CommandFormatter(dir).stopped(k).startsWith("job 2's 2 rank JVMs were killed"), new CommandFormatter(dir).stopped(k));
        for (long pid : kpids) assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "rank " + pid + " still runs");
        assertPortFree(k.ranks().options().masterPort());
    }

    @Test
    void aRankThatCannotStartFailsTheJobWithItsReason() throws Exception {
        assumeGloo();
        System.setProperty(RankLaunch.CLASSPATH_PROPERTY, dir.resolve("nothing-here.jar").toString());
        try {
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> train.train(console(), "iris", "mlp", "--epochs", "1", "--nproc", "2", "--out", "failed", "--wait"));
            assertTrue(e.getMessage().matches("job 1 failed: rank [01] failed with exit code 1: .*RankMain.* \\(output: failed\\)"), e.getMessage());
            assertEquals(TrainingJob.State.FAILED, jobs.get("1").state());
            assertEquals("failed", json(dir.resolve("failed/summary.json")).get("state").asText());
            // the rank that failed first logged why; the other may have been stopped before it could (CI saw rank 1 first)
            String first = e.getMessage().replaceAll("^job 1 failed: rank ([01]) .*$", "$1");
            String log = Files.readString(dir.resolve("failed/logs/rank-" + first + ".log"));
            assertTrue(log.contains("Could not find or load main class"), log);
        } finally {
            System.clearProperty(RankLaunch.CLASSPATH_PROPERTY);
        }
    }
}
