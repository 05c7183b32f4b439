package dev.kindling.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kindling.api.Tensor;
import dev.kindling.io.AtomicFiles;
import dev.kindling.io.Safetensors;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * A training checkpoint: a directory with {@code model.safetensors} (the state dict, loadable by
 * {@code safetensors.torch.load_file}), {@code state.safetensors} (optimizer and scheduler tensors) and
 * {@code checkpoint.json} (epoch, step, model spec, optimizer and scheduler state, RNG states, metrics, and for a
 * checkpoint taken mid-epoch the {@link Position} in the epoch, the data loader's included). It is written
 * in a temporary directory and renamed into place, and {@code latest} is then updated atomically, so a process killed
 * while saving leaves the previous checkpoint intact. Never Java serialisation: loading cannot run code.
 */
public final class Checkpoint {
    public static final String FORMAT = "kindling-checkpoint";
    public static final int VERSION = 1;

    private Checkpoint() {}

    /**
     * Everything needed to resume exactly.
     *
     * @param epoch the last epoch finished (0-based; -1 when a checkpoint taken mid-epoch is in the first epoch)
     * @param position where in the next epoch a checkpoint taken mid-epoch stands, or null (taken at an epoch's end)
     */
    public record Data(int epoch, long step, Map<String, Tensor> model, String modelSpec, Map<String, Object> optimizer,
                       Map<String, Object> scheduler, Map<String, byte[]> rng, Map<String, Double> metrics, Map<String, Object> gradScaler,
                       Position position) {
        /** Taken at an epoch's end. */
        public Data(int epoch, long step, Map<String, Tensor> model, String modelSpec, Map<String, Object> optimizer,
                    Map<String, Object> scheduler, Map<String, byte[]> rng, Map<String, Double> metrics, Map<String, Object> gradScaler) {
            this(epoch, step, model, modelSpec, optimizer, scheduler, rng, metrics, gradScaler, null);
        }

        /** Taken at an epoch's end, without a grad scaler's state (float32 or bfloat16 training). */
        public Data(int epoch, long step, Map<String, Tensor> model, String modelSpec, Map<String, Object> optimizer,
                    Map<String, Object> scheduler, Map<String, byte[]> rng, Map<String, Double> metrics) {
            this(epoch, step, model, modelSpec, optimizer, scheduler, rng, metrics, null, null);
        }

        /** Whether this checkpoint was taken at a step boundary inside an epoch. */
        public boolean midEpoch() { return position != null; }

        /** The epoch a resumed run continues with: the one in progress, or the one after the last finished. */
        public int resumeEpoch() { return epoch + 1; }
    }

    /**
     * Where inside an epoch a checkpoint was taken, always at an optimizer-step boundary (no gradients pending).
     *
     * @param batch batches of the epoch already trained on
     * @param loader the training loader's {@link dev.kindling.data.DataLoader#stateDict()} (empty when all its batches
     *               were handed out)
     * @param totals the epoch's running sums, so that its metrics come out as if uninterrupted: {@code loss_sum},
     *               {@code samples}, {@code correct}, {@code classified}, {@code seconds}
     */
    public record Position(int batch, Map<String, Object> loader, Map<String, Double> totals) {
        public Position {
            if (batch < 0) throw new IllegalArgumentException("batch must be >= 0, got " + batch);
            loader = loader == null ? Map.of() : loader;
            totals = totals == null ? Map.of() : totals;
        }
    }

    /** Saves {@code data} as {@code dir/name} and points {@code dir/latest} at it; returns the checkpoint's path. */
    public static Path save(Path dir, String name, Data data) throws IOException {
        Files.createDirectories(dir);
        Path target = dir.resolve(name);
        Path tmp = dir.resolve(".tmp-" + name + "-" + UUID.randomUUID());
        Files.createDirectory(tmp);
        try {
            Map<String, String> meta = new LinkedHashMap<>();
            meta.put("format", "pt");
            meta.put("kindling.epoch", Integer.toString(data.epoch()));
            Safetensors.save(data.model(), meta, tmp.resolve("model.safetensors"));
            Map<String, Tensor> stateTensors = new LinkedHashMap<>();
            ObjectNode json = StateCodec.JSON.createObjectNode();
            json.put("format", FORMAT).put("version", VERSION).put("epoch", data.epoch()).put("step", data.step());
            if (data.modelSpec() != null) json.set("model_spec", StateCodec.JSON.readTree(data.modelSpec()));
            json.set("optimizer", StateCodec.encode(data.optimizer(), stateTensors, "optimizer"));
            json.set("scheduler", StateCodec.encode(data.scheduler(), stateTensors, "scheduler"));
            if (data.gradScaler() != null && !data.gradScaler().isEmpty()) {
                json.set("grad_scaler", StateCodec.encode(data.gradScaler(), stateTensors, "grad_scaler"));
            }
            if (data.position() != null) {
                ObjectNode pos = json.putObject("position");
                pos.put("batch", data.position().batch());
                pos.set("loader", StateCodec.encode(data.position().loader(), stateTensors, "position.loader"));
                pos.set("totals", StateCodec.encode(new LinkedHashMap<>(data.position().totals()), stateTensors, "position.totals"));
            }
            ObjectNode rng = json.putObject("rng");
            if (data.rng() != null) data.rng().forEach((k, v) -> rng.put(k, Base64.getEncoder().encodeToString(v)));
            json.set("metrics", StateCodec.encode(data.metrics() == null ? Map.of() : new LinkedHashMap<>(data.metrics()), stateTensors, "metrics"));
            Safetensors.save(stateTensors, Map.of("format", "kindling-state"), tmp.resolve("state.safetensors"));
            byte[] text = StateCodec.JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(json);
            AtomicFiles.write(tmp.resolve("checkpoint.json"), ch -> ch.write(ByteBuffer.wrap(text)));
            if (Files.exists(target)) {
                Path old = dir.resolve(".old-" + name + "-" + UUID.randomUUID());
                move(target, old);
                move(tmp, target);
                deleteTree(old);
            } else {
                move(tmp, target);
            }
            AtomicFiles.write(dir.resolve("latest"), ch -> ch.write(ByteBuffer.wrap(name.getBytes(StandardCharsets.UTF_8))));
            return target;
        } finally {
            if (Files.exists(tmp)) deleteTree(tmp);
        }
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to);
        }
    }

    static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) return;
        try (Stream<Path> s = Files.walk(p)) {
            for (Path x : (Iterable<Path>) s.sorted(Comparator.reverseOrder())::iterator) Files.deleteIfExists(x);
        }
    }

    /** The checkpoint {@code path} names: a checkpoint directory, or a directory whose {@code latest} file names one. */
    public static Path resolve(Path path) throws IOException {
        if (Files.exists(path.resolve("checkpoint.json"))) return path;
        Path latest = path.resolve("latest");
        if (Files.exists(latest)) {
            String name = Files.readString(latest).trim();
            Path p = path.resolve(name);
            if (!Files.exists(p.resolve("checkpoint.json"))) {
                throw new NoSuchFileException(p.toString(), null, "'latest' in " + path + " names a checkpoint that does not exist");
            }
            return p;
        }
        throw new NoSuchFileException(path.toString(), null, "not a checkpoint (no checkpoint.json) and no 'latest' file");
    }

    public static Data load(Path path) throws IOException {
        Path dir = resolve(path);
        Path jsonFile = dir.resolve("checkpoint.json");
        JsonNode json;
        try {
            json = StateCodec.JSON.readTree(Files.readAllBytes(jsonFile));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IOException(jsonFile + ": not valid JSON: " + e.getOriginalMessage(), e);
        }
        if (json == null || !FORMAT.equals(json.path("format").asText())) {
            throw new IOException(jsonFile + ": not a Kindling checkpoint (format is " + json.path("format") + ")");
        }
        if (json.path("version").asInt() != VERSION) {
            throw new IOException(jsonFile + ": checkpoint version " + json.path("version") + " is not supported (expected " + VERSION + ")");
        }
        Map<String, Tensor> model = Safetensors.load(dir.resolve("model.safetensors"));
        Map<String, Tensor> state = Safetensors.load(dir.resolve("state.safetensors"));
        Map<String, byte[]> rng = new LinkedHashMap<>();
        json.path("rng").fields().forEachRemaining(e -> rng.put(e.getKey(), Base64.getDecoder().decode(e.getValue().asText())));
        Map<String, Double> metrics = new LinkedHashMap<>();
        json.path("metrics").fields().forEachRemaining(e -> metrics.put(e.getKey(), e.getValue().isNumber() ? e.getValue().asDouble()
                : ((Number) StateCodec.decode(e.getValue(), state, "metrics")).doubleValue()));
        String spec = json.has("model_spec") ? StateCodec.JSON.writeValueAsString(json.get("model_spec")) : null;
        Position position = null;
        if (json.hasNonNull("position")) {
            JsonNode pos = json.get("position");
            Map<String, Double> totals = new LinkedHashMap<>();
            asMap(StateCodec.decode(pos.get("totals"), state, "position.totals")).forEach((k, v) -> totals.put(k, ((Number) v).doubleValue()));
            position = new Position(pos.path("batch").asInt(), asMap(StateCodec.decode(pos.get("loader"), state, "position.loader")), totals);
        }
        return new Data(json.path("epoch").asInt(), json.path("step").asLong(), model, spec,
                asMap(StateCodec.decode(json.get("optimizer"), state, "optimizer")),
                asMap(StateCodec.decode(json.get("scheduler"), state, "scheduler")), rng, metrics,
                json.has("grad_scaler") ? asMap(StateCodec.decode(json.get("grad_scaler"), state, "grad_scaler")) : null, position);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> asMap(Object o) { return o == null ? null : (Map<String, Object>) o; }
}
