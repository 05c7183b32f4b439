package dev.kindling.train.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kindling.api.Device;
import dev.kindling.api.Torch;
import dev.kindling.data.DataLoader;
import dev.kindling.data.Sample;
import dev.kindling.io.Models;
import dev.kindling.kernel.Kernel;
import dev.kindling.nn.Module;
import dev.kindling.optim.Optimizer;
import dev.kindling.optim.lr.LRScheduler;
import dev.kindling.train.Callback;
import dev.kindling.train.Checkpoint;
import dev.kindling.train.EarlyStopping;
import dev.kindling.train.EvalResult;
import dev.kindling.train.History;
import dev.kindling.train.MetricLogger;
import dev.kindling.train.ModelCheckpoint;
import dev.kindling.train.Trainer;
import dev.kindling.train.TrainingState;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * One training run in the background: builds the model, optimizer, scheduler and loaders from its {@link RunConfig},
 * fits with checkpoints (every epoch, and the best by validation accuracy), TensorBoard events and metrics.csv, then
 * saves the whole model and a summary. Progress is published for {@code kindling:jobs} and {@code kindling:watch};
 * {@link #requestStop} ends it cleanly with a final checkpoint; {@link #requestSuspend} ends it at the next
 * optimizer step with a checkpoint of its position inside the epoch, from which it continues exactly (the job manager
 * does so when the train bundle is updated or restarted).
 *
 * <p>Output directory: {@code run.json}, {@code checkpoints/} ({@code epoch-0001}, ..., {@code best/}, {@code latest}),
 * {@code logs/} (events.out.tfevents.*, metrics.csv), {@code model.safetensors}, {@code summary.json}.
 */
final class TrainingJob {
    enum State {
        QUEUED, RUNNING, STOPPING, COMPLETED, STOPPED, FAILED,
        /** Ended at a step boundary with a checkpoint of its place in the epoch, to be continued (a bundle update). */
        SUSPENDED;

        boolean ended() { return this == COMPLETED || this == STOPPED || this == FAILED || this == SUSPENDED; }

        String label() { return name().toLowerCase(Locale.ROOT); }
    }

    private final int id;
    private final Kernel kernel;
    private final RunConfig config;
    /** The data until the job ends: an ended job stays listed, and keeps only what its listing shows of it. */
    private volatile DataPrep.Data data;
    private final String dataDescription;
    private final int testSamples;
    private final Path out;
    private final Path resumeFrom;
    private final int startEpoch;
    private final boolean validated;
    /** How the ranks of a {@code --nproc} job start (null for a job in this JVM). */
    private final RankLaunch rankLaunch;
    /** The rank JVMs of a {@code --nproc} job, once it runs. */
    private volatile RankProcesses ranks;
    /** The SHA-256 of the parameters every rank of a {@code --nproc} job ended with. */
    private volatile String paramsSha256;
    private volatile boolean killRequested;
    private final Instant created = Instant.now();
    private final CountDownLatch done = new CountDownLatch(1);
    private final List<String> epochLines = new CopyOnWriteArrayList<>();

    private volatile State state = State.QUEUED;
    private volatile boolean stopRequested;
    private volatile boolean stopAtEpochEnd;
    private volatile boolean suspendRequested;
    /** The checkpoint a suspended job continues from (null for a job suspended before it started). */
    private volatile Path suspendedAt;
    private volatile TrainingState progress;
    private volatile boolean inEpoch;
    private volatile int epochsRun;
    private volatile int lastEpoch = -1;
    private volatile Map<String, Double> lastEpochMetrics = Map.of();
    private volatile Map<String, Double> finalMetrics = Map.of();
    private volatile double bestValAccuracy = Double.NaN;
    private volatile double lastValAccuracy = Double.NaN;
    private volatile int bestEpoch = -1;
    private volatile int earlyStoppedEpoch = -1;
    private volatile boolean partialEpoch;
    private volatile Throwable error;
    private volatile long startNanos;
    private volatile long fitStartNanos;
    private volatile long endNanos;
    private volatile Instant started;
    private volatile Instant finished;
    private volatile Path lastCheckpoint;

    /**
     * @param resumeFrom the checkpoint to continue from, or null
     * @param startEpoch the first epoch this job runs (0, or the checkpoint's epoch + 1)
     * @param validated whether the model was already built and checked against the data
     */
    TrainingJob(int id, Kernel kernel, RunConfig config, DataPrep.Data data, Path out, Path resumeFrom, int startEpoch, boolean validated) {
        this(id, kernel, config, data, out, resumeFrom, startEpoch, validated, null);
    }

    /** @param rankLaunch how the ranks of a {@code --nproc} job ({@code config.nproc > 0}) start */
    TrainingJob(int id, Kernel kernel, RunConfig config, DataPrep.Data data, Path out, Path resumeFrom, int startEpoch, boolean validated,
                RankLaunch rankLaunch) {
        if (config.nproc > 0 && rankLaunch == null) throw new IllegalArgumentException("a job with ranks needs a RankLaunch");
        this.rankLaunch = rankLaunch;
        this.id = id;
        this.kernel = kernel;
        this.config = config;
        this.data = data;
        this.dataDescription = data.describe();
        this.testSamples = data.test().size();
        this.out = out;
        this.resumeFrom = resumeFrom;
        this.startEpoch = startEpoch;
        this.validated = validated;
    }

    int id() { return id; }
    RunConfig config() { return config; }
    /** "digits: 1438 train / 359 test samples (...)" */
    String dataDescription() { return dataDescription; }
    int testSamples() { return testSamples; }
    Path out() { return out; }
    Path resumeFrom() { return resumeFrom; }
    int startEpoch() { return startEpoch; }
    State state() { return state; }

    private volatile Thread runner;
    private volatile Trainer trainer;

    /** The state as kindling:jobs shows it: a running job whose ops wait for a backend or for autograd says which. */
    String stateLabel() {
        RankProcesses rp = ranks;
        if (rp != null) return state.label() + (rp.restarts() > 0 ? " (restart " + rp.restarts() + " of " + config.maxRestarts + ")" : "");
        Thread t = runner;
        String awaited = state == State.RUNNING && t != null ? kernel.waitingFor(t) : null;
        return awaited != null ? "waiting for " + awaited : state.label();
    }
    Throwable error() { return error; }
    TrainingState progress() { return progress; }
    List<String> epochLines() { return epochLines; }
    Map<String, Double> lastEpochMetrics() { return lastEpochMetrics; }
    Map<String, Double> finalMetrics() { return finalMetrics; }
    int lastEpoch() { return lastEpoch; }
    int earlyStoppedEpoch() { return earlyStoppedEpoch; }
    boolean partialEpoch() { return partialEpoch; }
    double bestValAccuracy() { return bestValAccuracy; }
    /** The latest validation accuracy (an epoch cut short by a stop has none). */
    double lastValAccuracy() { return lastValAccuracy; }
    int bestEpoch() { return bestEpoch; }
    Path lastCheckpoint() { return lastCheckpoint; }
    Instant created() { return created; }
    boolean stopRequested() { return stopRequested; }

    /** Whether the job runs as rank JVMs ({@code --nproc}). */
    boolean distributed() { return config.nproc > 0; }

    /** The rank JVMs of a {@code --nproc} job once it has started, else null. */
    RankProcesses ranks() { return ranks; }

    /** The SHA-256 of the parameters all ranks of a {@code --nproc} job ended with, or null. */
    String paramsSha256() { return paramsSha256; }

    /** Whether {@link #killRanks()} ended the job. */
    boolean killed() { return killRequested; }

    /** Epochs finished when the job ends or now: the checkpoint's epoch count. */
    int epochsDone() { return lastEpoch >= 0 ? lastEpoch + 1 : startEpoch; }

    /** Seconds since the job started (until it ended); 0 while queued. */
    double wallSeconds() {
        long s = startNanos;
        if (s == 0) return 0;
        long e = endNanos != 0 ? endNanos : System.nanoTime();
        return (e - s) / 1e9;
    }

    /** The share of this job's epochs done, counting the current epoch's batches. */
    double fraction() {
        int toRun = config.epochs - startEpoch;
        if (toRun <= 0) return 1;
        TrainingState s = progress;
        double part = s != null && inEpoch && s.batchesPerEpoch() > 0 ? (double) s.batch() / s.batchesPerEpoch() : 0;
        return Math.min(1, (epochsRun + part) / toRun);
    }

    /** Seconds left at the pace so far (validation included); NaN before the first batch. */
    double etaSeconds() {
        if (state.ended()) return 0;
        long f0 = fitStartNanos;
        double f = fraction();
        if (f0 == 0 || f <= 0) return Double.NaN;
        double elapsed = (System.nanoTime() - f0) / 1e9;
        return elapsed * (1 - f) / f;
    }

    /** Ends a job that never started, as {@code end}; false when it is no longer queued. The caller holds the lock. */
    private boolean endIfQueued(State end) {
        if (state != State.QUEUED) return false;
        state = end;
        finished = Instant.now();
        done.countDown();
        return true;
    }

    /**
     * Asks the job to stop: after the current batch (the partial epoch then counts as done: its checkpoint is written
     * and a resumed run continues with the next epoch), or at the end of the current epoch (a resumed run then continues
     * exactly as an uninterrupted one would). A queued job is cancelled.
     */
    void requestStop(boolean atEpochEnd) {
        synchronized (this) {
            stopAtEpochEnd = atEpochEnd;
            stopRequested = true;
            if (!endIfQueued(State.STOPPED) && state == State.RUNNING) state = State.STOPPING;
        }
        RankProcesses rp = ranks;
        if (rp != null) rp.sendCommand(); // outside the lock: it writes to the ranks' pipes
    }

    /**
     * Asks the job to end at the next optimizer-step boundary with a checkpoint of its position in the epoch
     * ({@link #suspendedAt()}), so that it can be continued exactly; a queued job is suspended before it starts.
     */
    void requestSuspend() {
        synchronized (this) {
            suspendRequested = true;
            endIfQueued(State.SUSPENDED);
        }
        RankProcesses rp = ranks;
        if (rp != null) rp.sendCommand();
    }

    /** The command the ranks of a {@code --nproc} job are to act on now (they agree on it at their next batch), or null. */
    String rankCommand() {
        if (suspendRequested) return RankEvents.SUSPEND;
        if (stopRequested) return stopAtEpochEnd ? RankEvents.STOP_AT_EPOCH_END : RankEvents.STOP;
        return null;
    }

    /**
     * Kills the rank JVMs of a {@code --nproc} job at once (a stop that did not take effect in time, the framework going
     * away): the job ends as stopped, with its latest checkpoint. Does nothing for a job in this JVM.
     */
    void killRanks() {
        if (!distributed()) return;
        synchronized (this) {
            killRequested = true;
            stopRequested = true;
            endIfQueued(State.STOPPED);
        }
        RankProcesses rp = ranks;
        if (rp != null) rp.kill();
    }

    /** Where a suspended job continues: its mid-epoch checkpoint, or for one suspended while queued what it was to start from. */
    Path suspendedAt() { return suspendedAt != null ? suspendedAt : resumeFrom; }

    /**
     * Moves the job to another device at its next optimizer step (a queued job starts there); {@code run.json} then
     * names the new device, so a resumed run continues on it. Fails at once for a device no backend serves.
     */
    synchronized Device requestDevice(String spec) throws IOException {
        if (state.ended()) throw new IllegalArgumentException("job " + id + " has already ended (" + state.label() + ")");
        if (distributed()) {
            throw new IllegalArgumentException("job " + id + " runs as " + config.nproc + " rank JVMs (--nproc), which cannot change device while they "
                    + "run: stop it (kindling:stop " + id + " --at-epoch-end) and continue it with kindling:resume " + out + " --device " + spec);
        }
        Device d = RunSetup.device(kernel, spec);
        config.device = spec;
        config.write(out);
        Trainer t = trainer;
        if (t != null) t.requestDevice(d);
        return d;
    }

    /** Waits until the job has ended; true if it has. */
    boolean await(long millis) throws InterruptedException { return done.await(millis, TimeUnit.MILLISECONDS); }

    void run() {
        synchronized (this) {
            if (state != State.QUEUED) return; // cancelled
            startNanos = System.nanoTime();
            started = Instant.now();
            state = State.RUNNING;
            runner = Thread.currentThread();
        }
        DataLoader<Sample> train = null;
        DataLoader<Sample> test = null;
        DataPrep.Data data = this.data;
        try {
            if (distributed()) {
                runRanks();
                return;
            }
            Torch.manualSeed(config.seed);
            Module model = RunSetup.model(config);
            if (!validated) ModelFactory.check(model, data.train(), data.numClasses(), data.name());
            Optimizer optimizer = RunSetup.optimizer(kernel, config, model.parameters());
            LRScheduler scheduler = RunSetup.scheduler(kernel, config, optimizer);
            Module loss = RunSetup.loss(kernel, config);
            Device device = RunSetup.device(kernel, config.device);
            train = DataLoader.builder(data.train()).batchSize(config.batchSize).shuffle(true).seed(config.seed)
                    .numWorkers(config.workers).build();
            test = DataLoader.builder(data.test()).batchSize(Math.max(256, config.batchSize)).numWorkers(config.workers).build();
            Path checkpoints = out.resolve(ModelFiles.CHECKPOINTS);
            ModelCheckpoint checkpointer = new ModelCheckpoint(checkpoints, 1, "val_accuracy", "max");
            EarlyStopping early = config.patience > 0 ? new EarlyStopping("val_loss", config.patience) : null;
            Trainer.Builder b = Trainer.builder(model).optimizer(optimizer).loss(loss).epochs(config.epochs).device(device)
                    .modelSpec(config.modelSpec).validateStoppedEpoch(false)
                    .callbacks(new Progress(), checkpointer, new MetricLogger(out.resolve(ModelFiles.LOGS)));
            if (early != null) b.callbacks(early);
            if (scheduler != null) {
                b.scheduler(scheduler, config.schedulerInterval.equals("step") ? Trainer.SchedulerInterval.STEP : Trainer.SchedulerInterval.EPOCH);
            }
            if (config.clipNorm > 0) b.gradClipNorm(config.clipNorm);
            b.precision(dev.kindling.train.Precision.parse(config.precision));
            if (resumeFrom != null) b.resumeFrom(resumeFrom);
            Trainer trainer;
            synchronized (this) {
                trainer = b.device(RunSetup.device(kernel, config.device)).build(); // the device may have been changed meanwhile
                this.trainer = trainer;
            }
            History h = trainer.fit(train, test);
            if (trainer.suspended()) {
                suspendedAt = Checkpoint.save(checkpoints, String.format(Locale.ROOT, "step-%08d", trainer.step()), trainer.snapshot(Map.of()));
                lastCheckpoint = suspendedAt;
                synchronized (this) {
                    state = State.SUSPENDED;
                }
                return;
            }
            lastCheckpoint = checkpointer.lastSaved();
            if (early != null && early.stoppedEpoch() >= 0 && !stopRequested) earlyStoppedEpoch = early.stoppedEpoch();
            Map<String, Double> fm = new LinkedHashMap<>();
            if (h.size() > 0) {
                h.last().forEach((k, v) -> {
                    if (k.startsWith("val_")) fm.put("test_" + k.substring(4), v);
                    else if (k.startsWith("train_")) fm.put(k, v);
                });
            } else if (!stopRequested) {
                EvalResult r = trainer.evaluate(test);
                r.metrics().forEach((k, v) -> fm.put("test_" + k, v));
            }
            finalMetrics = fm;
            if (h.size() > 0) Models.save(model, out.resolve(ModelFiles.MODEL_FILE));
            synchronized (this) {
                state = stopRequested ? State.STOPPED : State.COMPLETED;
            }
        } catch (Throwable e) {
            error = e;
            state = State.FAILED;
        } finally {
            // An ended job is listed by kindling:jobs for as long as the framework runs: it keeps no model and no data.
            trainer = null;
            this.data = null;
            if (train != null) train.close();
            if (test != null) test.close();
            endNanos = System.nanoTime();
            finished = Instant.now();
            try {
                writeSummary();
            } catch (IOException | RuntimeException e) {
                if (error == null) {
                    error = e;
                    state = State.FAILED;
                }
            }
            done.countDown();
        }
    }

    /**
     * Runs the job as {@code config.nproc} rank JVMs ({@link RankMain}) and waits for them: their events move this job's
     * progress as its own callbacks would; a stop or suspend reaches them as a command on their standard input.
     */
    private void runRanks() throws IOException {
        this.data = null; // each rank prepares its own
        RankProcesses rp;
        synchronized (this) {
            if (killRequested) {
                state = State.STOPPED;
                return;
            }
            rp = new RankProcesses(this, rankLaunch.options(config, out, resumeFrom));
            ranks = rp;
        }
        int code = rp.run();
        if (killRequested) {
            Path checkpoints = out.resolve(ModelFiles.CHECKPOINTS);
            if (lastCheckpoint == null && Files.exists(checkpoints.resolve("latest"))) lastCheckpoint = Checkpoint.resolve(checkpoints);
            synchronized (this) {
                state = State.STOPPED;
            }
            return;
        }
        if (code != 0) throw new IllegalStateException(rp.failure() != null ? rp.failure() : "the ranks failed (exit status " + code + ")");
        List<String> hashes = new java.util.ArrayList<>();
        for (RankProcesses.Rank r : rp.ranks()) {
            if (r.end == null) throw new IllegalStateException("rank " + r.rank + " ended without reporting its end");
            hashes.add(r.end.path("params_sha256").asText());
        }
        if (hashes.stream().distinct().count() > 1) {
            throw new IllegalStateException("the ranks ended with different parameters (SHA-256 by rank: " + String.join(", ", hashes) + ")");
        }
        paramsSha256 = hashes.get(0);
        String ended = rp.ranks().get(0).end.path("state").asText();
        synchronized (this) {
            state = ended.equals("suspended") ? State.SUSPENDED : stopRequested || ended.equals("stopped") ? State.STOPPED : State.COMPLETED;
        }
    }

    // The progress of a job with ranks, from rank 0's events (RankProcesses); a job in this JVM gets it from its callback.

    void trainBegins() { Progress.trainBegins(this, resumeFrom != null); }

    void batchEnded(TrainingState s) {
        inEpoch = true;
        progress = s;
    }

    void epochEnded(TrainingState s, boolean partial) {
        if (partial) partialEpoch = true;
        Progress.epochEnded(this, s);
    }

    /** Rank 0's end: its checkpoint, final metrics and whether early stopping ended the run. */
    void ranksEnded(com.fasterxml.jackson.databind.JsonNode end) {
        Path at = end.hasNonNull("checkpoint") ? Path.of(end.get("checkpoint").asText()) : null;
        if (at != null) lastCheckpoint = at;
        if (end.path("state").asText().equals("suspended")) suspendedAt = at;
        if (end.has("early_stopped_epoch") && !stopRequested) earlyStoppedEpoch = end.get("early_stopped_epoch").asInt();
        if (end.has("final_metrics")) finalMetrics = RankEvents.metrics(end.get("final_metrics"));
    }

    /** All ranks start again from the latest checkpoint after one failed ({@code --max-restarts}). */
    void ranksRestart(String why) {
        epochLines.add(why);
        inEpoch = false;
        progress = null;
        epochsRun = Math.max(0, epochsDone() - startEpoch);
    }

    /** The error in one line: its message, or its type when it has none. */
    String errorMessage() {
        Throwable e = error;
        if (e == null) return null;
        while ((e.getMessage() == null || e.getMessage().isBlank()) && e.getCause() != null) e = e.getCause();
        String m = e.getMessage();
        return m == null || m.isBlank() ? e.getClass().getName() : (e instanceof RuntimeException && !(e instanceof IllegalArgumentException
                || e instanceof IllegalStateException || e instanceof java.io.UncheckedIOException) ? e.getClass().getSimpleName() + ": " + m : m);
    }

    private void writeSummary() throws IOException {
        if (!Files.isDirectory(out)) return;
        ObjectNode s = RunConfig.JSON.createObjectNode();
        s.put("format", "kindling-run-summary").put("version", 1);
        s.put("job", id).put("state", state.label());
        s.put("dataset", config.dataset).put("model", config.model);
        s.set("model_spec", RunConfig.JSON.readTree(config.modelSpec));
        s.put("epochs", config.epochs).put("epochs_completed", epochsDone());
        if (partialEpoch) s.put("last_epoch_partial", true);
        if (earlyStoppedEpoch >= 0) s.put("early_stopped_after_epoch", earlyStoppedEpoch + 1);
        ObjectNode fm = s.putObject("final_metrics");
        finalMetrics.forEach((k, v) -> {
            if (Double.isFinite(v)) fm.put(k, v);
        });
        if (finalMetrics.containsKey("test_accuracy")) s.put("test_accuracy", finalMetrics.get("test_accuracy"));
        if (bestEpoch >= 0) {
            ObjectNode best = s.putObject("best");
            best.put("epoch", bestEpoch + 1).put("val_accuracy", bestValAccuracy).put("checkpoint", ModelFiles.CHECKPOINTS + "/best");
        }
        s.put("wall_seconds", Math.round(wallSeconds() * 1000) / 1000.0);
        s.put("started", String.valueOf(started)).put("finished", String.valueOf(finished));
        if (resumeFrom != null) s.put("resumed_from", resumeFrom.toString());
        if (Files.exists(out.resolve(ModelFiles.MODEL_FILE))) s.put("model_file", ModelFiles.MODEL_FILE);
        s.put("checkpoints", ModelFiles.CHECKPOINTS).put("logs", ModelFiles.LOGS);
        if (distributed()) {
            RankProcesses rp = ranks;
            ObjectNode d = s.putObject("distributed");
            d.put("nproc", config.nproc).put("backend", config.backend).put("restarts", rp == null ? 0 : rp.restarts());
            if (paramsSha256 != null) d.put("params_sha256", paramsSha256);
            if (killRequested) d.put("killed", true);
        }
        s.put("error", errorMessage());
        RunConfig.writeJson(out.resolve(ModelFiles.SUMMARY_FILE), s);
    }

    /** Publishes progress and turns stop requests into {@link Trainer#requestStop()} at the right moment. */
    private final class Progress implements Callback {
        /** The fit begins: the clock of the ETA starts; a resumed run knows its best epoch so far. */
        static void trainBegins(TrainingJob j, boolean resumed) {
            j.fitStartNanos = System.nanoTime();
            if (resumed) {
                try {
                    ModelFiles.CheckpointInfo best = ModelFiles.checkpointInfo(j.out.resolve(ModelFiles.CHECKPOINTS).resolve("best"));
                    Double v = best.metrics().get("val_accuracy");
                    if (v != null) {
                        j.bestValAccuracy = v;
                        j.bestEpoch = best.epoch();
                    }
                } catch (IOException e) {
                    // no best checkpoint yet
                }
            }
        }

        /** An epoch ended: its metrics, the best validation accuracy, its line for watchers. */
        static void epochEnded(TrainingJob j, TrainingState s) {
            j.inEpoch = false;
            j.lastEpoch = s.epoch();
            j.epochsRun++;
            j.lastEpochMetrics = s.epochMetrics();
            Double v = s.epochMetrics().get("val_accuracy");
            if (v != null) j.lastValAccuracy = v;
            if (v != null && !(v <= j.bestValAccuracy)) {
                j.bestValAccuracy = v;
                j.bestEpoch = s.epoch();
            }
            j.epochLines.add(Text.epochLine(s.epoch(), s.epochs(), s.epochMetrics()) + (j.partialEpoch ? "  (stopped after batch " + s.batch() + "/"
                    + s.batchesPerEpoch() + ")" : ""));
        }

        @Override
        public void onTrainBegin(Trainer t) {
            trainBegins(TrainingJob.this, t.resumeFrom() != null);
            if (stopRequested) t.requestStop();
            if (suspendRequested) t.requestSuspend();
        }

        @Override
        public void onEpochBegin(Trainer t, int epoch) { inEpoch = true; }

        @Override
        public void onBatchEnd(Trainer t, TrainingState s) {
            progress = s;
            if (suspendRequested) t.requestSuspend(); // takes effect at the next step boundary
            // Stopping after the last batch would skip the scheduler's epoch step: let such an epoch end normally.
            if (stopRequested && !stopAtEpochEnd && s.batch() != s.batchesPerEpoch()) {
                partialEpoch = true;
                t.requestStop();
            }
        }

        @Override
        public void onEpochEnd(Trainer t, TrainingState s) {
            epochEnded(TrainingJob.this, s);
            if (stopRequested) t.requestStop();
        }
    }
}
