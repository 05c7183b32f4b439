package dev.kindling.train.internal;

import java.nio.file.Path;
import java.util.List;

/**
 * {@code kindling:jobs}: one row per job, its live progress while it runs, else its last epoch's figures; a job with
 * ranks ({@code --nproc}) also has a row per rank.
 */
record JobsTable(List<Row> rows, List<String> notes) {
    JobsTable(List<Row> rows) { this(rows, List.of()); }

    /**
     * {@code step} is {@code null} before the first batch; {@code etaSeconds} is NaN once the job has ended;
     * {@code error} is the failure of a failed job, else {@code null}.
     */
    record Row(int id, String state, int epoch, int epochs, Long step, double samplesPerSecond, double loss, double accuracy,
               double valAccuracy, double etaSeconds, double wallSeconds, Path out, String error, String rankSummary, List<RankRow> ranks) {
        Row(int id, String state, int epoch, int epochs, Long step, double samplesPerSecond, double loss, double accuracy,
            double valAccuracy, double etaSeconds, double wallSeconds, Path out, String error) {
            this(id, state, epoch, epochs, step, samplesPerSecond, loss, accuracy, valAccuracy, etaSeconds, wallSeconds, out, error, null, List.of());
        }
    }

    /**
     * One rank of a {@code --nproc} job: its JVM's process id ({@code -1} before it started), its state, and its own
     * progress ({@code null} epoch, batch and step before its first batch; epochs counted from 1).
     */
    record RankRow(int rank, long pid, String state, Integer epoch, Integer batch, int batches, Long step, double samplesPerSecond,
                   double loss, double accuracy) {}
}
