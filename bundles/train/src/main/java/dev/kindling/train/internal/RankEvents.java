package dev.kindling.train.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kindling.train.TrainingState;

import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How the ranks of a {@code kindling:train --nproc} job talk to the shell that started them: each rank writes events
 * as lines on its standard output, {@value #PREFIX} and a JSON object (every other line is the rank's own output, kept
 * in {@code logs/rank-N.log}), and reads commands, one per line, on its standard input.
 *
 * <p>Events ({@code "event"}): {@code ready} (the JVM runs: {@code pid}), {@code connected} (the process group is up:
 * {@code rendezvous_ms}), {@code train_begin}, {@code batch} and {@code epoch} (a {@link TrainingState}; batches at most
 * every {@value #BATCH_EVENT_MILLIS} ms), {@code end} ({@code state}: completed, stopped or suspended, with rank 0's
 * {@code checkpoint}, {@code final_metrics}, and every rank's {@code params_sha256}), {@code failed} ({@code error}).
 */
final class RankEvents {
    static final String PREFIX = "@kindling-rank ";
    static final long BATCH_EVENT_MILLIS = 100;

    /** Commands: stop after the current batch, at the end of the epoch, or suspend at the next step boundary. */
    static final String STOP = "stop", STOP_AT_EPOCH_END = "stop-at-epoch-end", SUSPEND = "suspend";

    private static final ObjectMapper JSON = new ObjectMapper();

    private RankEvents() {}

    /** The event of a line, or null for a line that is not one. */
    static JsonNode parse(String line) {
        if (!line.startsWith(PREFIX)) return null;
        try {
            JsonNode n = JSON.readTree(line.substring(PREFIX.length()));
            return n != null && n.isObject() && n.hasNonNull("event") ? n : null;
        } catch (JsonProcessingException e) {
            return null;
        }
    }

    static ObjectNode event(String name) { return JSON.createObjectNode().put("event", name); }

    /** Writes one event as one line (the stream is shared with the rank's other output: one println, locked). */
    static void emit(PrintStream out, ObjectNode event) {
        String line;
        try {
            line = PREFIX + JSON.writeValueAsString(event);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        synchronized (out) {
            out.println(line);
            out.flush();
        }
    }

    static ObjectNode state(String name, TrainingState s) {
        ObjectNode n = event(name);
        n.put("epoch", s.epoch()).put("epochs", s.epochs()).put("step", s.step()).put("batch", s.batch())
                .put("batches", s.batchesPerEpoch()).put("loss", s.loss()).put("accuracy", s.accuracy())
                .put("samples_per_second", s.samplesPerSecond()).put("lr", s.lr());
        if (!s.epochMetrics().isEmpty()) n.set("metrics", metrics(s.epochMetrics()));
        return n;
    }

    static TrainingState state(JsonNode n) {
        return new TrainingState(n.path("epoch").asInt(), n.path("epochs").asInt(), n.path("step").asLong(), n.path("batch").asInt(),
                n.path("batches").asInt(), num(n.get("loss")), num(n.get("accuracy")), num(n.get("samples_per_second")), num(n.get("lr")),
                metrics(n.get("metrics")));
    }

    static ObjectNode metrics(Map<String, Double> m) {
        ObjectNode o = JSON.createObjectNode();
        m.forEach(o::put);
        return o;
    }

    static Map<String, Double> metrics(JsonNode n) {
        Map<String, Double> m = new LinkedHashMap<>();
        if (n != null && n.isObject()) n.fields().forEachRemaining(e -> m.put(e.getKey(), num(e.getValue())));
        return m;
    }

    /** A number; NaN for a missing one (Jackson writes non-finite numbers as strings: "NaN", "Infinity"). */
    static double num(JsonNode n) {
        if (n == null || n.isNull() || n.isMissingNode()) return Double.NaN;
        if (n.isTextual()) {
            try {
                return Double.parseDouble(n.asText());
            } catch (NumberFormatException e) {
                return Double.NaN;
            }
        }
        return n.asDouble(Double.NaN);
    }
}
