package dev.kindling.train.internal;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Formatting for the commands: durations, numbers, aligned tables, progress bars. */
final class Text {
    private Text() {}

    /** {@code 0:07}, {@code 12:34}, {@code 1:02:03}; "-" when unknown. */
    static String clock(double seconds) {
        if (Double.isNaN(seconds) || Double.isInfinite(seconds) || seconds < 0) return "-";
        long s = Math.round(seconds);
        long h = s / 3600, m = (s % 3600) / 60, sec = s % 60;
        return h > 0 ? String.format(Locale.ROOT, "%d:%02d:%02d", h, m, sec) : String.format(Locale.ROOT, "%d:%02d", m, sec);
    }

    /** {@code 0.4 s}, {@code 12.3 s}, {@code 2 min 05 s}, {@code 1 h 02 min}. */
    static String seconds(double seconds) {
        if (seconds < 60) return String.format(Locale.ROOT, "%.1f s", seconds);
        long s = Math.round(seconds);
        if (s < 3600) return String.format(Locale.ROOT, "%d min %02d s", s / 60, s % 60);
        return String.format(Locale.ROOT, "%d h %02d min", s / 3600, (s % 3600) / 60);
    }

    static String num(double v, int decimals) {
        if (Double.isNaN(v)) return "-";
        return String.format(Locale.ROOT, "%." + decimals + "f", v);
    }

    static String rate(double samplesPerSecond) {
        if (Double.isNaN(samplesPerSecond) || samplesPerSecond <= 0) return "-";
        return String.format(Locale.ROOT, "%,.0f", samplesPerSecond);
    }

    /** An I/O error for a user: the file and reason of a missing file, else the exception's message. */
    static String message(Throwable e) {
        if (e instanceof java.nio.file.NoSuchFileException) {
            String reason = ((java.nio.file.NoSuchFileException) e).getReason();
            return e.getMessage().contains(":") || reason == null ? e.getMessage() : ((java.nio.file.NoSuchFileException) e).getFile() + ": " + reason;
        }
        return e.getMessage() == null ? e.toString() : e.getMessage();
    }

    /** A path shown relative to {@code base} when it lies under it. */
    static String path(Path p, Path base) {
        if (p == null) return "-";
        Path a = p.toAbsolutePath().normalize();
        if (base != null) {
            Path b = base.toAbsolutePath().normalize();
            if (a.startsWith(b) && !a.equals(b)) return b.relativize(a).toString();
        }
        return a.toString();
    }

    /** One epoch's summary line, as ProgressLogger prints it. */
    static String epochLine(int epoch, int epochs, Map<String, Double> m) {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "epoch %d/%d", epoch + 1, epochs));
        append(sb, m, "train_loss", "loss %.4f");
        append(sb, m, "train_accuracy", "acc %.4f");
        append(sb, m, "val_loss", "val_loss %.4f");
        append(sb, m, "val_accuracy", "val_acc %.4f");
        Double lr = m.get("lr");
        if (lr != null && !lr.isNaN()) sb.append("  lr ").append(sig(lr));
        append(sb, m, "samples_per_second", "%,.0f samples/s");
        append(sb, m, "epoch_seconds", "%.1f s");
        return sb.toString();
    }

    private static void append(StringBuilder sb, Map<String, Double> m, String key, String fmt) {
        Double v = m.get(key);
        if (v != null && !v.isNaN()) sb.append("  ").append(String.format(Locale.ROOT, fmt, v));
    }

    /** Three significant digits without trailing zeros: {@code 0.001}, {@code 0.025}, {@code 1.50e-05}. */
    static String sig(double v) {
        if (v == 0 || Double.isNaN(v) || Double.isInfinite(v)) return Double.toString(v);
        if (Math.abs(v) < 1e-4) return String.format(Locale.ROOT, "%.2e", v);
        return new java.math.BigDecimal(v).round(new java.math.MathContext(3)).stripTrailingZeros().toPlainString();
    }

    /** {@code [=========>          ]} */
    static String bar(double fraction, int width) {
        double f = Math.max(0, Math.min(1, Double.isNaN(fraction) ? 0 : fraction));
        int full = (int) Math.floor(f * width);
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < width; i++) sb.append(i < full ? '=' : i == full && f < 1 ? '>' : ' ');
        return sb.append(']').toString();
    }

    /** An aligned table with a header and a dashed rule; the last column is not padded. */
    static final class Table {
        private final List<String[]> rows = new ArrayList<>();
        private final int columns;

        Table(String... header) {
            columns = header.length;
            rows.add(header);
        }

        Table row(Object... cells) {
            String[] r = new String[columns];
            for (int i = 0; i < columns; i++) r[i] = i < cells.length && cells[i] != null ? cells[i].toString() : "";
            rows.add(r);
            return this;
        }

        int size() { return rows.size() - 1; }

        @Override
        public String toString() {
            int[] w = new int[columns];
            for (String[] r : rows) for (int i = 0; i < columns; i++) w[i] = Math.max(w[i], r[i].length());
            StringBuilder sb = new StringBuilder();
            for (int k = 0; k < rows.size(); k++) {
                line(sb, rows.get(k), w);
                if (k == 0) {
                    String[] rule = new String[columns];
                    for (int i = 0; i < columns; i++) rule[i] = "-".repeat(w[i]);
                    line(sb, rule, w);
                }
            }
            return sb.toString();
        }

        private static void line(StringBuilder sb, String[] r, int[] w) {
            StringBuilder l = new StringBuilder();
            for (int i = 0; i < r.length; i++) {
                if (i > 0) l.append("  ");
                l.append(r[i]);
                if (i < r.length - 1) l.append(" ".repeat(w[i] - r[i].length()));
            }
            sb.append(l.toString().stripTrailing()).append('\n');
        }
    }
}
