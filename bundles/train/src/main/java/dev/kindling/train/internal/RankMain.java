package dev.kindling.train.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kindling.api.Device;
import dev.kindling.api.Tensor;
import dev.kindling.api.Torch;
import dev.kindling.api.spi.TensorRuntimes;
import dev.kindling.data.DataLoader;
import dev.kindling.data.DistributedSampler;
import dev.kindling.data.Sample;
import dev.kindling.distributed.Dist;
import dev.kindling.distributed.InitOptions;
import dev.kindling.distributed.ProcessGroup;
import dev.kindling.distributed.ReduceOp;
import dev.kindling.io.Models;
import dev.kindling.kernel.Kernel;
import dev.kindling.nn.Module;
import dev.kindling.optim.Optimizer;
import dev.kindling.optim.lr.LRScheduler;
import dev.kindling.train.Callback;
import dev.kindling.train.Checkpoint;
import dev.kindling.train.DataParallelStrategy;
import dev.kindling.train.EarlyStopping;
import dev.kindling.train.EvalResult;
import dev.kindling.train.History;
import dev.kindling.train.MetricLogger;
import dev.kindling.train.ModelCheckpoint;
import dev.kindling.train.Trainer;
import dev.kindling.train.TrainingState;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * One rank of a {@code kindling:train --nproc} job, in a JVM of its own on a plain class path: the shell starts the
 * ranks through kindling-run's launcher ({@link RankProcesses}), with {@code RANK}, {@code LOCAL_RANK},
 * {@code WORLD_SIZE}, {@code MASTER_ADDR} and {@code MASTER_PORT} set. Each rank builds the run its {@code run.json}
 * describes, as the shell's in-process job does, and trains it with the Trainer's {@link DataParallelStrategy}: a
 * {@link DistributedSampler} gives it its share of the training set, DDP averages the gradients, epoch metrics are
 * averaged over the ranks, and rank 0 alone writes checkpoints, logs and the model file.
 *
 * <p>It reports to the shell through {@link RankEvents} lines on standard output and takes the shell's commands (stop,
 * stop at the end of the epoch, suspend) on standard input. The ranks agree on commands with a three-value all-reduce
 * after every batch, so all of them act on a command at the same batch whichever rank read it first. A suspended job
 * saves every rank's place in the epoch (rank 0's in {@code checkpoints/step-N}, rank r's in
 * {@code checkpoints/ranks/rank-r/step-N}), so it continues bit for bit. When standard input closes, the JVM that
 * started the rank is gone (even killed with {@code kill -9}): the rank halts, so no rank outlives the shell.
 *
 * <p>Arguments: {@code <run directory> [<checkpoint to resume from>]}. After a restart ({@code KINDLING_RESTART_COUNT}
 * above 0) it resumes from the run's latest checkpoint.
 */
public final class RankMain {
    private final Path out;
    private final int rank;
    private final int localRank;
    private final int worldSize;
    private final PrintStream events;
    private volatile boolean stop, stopAtEpochEnd, suspend;
    private ProcessGroup group;

    private RankMain(Path out, int rank, int localRank, int worldSize, PrintStream events) {
        this.out = out;
        this.rank = rank;
        this.localRank = localRank;
        this.worldSize = worldSize;
        this.events = events;
    }

    public static void main(String[] args) {
        if (args.length < 1 || args.length > 2) {
            System.err.println("usage: RankMain <run directory> [<checkpoint>] (started by kindling:train --nproc, with RANK, WORLD_SIZE, "
                    + "MASTER_ADDR and MASTER_PORT set)");
            System.exit(2);
        }
        int rank = env("RANK", 0), local = env("LOCAL_RANK", rank), world = env("WORLD_SIZE", 1);
        RankMain r = new RankMain(Path.of(args[0]), rank, local, world, System.out);
        ObjectNode ready = RankEvents.event("ready").put("rank", rank).put("pid", ProcessHandle.current().pid());
        RankEvents.emit(r.events, ready);
        r.readCommands();
        int code = 0;
        try {
            r.train(args.length > 1 ? Path.of(args[1]) : null, env("KINDLING_RESTART_COUNT", 0));
        } catch (Throwable e) {
            RankEvents.emit(r.events, RankEvents.event("failed").put("rank", rank).put("error", message(e)));
            e.printStackTrace();
            code = 1;
        }
        System.exit(code); // data loader workers and the like must not keep the rank alive
    }

    private static int env(String name, int dflt) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? dflt : Integer.parseInt(v.trim());
    }

    static String message(Throwable e) {
        Throwable t = e;
        while ((t.getMessage() == null || t.getMessage().isBlank()) && t.getCause() != null) t = t.getCause();
        String m = t.getMessage();
        return m == null || m.isBlank() ? t.getClass().getName() : t instanceof IllegalArgumentException || t instanceof IllegalStateException
                ? m : t.getClass().getSimpleName() + ": " + m;
    }

    /** Commands from the shell, one per line; the end of the input means the shell is gone. */
    private void readCommands() {
        Thread t = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    switch (line.trim()) {
                        case RankEvents.STOP -> stop = true;
                        case RankEvents.STOP_AT_EPOCH_END -> stopAtEpochEnd = true;
                        case RankEvents.SUSPEND -> suspend = true;
                        default -> System.err.println("rank " + rank + ": unknown command '" + line + "' ignored");
                    }
                }
            } catch (IOException e) {
                // as closed
            }
            System.err.println("rank " + rank + ": standard input closed, so the process that started this rank has ended: halting");
            Runtime.getRuntime().halt(1);
        }, "kindling-rank-commands");
        t.setDaemon(true);
        t.start();
    }

    private void train(Path resumeArg, int restart) throws Exception {
        RunConfig config = RunConfig.read(out.resolve(RunConfig.FILE));
        Path checkpoints = out.resolve(ModelFiles.CHECKPOINTS);
        Path resumeFrom = resumeArg;
        if (restart > 0 && Files.exists(checkpoints.resolve("latest"))) resumeFrom = Checkpoint.resolve(checkpoints);
        Path mine = rankCheckpoint(resumeFrom, rank);

        long t0 = System.nanoTime();
        group = Dist.initProcessGroup(InitOptions.builder().backend(config.backend).build());
        if (group.size() != worldSize || group.rank() != rank) {
            throw new IllegalStateException("the process group has rank " + group.rank() + " of " + group.size() + ", expected " + rank + " of " + worldSize);
        }
        RankEvents.emit(events, RankEvents.event("connected").put("rank", rank).put("rendezvous_ms", (System.nanoTime() - t0) / 1_000_000)
                .put("restart", restart).put("resume_from", resumeFrom == null ? null : resumeFrom.toString()));

        Kernel kernel = (Kernel) TensorRuntimes.get();
        DataPrep.Data data = RunSetup.data(kernel, config);
        if (data.train().size() < worldSize) {
            throw new IllegalArgumentException("the training set has " + data.train().size() + " samples, fewer than the " + worldSize + " ranks");
        }
        Torch.manualSeed(config.seed);
        Module model = RunSetup.model(config);
        Optimizer optimizer = RunSetup.optimizer(kernel, config, model.parameters());
        LRScheduler scheduler = RunSetup.scheduler(kernel, config, optimizer);
        Module loss = RunSetup.loss(kernel, config);
        Device device = RunSetup.device(kernel, rankDevice(config.device, localRank, worldSize));
        DataLoader<Sample> train = DataLoader.builder(data.train()).batchSize(config.batchSize)
                .sampler(new DistributedSampler(data.train().size(), worldSize, rank, true, config.seed, false)).numWorkers(config.workers).build();
        DataLoader<Sample> test = DataLoader.builder(data.test()).batchSize(Math.max(256, config.batchSize)).numWorkers(config.workers).build();
        try {
            ModelCheckpoint checkpointer = new ModelCheckpoint(checkpoints, 1, "val_accuracy", "max");
            EarlyStopping early = config.patience > 0 ? new EarlyStopping("val_loss", config.patience) : null;
            Control control = new Control();
            Trainer.Builder b = Trainer.builder(model).optimizer(optimizer).loss(loss).epochs(config.epochs).device(device)
                    .modelSpec(config.modelSpec).validateStoppedEpoch(false).strategy(new DataParallelStrategy(group))
                    .callbacks(control, checkpointer, new MetricLogger(out.resolve(ModelFiles.LOGS)));
            if (early != null) b.callbacks(early);
            if (scheduler != null) {
                b.scheduler(scheduler, config.schedulerInterval.equals("step") ? Trainer.SchedulerInterval.STEP : Trainer.SchedulerInterval.EPOCH);
            }
            if (config.clipNorm > 0) b.gradClipNorm(config.clipNorm);
            b.precision(dev.kindling.train.Precision.parse(config.precision));
            if (mine != null) b.resumeFrom(mine);
            Trainer trainer = b.build();
            History h = trainer.fit(train, test);

            ObjectNode end = RankEvents.event("end").put("rank", rank);
            if (trainer.suspended()) {
                // every rank's place in the epoch (its share of the data, its running sums): rank 0's last, once the others have theirs
                String name = String.format(Locale.ROOT, "step-%08d", trainer.step());
                Checkpoint.Data snapshot = trainer.snapshot(Map.of());
                if (rank > 0) Checkpoint.save(rankDirectory(checkpoints, rank), name, snapshot);
                group.barrier().await();
                if (rank == 0) end.put("checkpoint", Checkpoint.save(checkpoints, name, snapshot).toString());
                end.put("state", "suspended");
            } else {
                end.put("state", control.agreedStop || control.agreedAtEpochEnd ? "stopped" : "completed");
                if (rank == 0) {
                    Path last = checkpointer.lastSaved();
                    if (last != null) end.put("checkpoint", last.toString());
                    if (early != null && early.stoppedEpoch() >= 0) end.put("early_stopped_epoch", early.stoppedEpoch());
                    Map<String, Double> fm = new LinkedHashMap<>();
                    if (h.size() > 0) {
                        h.last().forEach((k, v) -> {
                            if (k.startsWith("val_")) fm.put("test_" + k.substring(4), v);
                            else if (k.startsWith("train_")) fm.put(k, v);
                        });
                        Models.save(model, out.resolve(ModelFiles.MODEL_FILE));
                    } else if (!control.agreedStop && !control.agreedAtEpochEnd) {
                        EvalResult r = trainer.evaluate(test);
                        r.metrics().forEach((k, v) -> fm.put("test_" + k, v));
                    }
                    end.set("final_metrics", RankEvents.metrics(fm));
                }
            }
            group.barrier().await();
            end.put("params_sha256", sha256(model)).put("step", trainer.step());
            RankEvents.emit(events, end);
        } finally {
            train.close();
            test.close();
            try {
                Dist.destroyProcessGroup();
            } catch (RuntimeException e) {
                // ending anyway
            }
        }
    }

    /** With {@code --device cuda} each rank takes its own GPU (cuda:LOCAL_RANK), as PyTorch's one process per GPU. */
    static String rankDevice(String device, int localRank, int worldSize) {
        String d = device.trim().toLowerCase(Locale.ROOT);
        return d.equals("cuda") && worldSize > 1 ? "cuda:" + localRank : device;
    }

    static Path rankDirectory(Path checkpoints, int rank) { return checkpoints.resolve("ranks").resolve("rank-" + rank); }

    /**
     * The checkpoint rank {@code rank} resumes from: the run's own at an epoch boundary (all ranks are alike there); for
     * a checkpoint inside an epoch, the rank's place in it ({@code checkpoints/ranks/rank-r/step-N}, rank 0's is the
     * checkpoint itself).
     */
    static Path rankCheckpoint(Path checkpoint, int rank) throws IOException {
        if (checkpoint == null || rank == 0) return checkpoint;
        if (Checkpoint.load(checkpoint).position() == null) return checkpoint;
        Path mine = rankDirectory(checkpoint.getParent(), rank).resolve(checkpoint.getFileName().toString());
        if (!Files.isRegularFile(mine.resolve("checkpoint.json"))) {
            throw new IllegalStateException(checkpoint + " was taken inside an epoch and rank " + rank + " has no place saved next to it (" + mine
                    + "): it continues only with as many ranks as it was suspended with; resume from an epoch checkpoint instead");
        }
        return mine;
    }

    /** SHA-256 of the parameters and buffers, in state-dict order: equal on every rank when DDP kept them in step. */
    static String sha256(Module model) throws NoSuchAlgorithmException {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        for (Map.Entry<String, Tensor> e : model.stateDict().entrySet()) {
            md.update(e.getKey().getBytes(StandardCharsets.UTF_8));
            double[] v = e.getValue().cpu().toDoubleArray();
            ByteBuffer bb = ByteBuffer.allocate(v.length * 8);
            for (double x : v) bb.putDouble(x);
            md.update(bb.array());
        }
        return HexFormat.of().formatHex(md.digest());
    }

    /** Reports progress to the shell, and makes the ranks act on its commands at the same batch. */
    private final class Control implements Callback {
        boolean agreedStop, agreedAtEpochEnd, agreedSuspend, partialEpoch;
        private long lastBatchEvent;

        /** One all-reduce (MAX) of the commands each rank has read: every rank gets the same answer. */
        private void agree() {
            double[] f = {stop ? 1 : 0, stopAtEpochEnd ? 1 : 0, suspend ? 1 : 0};
            group.allReduce(f, ReduceOp.MAX).await();
            agreedStop |= f[0] > 0;
            agreedAtEpochEnd |= f[1] > 0;
            agreedSuspend |= f[2] > 0;
        }

        @Override
        public void onTrainBegin(Trainer t) {
            RankEvents.emit(events, RankEvents.event("train_begin").put("rank", rank).put("resumed", t.resumeFrom() != null));
            agree();
            if (agreedStop || agreedAtEpochEnd) t.requestStop();
            if (agreedSuspend) t.requestSuspend();
        }

        @Override
        public void onBatchEnd(Trainer t, TrainingState s) {
            agree();
            if (agreedSuspend) t.requestSuspend(); // at the next step boundary
            // Stopping after the last batch would skip the scheduler's epoch step: such an epoch ends normally.
            if (agreedStop && s.batch() != s.batchesPerEpoch()) {
                partialEpoch = true;
                t.requestStop();
            }
            long now = System.nanoTime();
            if (s.batch() == 1 || s.batch() == s.batchesPerEpoch() || now - lastBatchEvent >= RankEvents.BATCH_EVENT_MILLIS * 1_000_000) {
                lastBatchEvent = now;
                RankEvents.emit(events, RankEvents.state("batch", s).put("rank", rank));
            }
        }

        @Override
        public void onEpochEnd(Trainer t, TrainingState s) {
            RankEvents.emit(events, RankEvents.state("epoch", s).put("rank", rank).put("partial", partialEpoch));
            if (agreedStop || agreedAtEpochEnd) t.requestStop();
        }
    }
}
