package dev.kindling.train.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kindling.api.Tensor;
import dev.kindling.api.spi.TensorRuntimes;
import dev.kindling.datasets.Digits;
import dev.kindling.io.Safetensors;
import dev.kindling.kernel.Kernel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The commands and the job manager on tiny digits runs (a few epochs: seconds). */
class TrainCommandsTest {
    @TempDir
    Path dir;

    private final Kernel kernel = (Kernel) TensorRuntimes.get();
    private final JobManager jobs = new JobManager();
    private final TrainCommand trainCommand = new TrainCommand(kernel, jobs);
    private final ResumeCommand resumeCommand = new ResumeCommand(kernel, jobs);
    private final JobCommands jobCommands = new JobCommands(jobs);
    private final EvalCommand evalCommand = new EvalCommand(kernel);
    private final PredictCommand predictCommand = new PredictCommand(kernel);
    private final ModelsCommand modelsCommand = new ModelsCommand();
    private final ExportCommand exportCommand = new ExportCommand(kernel);
    private final ByteArrayOutputStream printed = new ByteArrayOutputStream();

    private Console console() {
        return new Console(new PrintStream(printed, true, StandardCharsets.UTF_8), false, dir);
    }

    private String printed() { return printed.toString(StandardCharsets.UTF_8); }

    @AfterEach
    void closeJobs() { jobs.close(); }

    private static JsonNode json(Path f) throws Exception { return RunConfig.JSON.readTree(Files.readAllBytes(f)); }

    private static double accuracy(String evalOutput) {
        Matcher m = Pattern.compile("accuracy: ([0-9.]+)").matcher(evalOutput);
        assertTrue(m.find(), evalOutput);
        return Double.parseDouble(m.group(1));
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("timed out waiting for " + what);
            Thread.sleep(5);
        }
    }

    @Test
    void trainInTheForegroundThenEvalPredictAndListTheRun() throws Exception {
        String result = trainCommand.train(console(), "digits", "mlp", "--epochs", "2", "--lr", "0.01", "--out", "run", "--wait");
        assertTrue(result.startsWith("job 1 completed in "), result);
        assertTrue(result.contains("test accuracy 0.9"), result);
        assertTrue(printed().contains("job 1: mlp [flatten linear(64→128) relu linear(128→10)] on digits: 1438 train / 359 test"), printed());
        assertTrue(printed().contains("epoch 1/2  loss") && printed().contains("epoch 2/2  loss"), printed());

        Path run = dir.resolve("run");
        for (String f : List.of("run.json", "summary.json", "model.safetensors", "checkpoints/epoch-0001/model.safetensors",
                "checkpoints/epoch-0002/checkpoint.json", "checkpoints/best/checkpoint/checkpoint.json", "logs/metrics.csv")) {
            assertTrue(Files.exists(run.resolve(f)), f);
        }
        assertEquals("epoch-0002", Files.readString(run.resolve("checkpoints/latest")).trim());
        assertEquals(3, Files.readAllLines(run.resolve("logs/metrics.csv")).size());
        try (Stream<Path> s = Files.list(run.resolve("logs"))) {
            assertTrue(s.anyMatch(p -> p.getFileName().toString().startsWith("events.out.tfevents")));
        }
        JsonNode summary = json(run.resolve("summary.json"));
        assertEquals("completed", summary.get("state").asText());
        assertEquals(2, summary.get("epochs_completed").asInt());
        double testAccuracy = summary.get("test_accuracy").asDouble();
        assertTrue(testAccuracy > 0.9, summary.toString());
        assertTrue(summary.get("wall_seconds").asDouble() > 0);
        assertTrue(summary.get("model_spec").toString().contains("linear"));
        RunConfig cfg = RunConfig.read(run.resolve("run.json"));
        assertEquals("digits", cfg.dataset);
        assertEquals(Map.of("lr", "0.01"), cfg.optimizer.params());

        String eval = evalCommand.eval(console(), "run/checkpoints");
        assertEquals(testAccuracy, accuracy(eval), 1e-4, "the latest checkpoint is the final model, on the same held-out split");
        assertTrue(eval.contains("checkpoint after epoch 2") && eval.contains("359 samples, the test 20% of a seeded split (seed 0)"), eval);
        assertTrue(eval.contains("top-5:") && eval.contains("macro:    precision") && eval.contains("true\\pred"), eval);
        String onTrain = evalCommand.eval(console(), "run/model.safetensors", "digits", "--split", "train");
        assertTrue(onTrain.contains("1438 samples") && onTrain.contains("(model file)"), onTrain);
        assertEquals(accuracy(eval), accuracy(evalCommand.eval(console(), "run")), 1e-12, "a run directory means its model file");

        String predicted = predictCommand.predict(console(), "run", "digits", "--index", "0-4");
        assertTrue(predicted.contains("of 5 right") && predicted.contains("TOP-3"), predicted);
        // raw rows in a CSV file (0..16 as the digits dataset has them) are preprocessed as in training
        Digits raw = new Digits();
        StringBuilder csv = new StringBuilder("# three digits\n");
        for (int i = 0; i < 3; i++) {
            float[] v = raw.get(i).input().toFloatArray();
            csv.append(java.util.stream.IntStream.range(0, v.length).mapToObj(k -> Float.toString(v[k])).collect(Collectors.joining(","))).append('\n');
        }
        Files.writeString(dir.resolve("rows.csv"), csv);
        String fromFile = predictCommand.predict(console(), "run", "rows.csv");
        String fromData = predictCommand.predict(console(), "run", "digits", "--split", "all", "--index", "0-2");
        assertEquals(column(fromData, 1), column(fromFile, 1), fromFile + "\n" + fromData);
        assertEquals(column(fromData, 2), column(fromFile, 2));
        float[] three = new float[3 * 64];
        for (int i = 0; i < 3; i++) System.arraycopy(raw.get(i).input().toFloatArray(), 0, three, i * 64, 64);
        Safetensors.save(Map.of("input", dev.kindling.api.Torch.tensor(three, 3, 64)), dir.resolve("rows.safetensors"));
        assertEquals(column(fromData, 1), column(predictCommand.predict(console(), "run", "rows.safetensors"), 1));
        String e = assertThrows(IllegalArgumentException.class, () -> predictCommand.predict(console(), "run", "rows.csv", "--raw", "--index", "1")).getMessage();
        assertTrue(e.contains("--index and --split are for datasets"), e);

        String models = modelsCommand.models(console(), ".");
        assertTrue(models.contains("run/model.safetensors") && models.contains("checkpoint (best)") && models.contains("checkpoint (latest)"), models);
        assertTrue(models.contains("flatten linear(64→128) relu linear(128→10)") && models.contains("digits"), models);
        assertFalse(models.contains("epoch-0001"), models);
        assertTrue(modelsCommand.models(console(), ".", "--all").contains("epoch-0001"));

        String e2 = assertThrows(IllegalArgumentException.class, () -> trainCommand.train(console(), "digits", "mlp", "--out", "run")).getMessage();
        assertTrue(e2.contains("already holds a training run") && e2.contains("--overwrite"), e2);
        Files.writeString(run.resolve("notes.txt"), "mine");
        trainCommand.train(console(), "digits", "mlp", "--epochs", "1", "--out", "run", "--overwrite", "--wait");
        assertEquals("epoch-0001", Files.readString(run.resolve("checkpoints/latest")).trim());
        assertFalse(Files.exists(run.resolve("checkpoints/epoch-0002")), "the old run is gone");
        assertEquals("mine", Files.readString(run.resolve("notes.txt")), "other files are kept");
    }

    @Test
    void exportARunAsOnnxThenEvalAndPredictWithTheOnnxFile() throws Exception {
        trainCommand.train(console(), "digits", "mlp", "--epochs", "1", "--out", "run", "--wait");
        String exported = exportCommand.export(console(), "run", "--onnx", "run/model.onnx", "--opset", "18");
        assertTrue(exported.startsWith("exported ") && exported.contains("to run/model.onnx (ONNX opset 18"), exported);
        assertTrue(exported.contains("input 'input' [batch, 64] float32 -> output 'output' [batch, 10]; batch is dynamic"), exported);
        assertTrue(Files.size(dir.resolve("run/model.onnx")) > 30_000);
        double fromSafetensors = accuracy(evalCommand.eval(console(), "run/model.safetensors"));
        String eval = evalCommand.eval(console(), "run/model.onnx");
        assertEquals(fromSafetensors, accuracy(eval), 1e-12, eval);
        assertEquals(column(predictCommand.predict(console(), "run", "digits", "--index", "0-4"), 1),
                column(predictCommand.predict(console(), "run/model.onnx", "digits", "--index", "0-4"), 1));
        String e = assertThrows(IllegalArgumentException.class, () -> exportCommand.export(console(), "run", "--onnx", "x.onnx", "--opset", "19")).getMessage();
        assertTrue(e.contains("--opset 19 is not one the exporter writes"), e);
        e = assertThrows(IllegalArgumentException.class, () -> exportCommand.export(console(), "run")).getMessage();
        assertTrue(e.contains("name the file to write with --onnx"), e);
    }

    /** The cells of one column of a printed table, below its header. */
    private static List<String> column(String out, int col) {
        List<String> lines = out.lines().toList();
        int header = 0;
        while (!lines.get(header).startsWith("INDEX") && !lines.get(header).startsWith("ROW")) header++;
        return lines.subList(header + 2, header + 5).stream().map(l -> l.trim().split("\\s+")[col]).toList();
    }

    @Test
    void aStoppedJobLeavesACheckpointAndResumesToTheEnd() throws Exception {
        String started = trainCommand.train(console(), "digits", "mlp", "--epochs", "200", "--batch-size", "8", "--out", "long");
        assertTrue(started.contains("kindling:watch 1"), started);
        TrainingJob job = jobs.get("1");
        await(() -> job.epochsDone() >= 1 && job.progress() != null && job.progress().batch() > 3, "an epoch and a few batches");
        assertTrue(jobCommands.jobs(null).contains("running"), jobCommands.jobs(null));
        String stopped = jobCommands.stop(console(), "1");
        assertEquals(TrainingJob.State.STOPPED, job.state());
        int done = job.epochsDone();
        assertTrue(stopped.contains("was stopped after epoch " + done + "/200") && stopped.contains("kindling:resume long"), stopped);
        assertTrue(Files.exists(dir.resolve("long/checkpoints").resolve(String.format("epoch-%04d", done)).resolve("checkpoint.json")), stopped);
        JsonNode summary = json(dir.resolve("long/summary.json"));
        assertEquals("stopped", summary.get("state").asText());
        assertEquals(done, summary.get("epochs_completed").asInt());
        assertTrue(Files.exists(dir.resolve("long/model.safetensors")));
        assertThrows(IllegalArgumentException.class, () -> jobCommands.stop(console(), "1"), "already ended");
        IllegalStateException watched = assertThrows(IllegalStateException.class, () -> jobCommands.watch(console(), "1"));
        assertTrue(watched.getMessage().contains("was stopped"), watched.getMessage());

        String resumed = resumeCommand.resume(console(), "long", "--epochs", Integer.toString(done + 1), "--wait");
        assertTrue(resumed.startsWith("job 2 completed"), resumed);
        assertTrue(printed().contains("job 2: resuming long from long/checkpoints/epoch-"), printed());
        summary = json(dir.resolve("long/summary.json"));
        assertEquals("completed", summary.get("state").asText());
        assertEquals(done + 1, summary.get("epochs_completed").asInt());
        String nothing = assertThrows(IllegalArgumentException.class, () -> resumeCommand.resume(console(), "long")).getMessage();
        assertTrue(nothing.contains("nothing left to train; give --epochs N"), nothing);
    }

    private static final String[] EXACT = {"digits", "mlp", "dropout=0.2", "--optimizer", "sgd", "lr=0.05", "momentum=0.9",
        "--scheduler", "steplr", "stepSize=1", "gamma=0.7", "--batch-size", "32", "--seed", "3"};

    private String[] exact(String... more) {
        String[] all = java.util.Arrays.copyOf(EXACT, EXACT.length + more.length);
        System.arraycopy(more, 0, all, EXACT.length, more.length);
        return all;
    }

    private static Map<String, Tensor> weights(Path run) throws Exception { return Safetensors.load(run.resolve("model.safetensors")); }

    private static void assertSameWeights(Map<String, Tensor> a, Map<String, Tensor> b) {
        assertEquals(a.keySet(), b.keySet());
        for (String k : a.keySet()) assertArrayEquals(a.get(k).toFloatArray(), b.get(k).toFloatArray(), k);
    }

    @Test
    void resumingGivesExactlyTheUninterruptedRun() throws Exception {
        trainCommand.train(console(), exact("--epochs", "5", "--out", "straight", "--wait"));
        trainCommand.train(console(), exact("--epochs", "2", "--out", "split", "--wait"));
        resumeCommand.resume(console(), "split", "--epochs", "5", "--wait");
        assertSameWeights(weights(dir.resolve("straight")), weights(dir.resolve("split")));
        assertEquals(Files.readString(dir.resolve("straight/checkpoints/latest")), Files.readString(dir.resolve("split/checkpoints/latest")));

        // stopped at an epoch end in the background, then resumed: the same again
        trainCommand.train(console(), exact("--epochs", "5", "--out", "stopped"));
        TrainingJob job = jobs.list().get(jobs.list().size() - 1);
        await(() -> job.progress() != null, "the first batch");
        String stopped = jobCommands.stop(console(), Integer.toString(job.id()), "--at-epoch-end");
        assertEquals(TrainingJob.State.STOPPED, job.state(), stopped);
        assertFalse(job.partialEpoch(), stopped);
        assertTrue(stopped.contains("was stopped after epoch") && !stopped.contains("during that epoch"), stopped);
        resumeCommand.resume(console(), "stopped", "--wait");
        assertSameWeights(weights(dir.resolve("straight")), weights(dir.resolve("stopped")));
    }

    /** The CPU backend leaves and comes back (a bundle update) while a job trains: the job waits, then ends as if nothing happened. */
    @Test
    void aJobWaitsWhileItsBackendIsAwayAndEndsBitwiseEqualToAnUninterruptedRun() throws Exception {
        trainCommand.train(console(), exact("--epochs", "4", "--out", "straight", "--wait"));
        trainCommand.train(console(), exact("--epochs", "4", "--out", "swapped"));
        TrainingJob job = jobs.list().get(jobs.list().size() - 1);
        await(() -> job.progress() != null && job.progress().batch() > 5, "a few batches");
        dev.kindling.kernel.spi.TensorBackend cpu = kernel.backends().select(dev.kindling.api.Device.CPU).unchecked();
        kernel.removeBackend(cpu);
        try {
            await(() -> job.stateLabel().equals("waiting for backend cpu"), "the job waiting for a cpu backend");
            assertTrue(jobCommands.jobsTable().rows().stream().anyMatch(r -> r.id() == job.id() && r.state().equals("waiting for backend cpu")));
        } finally {
            kernel.addBackend(cpu); // the same code comes back, as after an update
        }
        assertTrue(job.await(120_000));
        assertEquals(TrainingJob.State.COMPLETED, job.state());
        assertSameWeights(weights(dir.resolve("straight")), weights(dir.resolve("swapped")));
    }

    /**
     * The autograd engine leaves while a job trains and a new instance comes back (a stop and start of the autograd
     * bundle): the job waits meanwhile, then ends bitwise equal to an uninterrupted run.
     */
    @Test
    void aJobWaitsWhileAutogradIsAwayAndEndsBitwiseEqualToAnUninterruptedRun() throws Exception {
        trainCommand.train(console(), exact("--epochs", "4", "--out", "straight", "--wait"));
        trainCommand.train(console(), exact("--epochs", "4", "--out", "restarted"));
        TrainingJob job = jobs.list().get(jobs.list().size() - 1);
        dev.kindling.kernel.ops.GradientEngine engine = kernel.gradientEngine();
        for (int restart = 0; restart < 3; restart++) {
            int after = (restart + 1) * 7;
            await(() -> job.progress() != null && job.progress().step() > after, "step " + after);
            kernel.unsetGradientEngine(kernel.gradientEngine());
            try {
                await(() -> job.stateLabel().equals("waiting for autograd"), "the job waiting for autograd");
            } finally {
                kernel.setGradientEngine(new dev.kindling.autograd.internal.AutogradEngine()); // what a restarted bundle registers
            }
        }
        assertTrue(job.await(120_000));
        assertEquals(TrainingJob.State.COMPLETED, job.state(), String.valueOf(job.errorMessage()));
        assertSameWeights(weights(dir.resolve("straight")), weights(dir.resolve("restarted")));
        kernel.setGradientEngine(engine);
    }

    /**
     * The train bundle updated while a job trains and another waits: the old revision's job manager suspends both at a
     * step boundary (the running one with a mid-epoch checkpoint) into its job registry, the new revision's resumes
     * them by itself, and both end bitwise equal to uninterrupted runs.
     */
    @Test
    void aJobManagerResumesTheJobsItsPredecessorSuspendedExactly() throws Exception {
        trainCommand.train(console(), exact("--epochs", "3", "--out", "straight", "--wait"));
        Path registry = dir.resolve("bundle-data").resolve(JobManager.REGISTRY);
        JobManager before = new JobManager(kernel, registry, true);
        TrainCommand trainBefore = new TrainCommand(kernel, before);
        trainBefore.train(console(), exact("--epochs", "3", "--out", "running"));
        trainBefore.train(console(), exact("--epochs", "3", "--out", "queued"));
        TrainingJob running = before.list().get(0);
        await(() -> running.progress() != null && running.progress().epoch() == 1 && running.progress().batch() > 10, "mid-epoch 2");
        before.close();
        assertEquals(TrainingJob.State.SUSPENDED, running.state(), String.valueOf(running.errorMessage()));
        assertEquals(TrainingJob.State.SUSPENDED, before.list().get(1).state());
        assertTrue(running.suspendedAt().getFileName().toString().startsWith("step-"), String.valueOf(running.suspendedAt()));
        dev.kindling.train.Checkpoint.Data saved = dev.kindling.train.Checkpoint.load(running.suspendedAt());
        assertTrue(saved.midEpoch() && saved.epoch() == 0 && saved.position().batch() > 10, "mid epoch 2: " + saved.position());
        assertEquals("suspended", json(dir.resolve("running/summary.json")).path("state").asText());
        String why = JobFollower.failure(running, new CommandFormatter(dir)).getMessage();
        assertTrue(why.startsWith("job 1 was suspended (the train bundle was stopped or updated) with a checkpoint of its place in the epoch, ")
                && why.endsWith("; it resumes by itself when the bundle is active again, or continue it with: kindling:resume running"), why);
        JsonNode listed = json(registry).path("jobs");
        assertEquals(2, listed.size());
        assertTrue(listed.get(1).path("checkpoint").isNull(), "the queued job starts from scratch");

        String listed0 = Files.readString(registry);
        JobManager keeping = new JobManager(kernel, registry, false); // kindling.train.resumeSuspended=false
        keeping.close();
        assertTrue(keeping.list().isEmpty());
        assertEquals(listed0, Files.readString(registry), "kept for kindling:resume, as it was");

        JobManager after = new JobManager(kernel, registry, true);
        try {
            await(() -> after.list().size() == 2 && after.list().stream().allMatch(j -> j.state().ended()), "both jobs resumed and ended");
            for (TrainingJob j : after.list()) assertEquals(TrainingJob.State.COMPLETED, j.state(), String.valueOf(j.errorMessage()));
            assertEquals(running.suspendedAt(), after.list().get(0).resumeFrom());
            assertFalse(Files.exists(registry), "the registry is read once");
        } finally {
            after.close();
        }
        assertFalse(Files.exists(registry), "nothing left to resume");
        assertSameWeights(weights(dir.resolve("straight")), weights(dir.resolve("running")));
        assertSameWeights(weights(dir.resolve("straight")), weights(dir.resolve("queued")));
    }

    /** kindling:migrate moves a running job to another device type and back between steps: it ends bitwise equal to an uninterrupted run. */
    @Test
    void aJobMigratedToAnotherDeviceTypeAndBackEndsBitwiseEqual() throws Exception {
        java.util.concurrent.atomic.AtomicLong mirrorCalls = new java.util.concurrent.atomic.AtomicLong();
        dev.kindling.kernel.spi.TensorBackend mirror = dev.kindling.train.MirrorBackend.of(kernel.backends().select(dev.kindling.api.Device.CPU).unchecked(),
                "mirror", mirrorCalls);
        kernel.addBackend(mirror);
        try {
            trainCommand.train(console(), exact("--epochs", "3", "--out", "straight", "--wait"));
            trainCommand.train(console(), exact("--epochs", "3", "--out", "migrated"));
            TrainingJob job = jobs.list().get(jobs.list().size() - 1);
            await(() -> job.progress() != null && job.progress().step() > 20, "step 20");
            String moved = jobCommands.migrate("all", "mirror");
            assertEquals("job " + job.id() + " moves to mirror:0 at its next step", moved);
            assertEquals("mirror", RunConfig.read(dir.resolve("migrated/run.json")).device);
            long at = job.progress().step();
            await(() -> job.progress().step() > at + 20, "20 steps on the mirror device");
            assertTrue(mirrorCalls.get() > 1000, "the mirror backend computed: " + mirrorCalls);
            jobCommands.migrate(Integer.toString(job.id()), "cpu");
            String e = assertThrows(IllegalArgumentException.class, () -> jobCommands.migrate(Integer.toString(job.id()), "nosuch")).getMessage();
            assertTrue(e.startsWith("kindling:migrate: --device nosuch: no available backend serves 'nosuch'"), e);
            assertTrue(job.await(120_000));
            assertEquals(TrainingJob.State.COMPLETED, job.state(), String.valueOf(job.errorMessage()));
            assertSameWeights(weights(dir.resolve("straight")), weights(dir.resolve("migrated")));
            long calls = mirrorCalls.get();
            trainCommand.train(console(), exact("--epochs", "1", "--out", "after", "--wait"));
            assertEquals(calls, mirrorCalls.get(), "nothing left on the mirror device");
        } finally {
            kernel.removeBackend(mirror);
        }
    }

    @Test
    void schedulersAreSizedForTheRun() throws Exception {
        String r = trainCommand.train(console(), "iris", "mlp", "--epochs", "3", "--batch-size", "16", "--scheduler", "onecyclelr", "maxLr=0.05",
                "--out", "one", "--wait");
        assertTrue(r.startsWith("job 1 completed"), r); // OneCycleLR fails when stepped past its total
        RunConfig cfg = RunConfig.read(dir.resolve("one/run.json"));
        assertEquals("step", cfg.schedulerInterval);
        assertEquals(Map.of("maxLr", "0.05", "epochs", "3", "stepsPerEpoch", "8"), cfg.scheduler.params()); // 120 samples / 16
        trainCommand.train(console(), "iris", "mlp", "--epochs", "4", "--scheduler", "cosineannealinglr", "--out", "cos", "--wait");
        assertEquals(Map.of("tMax", "4"), RunConfig.read(dir.resolve("cos/run.json")).scheduler.params());
        String e = assertThrows(IllegalArgumentException.class, () -> resumeCommand.resume(console(), "one", "--epochs", "5")).getMessage();
        assertTrue(e.contains("OneCycleLR schedule covers 3 epochs"), e);
    }

    @Test
    void aFailingJobIsAFailedJobWithItsError() throws Exception {
        trainCommand.train(console(), "digits", "mlp", "--loss", "mse", "--epochs", "1", "--out", "bad");
        TrainingJob job = jobs.get("1");
        assertTrue(job.await(60_000));
        assertEquals(TrainingJob.State.FAILED, job.state());
        assertTrue(job.errorMessage().contains("size of tensor"), job.errorMessage());
        String table = jobCommands.jobs(null);
        assertTrue(table.contains("failed") && table.contains("job 1 failed: "), table);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> jobCommands.watch(console(), "1"));
        assertTrue(e.getMessage().startsWith("job 1 failed: "), e.getMessage());
        JsonNode summary = json(dir.resolve("bad/summary.json"));
        assertEquals("failed", summary.get("state").asText());
        assertTrue(summary.get("error").asText().contains("size of tensor"));
        e = assertThrows(IllegalStateException.class, () -> trainCommand.train(console(), "digits", "mlp", "--loss", "mse", "--epochs", "1", "--wait"));
        assertTrue(e.getMessage().startsWith("job 2 failed: "), e.getMessage());
    }

    @Test
    void jobsQueueOneAfterAnotherAndAQueuedJobCanBeCancelled() throws Exception {
        trainCommand.train(console(), "digits", "mlp", "--epochs", "200", "--out", "first");
        String second = trainCommand.train(console(), "iris", "mlp", "--epochs", "2", "--out", "second");
        assertTrue(second.startsWith("job 2 queued after job 1"), second);
        String table = jobCommands.jobs(null);
        assertTrue(table.contains("queued"), table);
        assertEquals("job 2 was cancelled before it started", jobCommands.stop(console(), "2"));
        jobCommands.stop(console(), "1");
        assertEquals(TrainingJob.State.STOPPED, jobs.get("2").state());
        assertTrue(Files.exists(dir.resolve("second/run.json")));
        assertFalse(Files.exists(dir.resolve("second/summary.json")));
    }

    @Test
    void badInputGetsClearErrors() throws Exception {
        assertTrue(trainCommand.train(console(), "--help").contains("--optimizer NAME [k=v...]"));
        String e = assertThrows(IllegalArgumentException.class, () -> trainCommand.train(console(), "digits", "mlp", "--optimizer", "adamx")).getMessage();
        assertTrue(e.contains("unknown optimizer 'adamx'; installed: [") && e.contains("sgd"), e);
        e = assertThrows(IllegalArgumentException.class, () -> trainCommand.train(console(), "digits", "mlp", "--scheduler", "nope")).getMessage();
        assertTrue(e.contains("unknown scheduler 'nope'"), e);
        e = assertThrows(IllegalArgumentException.class, () -> trainCommand.train(console(), "digits", "mlp", "--loss", "nope")).getMessage();
        assertTrue(e.contains("unknown loss 'nope'"), e);
        e = assertThrows(IllegalArgumentException.class, () -> trainCommand.train(console(), "digits", "mlp", "--optimizer", "sgd", "lr=fast")).getMessage();
        assertTrue(e.contains("'lr'") && e.contains("fast"), e);
        e = assertThrows(IllegalArgumentException.class, () -> trainCommand.train(console(), "mlp", "digits")).getMessage();
        assertTrue(e.contains("the dataset comes first"), e);
        e = assertThrows(IllegalArgumentException.class, () -> trainCommand.train(console(), "digits", "mlp", "--device", "cuda:3")).getMessage();
        assertTrue(e.contains("no available backend serves 'cuda'"), e);
        e = assertThrows(IllegalArgumentException.class, () -> trainCommand.train(console(), "digits", "mlp", "--test-fraction", "1")).getMessage();
        assertTrue(e.contains("--test-fraction must be in (0, 1)"), e);
        assertTrue(jobs.list().isEmpty(), "no job for bad input");
        Files.createDirectories(dir.resolve("full"));
        Files.writeString(dir.resolve("full/notes.txt"), "x");
        e = assertThrows(IllegalArgumentException.class, () -> trainCommand.train(console(), "digits", "mlp", "--out", "full")).getMessage();
        assertTrue(e.contains("exists and is not empty"), e);
        e = assertThrows(IllegalArgumentException.class, () -> evalCommand.eval(console(), "missing.safetensors")).getMessage();
        assertTrue(e.contains("cannot load a model from missing.safetensors"), e);
        e = assertThrows(IllegalArgumentException.class, () -> resumeCommand.resume(console(), "full")).getMessage();
        assertTrue(e.contains("not a run or checkpoint directory"), e);
        e = assertThrows(IllegalArgumentException.class, () -> jobCommands.watch(console(), "x")).getMessage();
        assertTrue(e.contains("'x' is not a job number"), e);
        e = assertThrows(IllegalArgumentException.class, () -> jobCommands.stop(console(), "4")).getMessage();
        assertTrue(e.contains("no training job 4") && e.contains("felix:stop 4"), e);
        assertEquals("No training jobs (kindling:train starts one).", jobCommands.jobs(null));
        assertTrue(modelsCommand.models(console()).startsWith("No models"));
    }
}
