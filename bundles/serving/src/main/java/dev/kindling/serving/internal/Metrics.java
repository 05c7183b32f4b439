package dev.kindling.serving.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

/**
 * Prometheus metrics in the text exposition format 0.0.4, written here rather than with client_java: its OSGi metadata has
 * had resolution bugs (prometheus/client_java#989, #2395), and counters, histograms and gauges are all this server needs.
 * Durations are histograms in seconds, the Prometheus convention (TorchServe and Triton export microsecond counters).
 */
final class Metrics {
    static final double[] SECONDS = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30};
    static final double[] BATCH = {1, 2, 4, 8, 16, 32, 64, 128, 256};

    private final Map<String, Family> families = new ConcurrentHashMap<>();
    private final List<Family> order = new ArrayList<>();

    final Counter requests = add(new Counter("kindling_inference_requests_total", "Inference requests answered, by HTTP status code.", "model", "version", "code"));
    final Histogram requestSeconds = add(new Histogram("kindling_inference_request_duration_seconds", "Time from a request's arrival to its answer.", SECONDS, "model", "version"));
    final Histogram queueSeconds = add(new Histogram("kindling_inference_queue_duration_seconds", "Time a request waited in its model's batching queue.", SECONDS, "model", "version"));
    final Histogram computeSeconds = add(new Histogram("kindling_inference_compute_seconds", "Time the model took for one batch (stacking, forward, splitting).", SECONDS, "model", "version"));
    final Histogram batchSize = add(new Histogram("kindling_inference_batch_size", "Rows in each batch the model ran.", BATCH, "model", "version"));
    final Counter abandoned = add(new Counter("kindling_inference_abandoned_total", "Queued requests dropped unrun because their client disconnected.", "model", "version"));
    final Counter loads = add(new Counter("kindling_model_loads_total", "Model version loads, by result (ok, failed).", "model", "version", "result"));
    final Histogram loadSeconds = add(new Histogram("kindling_model_load_duration_seconds", "Time to load and warm up a model version.", new double[] {0.01, 0.1, 0.5, 1, 5, 10, 30, 60, 300}, "model"));
    final Counter http = add(new Counter("kindling_http_requests_total", "HTTP requests answered, by endpoint and status code.", "endpoint", "code"));

    /** A gauge read when scraped: label values to value. */
    void gauge(String name, String help, Supplier<Map<List<String>, Double>> values, String... labels) {
        add(new Gauge(name, help, values, labels));
    }

    private synchronized <F extends Family> F add(F f) {
        if (families.putIfAbsent(f.name, f) != null) throw new IllegalStateException("metric " + f.name + " registered twice");
        order.add(f);
        return f;
    }

    synchronized String scrape() {
        StringBuilder sb = new StringBuilder(4096);
        for (Family f : order) {
            sb.append("# HELP ").append(f.name).append(' ').append(f.help).append('\n');
            sb.append("# TYPE ").append(f.name).append(' ').append(f.type()).append('\n');
            f.write(sb);
        }
        return sb.toString();
    }

    abstract static class Family {
        final String name, help;
        final String[] labels;

        Family(String name, String help, String... labels) {
            this.name = name;
            this.help = help;
            this.labels = labels;
        }

        abstract String type();

        abstract void write(StringBuilder sb);

        void check(String[] values) {
            if (values.length != labels.length) throw new IllegalArgumentException(name + " takes labels " + String.join(",", labels));
        }

        /** {@code {a="x",b="y"}} plus an extra label (the bucket's {@code le}) when given. */
        void labels(StringBuilder sb, List<String> values, String extraName, String extraValue) {
            if (values.isEmpty() && extraName == null) return;
            sb.append('{');
            for (int i = 0; i < values.size(); i++) {
                if (i > 0) sb.append(',');
                sb.append(labels[i]).append("=\"");
                escape(sb, values.get(i));
                sb.append('"');
            }
            if (extraName != null) sb.append(values.isEmpty() ? "" : ",").append(extraName).append("=\"").append(extraValue).append('"');
            sb.append('}');
        }
    }

    static void escape(StringBuilder sb, String v) {
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            switch (c) {
                case '\\' -> sb.append("\\\\");
                case '"' -> sb.append("\\\"");
                case '\n' -> sb.append("\\n");
                default -> sb.append(c);
            }
        }
    }

    static String number(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e15) return Long.toString((long) v);
        if (Double.isInfinite(v)) return v > 0 ? "+Inf" : "-Inf";
        return String.format(Locale.ROOT, "%s", v);
    }

    static final class Counter extends Family {
        private final Map<List<String>, LongAdder> children = new ConcurrentHashMap<>();

        Counter(String name, String help, String... labels) { super(name, help, labels); }

        void inc(String... values) {
            check(values);
            children.computeIfAbsent(List.of(values), k -> new LongAdder()).increment();
        }

        long get(String... values) {
            LongAdder a = children.get(List.of(values));
            return a == null ? 0 : a.sum();
        }

        @Override String type() { return "counter"; }

        @Override void write(StringBuilder sb) {
            children.forEach((k, v) -> {
                sb.append(name);
                labels(sb, k, null, null);
                sb.append(' ').append(v.sum()).append('\n');
            });
        }
    }

    static final class Histogram extends Family {
        private final double[] bounds;
        private final Map<List<String>, Child> children = new ConcurrentHashMap<>();

        Histogram(String name, String help, double[] bounds, String... labels) {
            super(name, help, labels);
            this.bounds = bounds;
        }

        private final class Child {
            final AtomicLongArray counts = new AtomicLongArray(bounds.length + 1); // not cumulative; the last is +Inf
            final DoubleAdder sum = new DoubleAdder();
        }

        void observe(double v, String... values) {
            check(values);
            Child c = children.computeIfAbsent(List.of(values), k -> new Child());
            int i = 0;
            while (i < bounds.length && v > bounds[i]) i++;
            c.counts.incrementAndGet(i);
            c.sum.add(v);
        }

        long count(String... values) {
            Child c = children.get(List.of(values));
            if (c == null) return 0;
            long n = 0;
            for (int i = 0; i < c.counts.length(); i++) n += c.counts.get(i);
            return n;
        }

        @Override String type() { return "histogram"; }

        @Override void write(StringBuilder sb) {
            children.forEach((k, c) -> {
                long cum = 0;
                for (int i = 0; i <= bounds.length; i++) {
                    cum += c.counts.get(i);
                    sb.append(name).append("_bucket");
                    labels(sb, k, "le", i == bounds.length ? "+Inf" : number(bounds[i]));
                    sb.append(' ').append(cum).append('\n');
                }
                sb.append(name).append("_sum");
                labels(sb, k, null, null);
                sb.append(' ').append(number(c.sum.sum())).append('\n');
                sb.append(name).append("_count");
                labels(sb, k, null, null);
                sb.append(' ').append(cum).append('\n');
            });
        }
    }

    static final class Gauge extends Family {
        private final Supplier<Map<List<String>, Double>> values;

        Gauge(String name, String help, Supplier<Map<List<String>, Double>> values, String... labels) {
            super(name, help, labels);
            this.values = values;
        }

        @Override String type() { return "gauge"; }

        @Override void write(StringBuilder sb) {
            values.get().forEach((k, v) -> {
                sb.append(name);
                labels(sb, k, null, null);
                sb.append(' ').append(number(v)).append('\n');
            });
        }
    }
}
