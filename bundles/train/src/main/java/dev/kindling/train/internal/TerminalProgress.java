package dev.kindling.train.internal;

import dev.kindling.train.TrainingState;

import java.io.PrintStream;
import java.util.Locale;

/**
 * The one progress line a terminal shows while a job trains: redrawn in place with {@code \r}, and blanked before a
 * permanent line (an epoch summary) is printed, so the two never mix.
 */
final class TerminalProgress {
    private final PrintStream out;
    private int width; // of the line on screen, 0 when none

    TerminalProgress(PrintStream out) { this.out = out; }

    /** Replaces the line on screen, padding with blanks where the old one was longer. */
    void draw(String line) {
        out.print('\r' + line + " ".repeat(Math.max(0, width - line.length())));
        width = line.length();
    }

    void clear() {
        if (width > 0) out.print('\r' + " ".repeat(width) + '\r');
        width = 0;
    }

    /** {@code epoch 2/10 [====>   ] 17/29 loss ...}, or with {@code batch 17/29} instead of the bar for logs. */
    static String line(TrainingJob job, boolean bar) {
        TrainingState s = job.progress();
        if (s == null) return "job " + job.id() + " " + job.state().label() + ": preparing";
        String batches = s.batchesPerEpoch() > 0 ? s.batch() + "/" + s.batchesPerEpoch() : Integer.toString(s.batch());
        double f = s.batchesPerEpoch() > 0 ? (double) s.batch() / s.batchesPerEpoch() : 0;
        return String.format(Locale.ROOT, "epoch %d/%d %s%s  loss %s  acc %s  %s samples/s  ETA %s", s.epoch() + 1, s.epochs(),
                bar ? Text.bar(f, 24) + " " : "batch ", batches, Text.num(s.loss(), 4), Text.num(s.accuracy(), 4),
                Text.rate(s.samplesPerSecond()), Text.clock(job.etaSeconds()));
    }
}
