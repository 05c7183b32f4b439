package dev.kindling.serving.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kindling.api.DType;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * A model's {@code <repo>/<model>/config.json} (all keys optional):
 * <pre>{@code
 * {"inputs":  [{"name": "input", "datatype": "FP32", "shape": [-1, 64]}],
 *  "outputs": [{"name": "output", "datatype": "FP32", "shape": [-1, 10]}],
 *  "max_batch_size": 32,
 *  "dynamic_batching": {"max_queue_delay_us": 0, "max_queue_size": 256, "default_timeout_us": 0},
 *  "instances": 1,
 *  "version_policy": {"latest": {"num_versions": 1}} | {"all": {}} | {"specific": {"versions": [1, 3]}},
 *  "default_version": "3"}
 * }</pre>
 * Shapes include the batch dimension first; -1 is any size. {@code max_batch_size} 0 turns batching off (each request runs
 * alone). Unknown keys are an error, so a misspelt one is not silently ignored.
 */
record ModelConfig(List<TensorSpec> inputs, List<TensorSpec> outputs, int maxBatchSize, long maxQueueDelayMicros,
                   int maxQueueSize, long defaultTimeoutMicros, int instances, VersionPolicy policy, String defaultVersion) {

    static final String FILE = "config.json";
    static final int DEFAULT_MAX_BATCH_SIZE = 32;
    static final int DEFAULT_MAX_QUEUE_SIZE = 256;

    /** A declared input or output; {@code shape} null when not declared. */
    record TensorSpec(String name, DType dtype, long[] shape) {
        String datatype() { return Datatypes.name(dtype); }
    }

    /** Which versions of a model are served: the newest {@code latest}, or all, or the listed ones. */
    record VersionPolicy(int latest, List<Long> specific) {
        static final VersionPolicy LATEST_1 = new VersionPolicy(1, null);
        static final VersionPolicy ALL = new VersionPolicy(Integer.MAX_VALUE, null);

        List<Long> select(List<Long> available) {
            List<Long> sorted = new ArrayList<>(available);
            sorted.sort(null);
            if (specific != null) return sorted.stream().filter(specific::contains).toList();
            return sorted.subList(Math.max(0, sorted.size() - latest), sorted.size());
        }
    }

    static ModelConfig defaults() {
        return new ModelConfig(List.of(), List.of(), DEFAULT_MAX_BATCH_SIZE, 0, DEFAULT_MAX_QUEUE_SIZE, 0, 1, VersionPolicy.LATEST_1, null);
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> KEYS = Set.of("inputs", "outputs", "max_batch_size", "dynamic_batching", "instances",
            "version_policy", "default_version");

    /** The model folder's config.json, or the defaults when there is none. */
    static ModelConfig read(Path modelDir) throws IOException {
        Path f = modelDir.resolve(FILE);
        if (!Files.isRegularFile(f)) return defaults();
        if (Files.size(f) > 1 << 20) throw new IOException(f + ": larger than 1 MiB");
        JsonNode root;
        try {
            root = JSON.readTree(f.toFile());
        } catch (IOException e) {
            throw new IOException(f + ": not valid JSON: " + e.getMessage(), e);
        }
        try {
            return parse(root);
        } catch (IllegalArgumentException e) {
            throw new IOException(f + ": " + e.getMessage(), e);
        }
    }

    static ModelConfig parse(JsonNode root) {
        if (root == null || !root.isObject()) throw new IllegalArgumentException("must be a JSON object");
        for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!KEYS.contains(k)) throw new IllegalArgumentException("unknown key '" + k + "' (known: " + String.join(", ", KEYS.stream().sorted().toList()) + ")");
        }
        ModelConfig d = defaults();
        JsonNode db = root.path("dynamic_batching");
        if (!db.isMissingNode()) {
            for (Iterator<String> it = db.fieldNames(); it.hasNext(); ) {
                String k = it.next();
                if (!Set.of("max_queue_delay_us", "max_queue_size", "default_timeout_us").contains(k)) {
                    throw new IllegalArgumentException("unknown key 'dynamic_batching." + k + "' (known: max_queue_delay_us, max_queue_size, default_timeout_us)");
                }
            }
        }
        String dv = root.hasNonNull("default_version") ? root.get("default_version").asText() : null;
        if (dv != null && !Names.isVersion(dv)) throw new IllegalArgumentException("default_version must be a version number, got '" + dv + "'");
        return new ModelConfig(specs(root.path("inputs"), "inputs"), specs(root.path("outputs"), "outputs"),
                (int) number(root, "max_batch_size", d.maxBatchSize, 0, 1 << 20),
                number(db, "max_queue_delay_us", 0, 0, 60_000_000L),
                (int) number(db, "max_queue_size", d.maxQueueSize, 1, 1 << 20),
                number(db, "default_timeout_us", 0, 0, 3_600_000_000L),
                (int) number(root, "instances", 1, 1, 64),
                policy(root.path("version_policy")), dv);
    }

    private static long number(JsonNode parent, String key, long dflt, long min, long max) {
        JsonNode n = parent.path(key);
        if (n.isMissingNode() || n.isNull()) return dflt;
        if (!n.canConvertToLong() || !n.isIntegralNumber() || n.asLong() < min || n.asLong() > max) {
            throw new IllegalArgumentException(key + " must be a whole number from " + min + " to " + max + ", got " + n);
        }
        return n.asLong();
    }

    private static List<TensorSpec> specs(JsonNode arr, String key) {
        if (arr.isMissingNode()) return List.of();
        if (!arr.isArray()) throw new IllegalArgumentException(key + " must be an array of {name, datatype, shape}");
        List<TensorSpec> out = new ArrayList<>();
        for (JsonNode s : arr) {
            if (!s.path("name").isTextual() || s.get("name").asText().isEmpty()) throw new IllegalArgumentException(key + ": every entry needs a \"name\"");
            String name = s.get("name").asText();
            DType dtype;
            try {
                dtype = Datatypes.configDtype(s.path("datatype").asText("FP32"));
            } catch (ServingException e) {
                throw new IllegalArgumentException(key + " '" + name + "': " + e.getMessage());
            }
            long[] shape = null;
            if (s.has("shape")) {
                JsonNode sh = s.get("shape");
                if (!sh.isArray()) throw new IllegalArgumentException(key + " '" + name + "': shape must be an array");
                shape = new long[sh.size()];
                for (int i = 0; i < shape.length; i++) {
                    if (!sh.get(i).isIntegralNumber() || sh.get(i).asLong() < -1) throw new IllegalArgumentException(key + " '" + name + "': shape " + sh + " must hold sizes >= 0 or -1");
                    shape[i] = sh.get(i).asLong();
                }
            }
            out.add(new TensorSpec(name, dtype, shape));
        }
        return out;
    }

    private static VersionPolicy policy(JsonNode p) {
        if (p.isMissingNode() || p.isNull()) return VersionPolicy.LATEST_1;
        if (p.has("all")) return VersionPolicy.ALL;
        if (p.has("latest")) return new VersionPolicy((int) number(p.get("latest"), "num_versions", 1, 1, 1 << 20), null);
        if (p.has("specific") && p.get("specific").path("versions").isArray()) {
            List<Long> vs = new ArrayList<>();
            for (JsonNode v : p.get("specific").get("versions")) {
                if (!Names.isVersion(v.asText())) throw new IllegalArgumentException("version_policy.specific.versions: '" + v.asText() + "' is not a version number");
                vs.add(Long.parseLong(v.asText()));
            }
            return new VersionPolicy(0, List.copyOf(vs));
        }
        throw new IllegalArgumentException("version_policy must be {\"latest\": {\"num_versions\": N}}, {\"all\": {}} or {\"specific\": {\"versions\": [..]}}, got " + p);
    }

    /** Whether {@code actual} fits a declared shape (-1 matches any size). */
    static boolean fits(long[] declared, long[] actual) {
        if (declared == null) return true;
        if (declared.length != actual.length) return false;
        for (int i = 0; i < declared.length; i++) if (declared[i] >= 0 && declared[i] != actual[i]) return false;
        return true;
    }

    static String shape(long[] s) { return s == null ? "?" : Arrays.toString(s); }
}
