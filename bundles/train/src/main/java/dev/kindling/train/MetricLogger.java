package dev.kindling.train;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Training curves for the tools users already have: TensorBoard event files (per-step loss and learning rate,
 * per-epoch metrics) and {@code metrics.csv} (one row per epoch) in {@code logDir}.
 */
public final class MetricLogger implements Callback {
    private final Path logDir;
    private SummaryWriter tb;
    private Writer csv;
    private List<String> columns;

    public MetricLogger(Path logDir) { this.logDir = logDir; }

    @Override
    public void onTrainBegin(Trainer t) {
        tb = new SummaryWriter(logDir);
        columns = null;
    }

    @Override
    public void onBatchEnd(Trainer t, TrainingState s) {
        tb.addScalar("batch/loss", s.loss(), s.step());
        tb.addScalar("batch/lr", s.lr(), s.step());
    }

    @Override
    public void onEpochEnd(Trainer t, TrainingState s) {
        Map<String, Double> m = s.epochMetrics();
        m.forEach((k, v) -> tb.addScalar("epoch/" + k, v, s.epoch() + 1));
        try {
            if (csv == null) {
                Path file = logDir.resolve("metrics.csv");
                boolean fresh = !Files.exists(file);
                csv = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
                columns = new ArrayList<>(m.keySet());
                if (fresh) csv.write("epoch,step," + String.join(",", columns) + "\n");
            }
            StringBuilder row = new StringBuilder().append(s.epoch() + 1).append(',').append(s.step());
            for (String c : columns) {
                Double v = m.get(c);
                row.append(',').append(v == null ? "" : String.format(Locale.ROOT, "%.6g", v));
            }
            csv.write(row.append('\n').toString());
            csv.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + logDir.resolve("metrics.csv") + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void onTrainEnd(Trainer t) {
        try {
            if (csv != null) csv.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            csv = null;
            if (tb != null) tb.close();
        }
    }

    public Path logDir() { return logDir; }
}
