package dev.kindling.train;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Saves a {@link Checkpoint} under {@code dir} after every {@code every} epochs (named {@code epoch-0003}), and
 * optionally the best one by a metric as {@code best}; {@code dir/latest} always names the newest.
 */
public final class ModelCheckpoint implements Callback {
    private final Path dir;
    private final int every;
    private final String monitor;
    private final boolean minimize;
    private double best;
    private Path lastSaved;

    public ModelCheckpoint(Path dir) { this(dir, 1, null, "min"); }

    /** @param monitor a metric to keep the best checkpoint by (null: none) */
    public ModelCheckpoint(Path dir, int every, String monitor, String mode) {
        if (every < 1) throw new IllegalArgumentException("every must be >= 1, got " + every);
        this.dir = dir;
        this.every = every;
        this.monitor = monitor;
        this.minimize = !"max".equals(mode);
    }

    /**
     * Starts with nothing to beat, or, when the trainer resumes a run, with the monitored metric of the best checkpoint
     * already saved in {@code dir}, so that a resumed run keeps the best one of the whole run.
     */
    @Override
    public void onTrainBegin(Trainer t) {
        best = minimize ? Double.POSITIVE_INFINITY : Double.NEGATIVE_INFINITY;
        if (monitor != null && t.resumeFrom() != null && Files.exists(dir.resolve("best").resolve("latest"))) {
            try {
                Double v = Checkpoint.load(dir.resolve("best")).metrics().get(monitor);
                if (v != null && !v.isNaN()) best = v;
            } catch (IOException e) {
                // an unreadable best checkpoint is replaced by the next one
            }
        }
    }

    @Override
    public void onEpochEnd(Trainer t, TrainingState s) {
        boolean last = s.epoch() + 1 == t.epochs() || t.stopRequested();
        if ((s.epoch() + 1) % every != 0 && !last) return;
        try {
            Checkpoint.Data d = t.snapshot(s.epochMetrics());
            lastSaved = Checkpoint.save(dir, String.format("epoch-%04d", s.epoch() + 1), d);
            if (monitor != null) {
                Double v = s.epochMetrics().get(monitor);
                if (v != null && (minimize ? v < best : v > best)) {
                    best = v;
                    Checkpoint.save(dir.resolve("best"), "checkpoint", d);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot save a checkpoint in " + dir + ": " + e.getMessage(), e);
        }
    }

    public Path lastSaved() { return lastSaved; }
}
