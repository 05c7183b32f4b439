package dev.kindling.train.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kindling.io.AtomicFiles;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Everything a training run was started with, as {@code run.json} in its output directory: what {@code kindling:resume}
 * rebuilds the run from (same data split, model, optimizer, scheduler, loader seed) and what {@code kindling:eval} and
 * {@code kindling:predict} take the dataset and its preprocessing from. Parameter values are kept as the user gave them
 * (strings, lists of strings), plus those filled in (e.g. a OneCycleLR's steps per epoch).
 */
final class RunConfig {
    static final String FILE = "run.json";
    static final String FORMAT = "kindling-run";
    static final int VERSION = 1;
    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    String dataset;
    Map<String, Object> datasetParams = new LinkedHashMap<>();
    double testFraction = DataPrep.DEFAULT_TEST_FRACTION;
    boolean imageLayout;
    String model;
    Map<String, Object> modelParams = new LinkedHashMap<>();
    String modelSpec;
    Words.Named loss = new Words.Named("cross_entropy", new LinkedHashMap<>());
    Words.Named optimizer = new Words.Named("adam", new LinkedHashMap<>());
    Words.Named scheduler;
    /** "epoch" or "step" */
    String schedulerInterval = "epoch";
    int epochs = 10;
    int batchSize = 64;
    long seed = DataPrep.DEFAULT_SEED;
    String device = "cpu";
    int workers;
    int patience;
    double clipNorm;
    /** Lightning's precision name (32, bf16-mixed, 16-mixed); resumed runs keep theirs. */
    String precision = "32";
    /** Rank JVMs of a data-parallel run ({@code --nproc}); 0 for a run in the shell's own JVM. */
    int nproc;
    /** How often a data-parallel run's ranks are all started again after one failed ({@code --max-restarts}). */
    int maxRestarts;
    /** The process-group backend of a data-parallel run. */
    String backend = "gloo";
    List<Long> inputShape = new ArrayList<>();
    List<Long> rawShape = new ArrayList<>();
    String rawDtype;
    List<String> classes = new ArrayList<>();

    /** "adam lr=0.001" */
    static String describe(Words.Named n) {
        if (n == null) return "none";
        StringBuilder sb = new StringBuilder(n.name());
        n.params().forEach((k, v) -> sb.append(' ').append(k).append('=').append(v instanceof List ? String.join(",", strings((List<?>) v)) : v));
        return sb.toString();
    }

    private static List<String> strings(List<?> l) {
        List<String> out = new ArrayList<>();
        for (Object o : l) out.add(String.valueOf(o));
        return out;
    }

    String toJson() {
        ObjectNode o = JSON.createObjectNode();
        o.put("format", FORMAT).put("version", VERSION);
        ObjectNode d = o.putObject("dataset");
        d.put("name", dataset);
        d.set("params", JSON.valueToTree(datasetParams));
        d.put("test_fraction", testFraction);
        d.put("image_layout", imageLayout);
        d.set("input_shape", JSON.valueToTree(inputShape));
        d.set("raw_input_shape", JSON.valueToTree(rawShape));
        d.put("raw_input_dtype", rawDtype);
        d.set("classes", JSON.valueToTree(classes));
        ObjectNode m = o.putObject("model");
        m.put("name", model);
        m.set("params", JSON.valueToTree(modelParams));
        try {
            m.set("spec", modelSpec == null ? null : JSON.readTree(modelSpec));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("model spec is not JSON", e);
        }
        o.set("loss", named(loss));
        o.set("optimizer", named(optimizer));
        ObjectNode s = named(scheduler);
        if (s != null) s.put("interval", schedulerInterval);
        o.set("scheduler", s);
        o.put("epochs", epochs).put("batch_size", batchSize).put("seed", seed).put("device", device).put("workers", workers)
                .put("early_stopping_patience", patience).put("clip_norm", clipNorm).put("precision", precision);
        if (nproc > 0) o.putObject("distributed").put("nproc", nproc).put("backend", backend).put("max_restarts", maxRestarts);
        try {
            return JSON.writeValueAsString(o);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static ObjectNode named(Words.Named n) {
        if (n == null) return null;
        ObjectNode o = JSON.createObjectNode();
        o.put("name", n.name());
        o.set("params", JSON.valueToTree(n.params()));
        return o;
    }

    void write(Path dir) throws IOException {
        byte[] bytes = (toJson() + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8);
        AtomicFiles.write(dir.resolve(FILE), ch -> ch.write(ByteBuffer.wrap(bytes)));
    }

    static RunConfig read(Path file) throws IOException {
        JsonNode o;
        try {
            o = JSON.readTree(Files.readAllBytes(file));
        } catch (JsonProcessingException e) {
            throw new IOException(file + ": not valid JSON: " + e.getOriginalMessage(), e);
        }
        if (o == null || !FORMAT.equals(o.path("format").asText())) throw new IOException(file + ": not a Kindling run description (format " + o.path("format") + ")");
        if (o.path("version").asInt() != VERSION) throw new IOException(file + ": run description version " + o.path("version") + " is not supported");
        RunConfig c = new RunConfig();
        JsonNode d = o.path("dataset");
        c.dataset = d.path("name").asText();
        c.datasetParams = params(d.path("params"));
        c.testFraction = d.path("test_fraction").asDouble(DataPrep.DEFAULT_TEST_FRACTION);
        c.imageLayout = d.path("image_layout").asBoolean(false);
        c.inputShape = longs(d.path("input_shape"));
        c.rawShape = longs(d.path("raw_input_shape"));
        c.rawDtype = d.path("raw_input_dtype").isNull() ? null : d.path("raw_input_dtype").asText(null);
        c.classes = new ArrayList<>();
        for (JsonNode x : d.path("classes")) c.classes.add(x.asText());
        JsonNode m = o.path("model");
        c.model = m.path("name").asText();
        c.modelParams = params(m.path("params"));
        c.modelSpec = m.hasNonNull("spec") ? JSON.writeValueAsString(m.get("spec")) : null;
        c.loss = named(o.get("loss"));
        c.optimizer = named(o.get("optimizer"));
        c.scheduler = named(o.get("scheduler"));
        if (c.scheduler != null) c.schedulerInterval = o.path("scheduler").path("interval").asText("epoch").toLowerCase(Locale.ROOT);
        c.epochs = o.path("epochs").asInt(c.epochs);
        c.batchSize = o.path("batch_size").asInt(c.batchSize);
        c.seed = o.path("seed").asLong(c.seed);
        c.device = o.path("device").asText(c.device);
        c.workers = o.path("workers").asInt(0);
        c.patience = o.path("early_stopping_patience").asInt(0);
        c.clipNorm = o.path("clip_norm").asDouble(0);
        c.precision = o.path("precision").asText("32");
        JsonNode dist = o.path("distributed");
        if (dist.isObject()) {
            c.nproc = dist.path("nproc").asInt(0);
            c.backend = dist.path("backend").asText("gloo");
            c.maxRestarts = dist.path("max_restarts").asInt(0);
        }
        return c;
    }

    private static Words.Named named(JsonNode n) {
        if (n == null || n.isNull() || !n.has("name")) return null;
        return new Words.Named(n.get("name").asText(), params(n.path("params")));
    }

    private static Map<String, Object> params(JsonNode n) {
        if (n == null || n.isMissingNode() || n.isNull()) return new LinkedHashMap<>();
        return JSON.convertValue(n, new TypeReference<LinkedHashMap<String, Object>>() {});
    }

    private static List<Long> longs(JsonNode n) {
        List<Long> out = new ArrayList<>();
        for (JsonNode x : n) out.add(x.asLong());
        return out;
    }

    static long[] array(List<Long> l) {
        long[] a = new long[l.size()];
        for (int i = 0; i < a.length; i++) a[i] = l.get(i);
        return a;
    }

    static List<Long> list(long[] a) {
        List<Long> l = new ArrayList<>();
        for (long x : a) l.add(x);
        return l;
    }

    /** The run description next to a checkpoint or model file: in it, or up to three directories above; null if none. */
    static Path find(Path start) {
        Path p = start.toAbsolutePath().normalize();
        if (!Files.isDirectory(p)) p = p.getParent();
        for (int i = 0; i < 4 && p != null; i++, p = p.getParent()) {
            if (Files.isRegularFile(p.resolve(FILE))) return p.resolve(FILE);
        }
        return null;
    }

    /** Writes {@code json} (an object node) atomically as {@code file}. */
    static void writeJson(Path file, JsonNode json) throws IOException {
        byte[] bytes = (JSON.writeValueAsString(json) + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8);
        AtomicFiles.write(file, ch -> ch.write(ByteBuffer.wrap(bytes)));
    }

    static ArrayNode arrayOf(List<?> values) { return JSON.valueToTree(values); }
}
