package dev.kindling.train;

import dev.kindling.api.DType;
import dev.kindling.amp.GradScaler;
import dev.kindling.api.AutocastMode;
import dev.kindling.api.Device;
import dev.kindling.api.Generator;
import dev.kindling.api.Tensor;
import dev.kindling.api.Torch;
import dev.kindling.api.autograd.StaleGraphException;
import dev.kindling.data.Batch;
import dev.kindling.data.DataLoader;
import dev.kindling.nn.Module;
import dev.kindling.optim.Optimizer;
import dev.kindling.optim.lr.LRScheduler;
import dev.kindling.optim.lr.ReduceLROnPlateau;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The training loop a PyTorch user writes by hand, packaged: {@code fit} (device placement, gradient accumulation and
 * clipping, LR scheduling per step or per epoch, validation, callbacks), {@code evaluate} (loss and classification
 * metrics) and {@code predict}. Resuming from a {@link Checkpoint} restores weights, optimizer and scheduler state,
 * the epoch and step counters and the random generators, so a resumed run ends bit for bit where an uninterrupted one
 * does. {@link #requestSuspend()} ends a fit at the next optimizer-step boundary inside an epoch; {@link #snapshot}
 * then includes the position in the epoch (the loader's too), and a run resumed from it continues with the next
 * batch, again bit for bit. A plain loop stays possible: the Trainer only calls public API.
 *
 * <pre>{@code
 * Trainer trainer = Trainer.builder(model).optimizer(new SGD(model.parameters(), 0.1)).loss(new CrossEntropyLoss())
 *     .epochs(10).callbacks(new ProgressLogger(System.out)).build();
 * History h = trainer.fit(trainLoader, testLoader);
 * }</pre>
 */
public final class Trainer {
    /** When the scheduler steps: after every optimizer step, or after every epoch. */
    public enum SchedulerInterval { STEP, EPOCH }

    private final Module model;
    /** What fit() runs forward and backward on: the model, or the strategy's wrapper of it. */
    private final Module trainModel;
    private final TrainingStrategy strategy;
    private final Optimizer optimizer;
    private final Module lossFn;
    private final LRScheduler scheduler;
    private final SchedulerInterval interval;
    /** Where the model trains; {@link #requestDevice} moves it between two steps. */
    private volatile Device device;
    private volatile Device requestedDevice;
    private final int epochs;
    private final double clipNorm;
    private final int accumulate;
    private final List<Callback> callbacks;
    private final String modelSpec;
    private final int topK;
    private final Path resumeFrom;
    private final boolean validateStoppedEpoch;
    private final Precision precision;
    /** Loss scaling for float16 (null otherwise: bfloat16 needs none). */
    private final GradScaler scaler;
    private final History history = new History();
    private volatile boolean stopRequested;
    private volatile boolean suspendRequested;
    private boolean suspended;
    /** The epoch in progress, while a fit is inside one (and after a suspended fit): what a mid-epoch snapshot saves. */
    private EpochProgress progress;
    /** Where a checkpoint taken mid-epoch left off: the first epoch of this fit continues there. */
    private Checkpoint.Position resumePosition;
    private int epoch;
    private long step;
    private DataLoader<?> trainLoader;

    private Trainer(Builder b) {
        this.model = b.model;
        this.strategy = b.strategy;
        this.trainModel = b.strategy.wrap(b.model);
        this.optimizer = b.optimizer;
        this.lossFn = b.loss;
        this.scheduler = b.scheduler;
        this.interval = b.interval;
        this.device = b.device;
        this.epochs = b.epochs;
        this.clipNorm = b.clipNorm;
        this.accumulate = b.accumulate;
        this.callbacks = b.callbacks.stream().filter(b.strategy::runsCallback).toList();
        this.modelSpec = b.modelSpec;
        this.topK = b.topK;
        this.resumeFrom = b.resumeFrom;
        this.validateStoppedEpoch = b.validateStoppedEpoch;
        this.precision = b.precision;
        this.scaler = b.precision == Precision.FP16_MIXED ? new GradScaler() : null;
    }

    public static Builder builder(Module model) { return new Builder(model); }

    public static final class Builder {
        private final Module model;
        private Optimizer optimizer;
        private Module loss;
        private LRScheduler scheduler;
        private SchedulerInterval interval = SchedulerInterval.EPOCH;
        private Device device = Device.CPU;
        private Precision precision = Precision.FP32;
        private int epochs = 1;
        private double clipNorm = 0;
        private int accumulate = 1;
        private final List<Callback> callbacks = new ArrayList<>();
        private String modelSpec;
        private int topK = 5;
        private Path resumeFrom;
        private boolean validateStoppedEpoch = true;
        private TrainingStrategy strategy = TrainingStrategy.SINGLE_PROCESS;

        private Builder(Module model) {
            if (model == null) throw new IllegalArgumentException("model is null");
            this.model = model;
        }

        public Builder optimizer(Optimizer o) { this.optimizer = o; return this; }

        /** A loss Module called as {@code loss.forward(output, target)}. */
        public Builder loss(Module l) { this.loss = l; return this; }

        public Builder scheduler(LRScheduler s, SchedulerInterval when) { this.scheduler = s; this.interval = when; return this; }

        public Builder device(Device d) { this.device = d; return this; }

        /**
         * Forward passes in float32 (the default) or under autocast: {@code BF16_MIXED}, {@code FP16_MIXED} (with
         * dynamic loss scaling, whose state checkpoints keep).
         */
        public Builder precision(Precision p) { this.precision = java.util.Objects.requireNonNull(p, "precision"); return this; }

        public Builder epochs(int n) {
            if (n < 0) throw new IllegalArgumentException("epochs must be >= 0, got " + n);
            this.epochs = n;
            return this;
        }

        /** Clips the joint gradient norm to {@code maxNorm} before each optimizer step (0 = off). */
        public Builder gradClipNorm(double maxNorm) { this.clipNorm = maxNorm; return this; }

        /** Accumulates gradients over {@code n} batches per optimizer step (the loss is divided by n). */
        public Builder accumulateGradients(int n) {
            if (n < 1) throw new IllegalArgumentException("gradient accumulation needs n >= 1, got " + n);
            this.accumulate = n;
            return this;
        }

        public Builder callbacks(Callback... cbs) { callbacks.addAll(List.of(cbs)); return this; }

        /** The model's spec (JSON), saved in checkpoints so that a model can be rebuilt from one. */
        public Builder modelSpec(String json) { this.modelSpec = json; return this; }

        /** k of the top-k accuracy (default 5). */
        public Builder topK(int k) { this.topK = k; return this; }

        /** Continues from a checkpoint (a checkpoint directory, or one whose {@code latest} names it). */
        public Builder resumeFrom(Path checkpoint) { this.resumeFrom = checkpoint; return this; }

        /**
         * Whether an epoch cut short by {@link Trainer#requestStop()} is still validated (default true). With false a
         * stop is prompt: the epoch ends right after the current batch, its metrics without {@code val_*}.
         */
        public Builder validateStoppedEpoch(boolean validate) { this.validateStoppedEpoch = validate; return this; }

        /** How training is spread over processes; {@link DataParallelStrategy} for DDP (default: this process alone). */
        public Builder strategy(TrainingStrategy s) { this.strategy = java.util.Objects.requireNonNull(s, "strategy"); return this; }

        public Trainer build() {
            if (optimizer == null) throw new IllegalStateException("Trainer needs an optimizer");
            if (loss == null) throw new IllegalStateException("Trainer needs a loss");
            return new Trainer(this);
        }
    }

    public Module model() { return model; }
    public TrainingStrategy strategy() { return strategy; }
    public Optimizer optimizer() { return optimizer; }
    public LRScheduler scheduler() { return scheduler; }
    public String modelSpec() { return modelSpec; }
    public int epochs() { return epochs; }
    /** The epoch running or last finished (0-based). */
    public int epoch() { return epoch; }
    /** Optimizer steps taken. */
    public long step() { return step; }
    public History history() { return history; }
    /** The checkpoint this trainer resumes from, or null for a fresh start. */
    public Path resumeFrom() { return resumeFrom; }

    /** Ends the fit cleanly after the current batch (callbacks still see the epoch end). */
    public void requestStop() { stopRequested = true; }

    public boolean stopRequested() { return stopRequested; }

    /**
     * Ends the fit at the next optimizer-step boundary without finishing the epoch: no validation, scheduler epoch
     * step or {@code onEpochEnd}; {@code onTrainEnd} is called. {@link #snapshot} then saves the position in the epoch,
     * so a run resumed from it goes on as if never interrupted (a bundle update, a restart of the process).
     */
    public void requestSuspend() { suspendRequested = true; }

    /** The device the model trains on now. */
    public Device device() { return device; }

    /**
     * Moves the training to {@code target} at the next optimizer-step boundary (a fit not yet started begins there): the
     * model's parameters, buffers and gradients and the optimizer's state tensors change device in place (every
     * reference to them stays valid), and the following batches go there. For a device type whose backend is going
     * away, or one that has become available.
     */
    public void requestDevice(Device target) {
        if (target == null) throw new IllegalArgumentException("device is null");
        requestedDevice = target;
    }

    private void moveTo(Device target) {
        requestedDevice = null;
        if (target.equals(device)) return;
        model.to(target);
        try (var g = Torch.noGrad()) {
            for (Map<String, Object> st : optimizer.state().values()) {
                for (Object v : st.values()) {
                    if (v instanceof Tensor && !((Tensor) v).device().equals(target)) ((Tensor) v).setData(((Tensor) v).to(target));
                }
            }
        }
        device = target;
    }

    /** Whether the last fit ended by {@link #requestSuspend()} inside an epoch. */
    public boolean suspended() { return suspended; }

    /** Running sums of the epoch in progress; {@code pending} batches' gradients are accumulated but not yet stepped. */
    private static final class EpochProgress {
        int batch;
        int pending;
        double lossSum;
        long seen;
        long correct;
        long classified;
        long startNanos = System.nanoTime();

        Checkpoint.Position position(Map<String, Object> loader) {
            Map<String, Double> t = new LinkedHashMap<>();
            t.put("loss_sum", lossSum);
            t.put("samples", (double) seen);
            t.put("correct", (double) correct);
            t.put("classified", (double) classified);
            t.put("seconds", (System.nanoTime() - startNanos) / 1e9);
            return new Checkpoint.Position(batch, loader, t);
        }

        static EpochProgress of(Checkpoint.Position p) {
            EpochProgress e = new EpochProgress();
            if (p == null) return e;
            Map<String, Double> t = p.totals();
            e.batch = p.batch();
            e.lossSum = t.getOrDefault("loss_sum", 0.0);
            e.seen = t.getOrDefault("samples", 0.0).longValue();
            e.correct = t.getOrDefault("correct", 0.0).longValue();
            e.classified = t.getOrDefault("classified", 0.0).longValue();
            e.startNanos -= (long) (t.getOrDefault("seconds", 0.0) * 1e9);
            return e;
        }
    }

    public double lr() { return optimizer.paramGroups().get(0).lr(); }

    public Precision precision() { return precision; }

    /** The float16 loss scaler, or null (float32 and bfloat16 training have none). */
    public GradScaler gradScaler() { return scaler; }

    /** An autocast region for this trainer's precision, or null (no region) for float32. */
    private AutocastMode autocast() { return precision == Precision.FP32 ? null : Torch.autocast(device, precision.autocastDtype()); }

    public History fit(DataLoader<?> train) { return fit(train, null); }

    public History fit(DataLoader<?> train, DataLoader<?> validation) {
        this.trainLoader = train;
        int startEpoch = 0;
        resumePosition = null;
        progress = null;
        if (resumeFrom != null) startEpoch = restore(resumeFrom);
        model.to(device);
        Device requested = requestedDevice;
        if (requested != null) moveTo(requested);
        stopRequested = false;
        suspendRequested = false;
        suspended = false;
        callbacks.forEach(c -> c.onTrainBegin(this));
        int batches = sizeOf(train);
        for (epoch = startEpoch; epoch < epochs && !stopRequested; epoch++) {
            model.train();
            strategy.onEpochBegin(train, epoch);
            callbacks.forEach(c -> c.onEpochBegin(this, epoch));
            EpochProgress p = EpochProgress.of(resumePosition);
            // A checkpoint taken after the epoch's last batch: only the epoch's end is left (iterating would start the next).
            boolean batchesLeft = resumePosition == null || resumePosition.batch() != batches;
            resumePosition = null;
            progress = p;
            optimizer.zeroGrad();
            for (Batch b : batchesLeft ? train : List.<Batch>of()) {
                Tensor bx = b.inputs().to(device), by = b.targets().to(device);
                Tensor[][] result = new Tensor[1][];
                if (p.pending + 1 == accumulate || p.batch + 1 == batches) result[0] = forwardBackward(bx, by);
                else strategy.withoutGradientSync(trainModel, () -> result[0] = forwardBackward(bx, by)); // not the window's last backward
                Tensor out = result[0][0];
                Tensor loss = result[0][1];
                Tensor y = result[0][2];
                p.pending++;
                p.batch++;
                boolean last = p.batch == batches;
                if (p.pending == accumulate || last) {
                    if (scaler != null) {
                        if (clipNorm > 0) {
                            scaler.unscale_(optimizer); // clip the true gradients, not the scaled ones
                            GradClip.clipGradNorm(model.parameters(), clipNorm);
                        }
                        scaler.step(optimizer); // skipped when a gradient is inf or NaN
                        scaler.update();
                    } else {
                        if (clipNorm > 0) GradClip.clipGradNorm(model.parameters(), clipNorm);
                        optimizer.step();
                    }
                    optimizer.zeroGrad();
                    p.pending = 0;
                    step++;
                    if (scheduler != null && interval == SchedulerInterval.STEP) scheduler.step();
                }
                int n = b.size();
                double l = loss.item();
                p.lossSum += l * n;
                p.seen += n;
                if (isClassification(out, y)) {
                    try (var g = Torch.noGrad()) {
                        p.correct += out.argmax(1, false).eq(y).toLong().sum().itemLong();
                    }
                    p.classified += n;
                }
                double secs = (System.nanoTime() - p.startNanos) / 1e9;
                TrainingState s = new TrainingState(epoch, epochs, step, p.batch, batches, l,
                        p.classified == 0 ? Double.NaN : (double) p.correct / p.classified, secs > 0 ? p.seen / secs : 0, lr(), Map.of());
                callbacks.forEach(c -> c.onBatchEnd(this, s));
                if (suspendRequested && p.pending == 0) {
                    suspended = true;
                    break;
                }
                Device to = requestedDevice;
                if (to != null && p.pending == 0) moveTo(to);
                if (stopRequested) break;
            }
            if (suspended) break; // the epoch goes on in the run resumed from snapshot()
            progress = null;
            double lossSum = p.lossSum;
            long seen = p.seen;
            long correct = p.correct;
            long classified = p.classified;
            long start = p.startNanos;
            int batch = p.batch;
            Map<String, Double> local = new LinkedHashMap<>();
            local.put("train_loss", seen == 0 ? Double.NaN : lossSum / seen);
            if (classified > 0) local.put("train_accuracy", (double) correct / classified);
            double secs = (System.nanoTime() - start) / 1e9;
            local.put("samples_per_second", secs > 0 ? seen / secs : 0);
            local.put("epoch_seconds", secs);
            boolean cutShort = stopRequested && batch != batches;
            if (validation != null && (validateStoppedEpoch || !cutShort)) {
                EvalResult r = evaluate(validation);
                r.metrics().forEach((k, v) -> local.put("val_" + k, v));
            }
            local.put("lr", lr());
            // the same metrics on every process, so that schedulers and early stopping decide alike
            Map<String, Double> m = strategy.reduceMetrics(local);
            if (scheduler != null && interval == SchedulerInterval.EPOCH && !stopRequested) {
                if (scheduler instanceof ReduceLROnPlateau) {
                    ((ReduceLROnPlateau) scheduler).step(m.getOrDefault("val_loss", m.get("train_loss")));
                } else {
                    scheduler.step();
                }
            }
            history.add(m);
            TrainingState s = new TrainingState(epoch, epochs, step, batch, batches, m.get("train_loss"),
                    m.getOrDefault("train_accuracy", Double.NaN), m.get("samples_per_second"), lr(), m);
            callbacks.forEach(c -> c.onEpochEnd(this, s));
            strategy.onEpochEnd();
        }
        if (!suspended && epoch > 0 && epoch > startEpoch) epoch--;
        callbacks.forEach(c -> c.onTrainEnd(this));
        return history;
    }

    /** How often a batch is computed again when the autograd bundle is updated under it. */
    private static final int BATCH_ATTEMPTS = 3;

    /**
     * The batch's forward pass and backward: outputs, loss and targets. When the autograd bundle is updated during the
     * forward pass the graph recorded so far belongs to the old engine ({@link StaleGraphException}, thrown before any
     * gradient was accumulated): the batch is computed again, with the default generator as it was, so that dropout
     * draws the same numbers and the run stays bit for bit what it would have been.
     */
    private Tensor[] forwardBackward(Tensor x, Tensor y) {
        byte[] rng = Torch.defaultGenerator().getState();
        for (int attempt = 1; ; attempt++) {
            try {
                Tensor out, loss;
                try (AutocastMode ac = autocast()) {
                    out = trainModel.forward(x);
                    loss = lossFn.forward(out, y);
                }
                Tensor toBackward = accumulate > 1 ? loss.div((double) accumulate) : loss;
                (scaler != null ? scaler.scale(toBackward) : toBackward).backward();
                return new Tensor[] {out, loss, y};
            } catch (StaleGraphException e) {
                if (attempt == BATCH_ATTEMPTS) throw e;
                Torch.defaultGenerator().setState(rng);
            }
        }
    }

    private static int sizeOf(DataLoader<?> loader) {
        try {
            return loader.size();
        } catch (RuntimeException e) {
            return -1; // iterable dataset: unknown
        }
    }

    private static boolean isClassification(Tensor out, Tensor y) {
        return out.dim() == 2 && y.dim() == 1 && !y.dtype().isFloatingPoint() && y.dtype() != DType.BOOL;
    }

    /** Mean loss and, for classification (scores [N, C] against class indices), the metrics. */
    public EvalResult evaluate(DataLoader<?> loader) {
        model.to(device);
        boolean wasTraining = model.isTraining();
        model.eval();
        double lossSum = 0;
        long n = 0;
        ClassificationMetrics cm = null;
        try (var g = Torch.noGrad()) {
            for (Batch b : loader) {
                Tensor x = b.inputs().to(device);
                Tensor y = b.targets().to(device);
                Tensor out;
                try (AutocastMode ac = autocast()) {
                    out = trainModel.forward(x);
                    lossSum += lossFn.forward(out, y).item() * b.size();
                }
                n += b.size();
                if (isClassification(out, y)) {
                    if (cm == null) cm = new ClassificationMetrics((int) out.size(1), topK);
                    cm.update(out.cpu(), y.cpu());
                }
            }
        } finally {
            model.train(wasTraining);
        }
        return new EvalResult(n == 0 ? Double.NaN : lossSum / n, n, cm);
    }

    /** The model's outputs for every batch, concatenated (eval mode, no gradients). */
    public Tensor predict(DataLoader<?> loader) {
        model.to(device);
        boolean wasTraining = model.isTraining();
        model.eval();
        List<Tensor> outs = new ArrayList<>();
        try (var g = Torch.noGrad()) {
            for (Batch b : loader) outs.add(model.forward(b.inputs().to(device)).cpu());
        } finally {
            model.train(wasTraining);
        }
        if (outs.isEmpty()) throw new IllegalArgumentException("predict got an empty loader");
        return Torch.cat(outs, 0);
    }

    public Tensor predict(Tensor inputs) {
        model.to(device);
        boolean wasTraining = model.isTraining();
        model.eval();
        try (var g = Torch.noGrad()) {
            return model.forward(inputs.to(device)).cpu();
        } finally {
            model.train(wasTraining);
        }
    }

    /**
     * The state as a checkpoint saves it: after the current epoch (from {@code onEpochEnd}), or, inside an epoch (from
     * {@code onBatchEnd}, or after a suspended fit), at the current position in it. Inside an epoch it must be taken at
     * an optimizer-step boundary: gradients accumulated over part of a step are not saved.
     */
    public Checkpoint.Data snapshot(Map<String, Double> metrics) {
        EpochProgress p = progress;
        if (p != null && p.pending != 0) {
            throw new IllegalStateException("a checkpoint inside an epoch is taken at an optimizer-step boundary: " + p.pending + " of "
                    + accumulate + " accumulated batches are pending (snapshot after the step, or use requestSuspend())");
        }
        Map<String, byte[]> rng = new LinkedHashMap<>();
        rng.put("default", Torch.defaultGenerator().getState());
        Generator lg = trainLoader == null ? null : trainLoader.generator();
        if (lg != null) rng.put("train_loader", lg.getState());
        Checkpoint.Position position = p == null ? null : p.position(trainLoader.stateDict());
        return new Checkpoint.Data(p == null ? epoch : epoch - 1, step, model.stateDict(), modelSpec, optimizer.stateDict(),
                scheduler == null ? null : scheduler.stateDict(), rng, metrics, scaler == null ? null : scaler.stateDict(), position);
    }

    /** Restores a checkpoint; returns the epoch to continue with. */
    private int restore(Path path) {
        Checkpoint.Data d;
        try {
            d = Checkpoint.load(path);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot resume from " + path + ": " + e.getMessage(), e);
        }
        model.loadStateDict(d.model());
        optimizer.loadStateDict(d.optimizer());
        if (scheduler != null && d.scheduler() != null) scheduler.loadStateDict(d.scheduler());
        if (scaler != null && d.gradScaler() != null) scaler.loadStateDict(d.gradScaler());
        if (d.rng().containsKey("default")) Torch.defaultGenerator().setState(d.rng().get("default"));
        Generator lg = trainLoader.generator();
        if (lg != null && d.rng().containsKey("train_loader")) lg.setState(d.rng().get("train_loader"));
        step = d.step();
        if (d.position() != null) {
            trainLoader.loadStateDict(d.position().loader());
            resumePosition = d.position();
        }
        return d.resumeEpoch();
    }
}
