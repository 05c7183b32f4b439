package dev.kindling.train.internal;

import java.nio.file.Path;
import java.util.List;

/** {@code kindling:jobs}: one row per job, its live progress while it runs, else its last epoch's figures. */
record JobsTable(List<Row> rows, List<String> notes) {
    JobsTable(List<Row> rows) { this(rows, List.of()); }

    /**
     * {@code step} is {@code null} before the first batch; {@code etaSeconds} is NaN once the job has ended;
     * {@code error} is the failure of a failed job, else {@code null}.
     */
    record Row(int id, String state, int epoch, int epochs, Long step, double samplesPerSecond, double loss, double accuracy,
               double valAccuracy, double etaSeconds, double wallSeconds, Path out, String error) {}
}
