package dev.kindling.train;

import java.io.PrintStream;
import java.util.Locale;
import java.util.Map;

/** Prints progress every {@code everyBatches} batches and a summary line per epoch. */
public final class ProgressLogger implements Callback {
    private final PrintStream out;
    private final int every;

    public ProgressLogger(PrintStream out) { this(out, 0); }

    /** @param everyBatches 0 prints only the epoch summaries */
    public ProgressLogger(PrintStream out, int everyBatches) {
        this.out = out;
        this.every = everyBatches;
    }

    @Override
    public void onBatchEnd(Trainer t, TrainingState s) {
        if (every > 0 && s.batch() % every == 0) {
            out.println(String.format(Locale.ROOT, "epoch %d/%d  batch %d/%d  loss %.4f%s  %.0f samples/s", s.epoch() + 1, s.epochs(),
                    s.batch(), s.batchesPerEpoch(), s.loss(), Double.isNaN(s.accuracy()) ? "" : String.format(Locale.ROOT, "  acc %.4f", s.accuracy()),
                    s.samplesPerSecond()));
        }
    }

    @Override
    public void onEpochEnd(Trainer t, TrainingState s) {
        out.println(format(s.epoch(), s.epochs(), s.epochMetrics()));
    }

    static String format(int epoch, int epochs, Map<String, Double> m) {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "epoch %d/%d", epoch + 1, epochs));
        append(sb, m, "train_loss", "loss %.4f");
        append(sb, m, "train_accuracy", "acc %.4f");
        append(sb, m, "val_loss", "val_loss %.4f");
        append(sb, m, "val_accuracy", "val_acc %.4f");
        append(sb, m, "lr", "lr %.3g");
        append(sb, m, "samples_per_second", "%.0f samples/s");
        append(sb, m, "epoch_seconds", "%.1f s");
        return sb.toString();
    }

    private static void append(StringBuilder sb, Map<String, Double> m, String key, String fmt) {
        Double v = m.get(key);
        if (v != null && !v.isNaN()) sb.append("  ").append(String.format(Locale.ROOT, fmt, v));
    }
}
