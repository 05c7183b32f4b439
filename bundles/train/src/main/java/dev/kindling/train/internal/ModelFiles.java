package dev.kindling.train.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kindling.api.Device;
import dev.kindling.io.Models;
import dev.kindling.nn.ModelSpec;
import dev.kindling.nn.Module;
import dev.kindling.train.Checkpoint;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Models on disk, as the commands name them: a whole-model file ({@code Models.save}: spec + weights), an ONNX file, a checkpoint
 * directory (or one whose {@code latest} names it), or a run directory (its {@code model.safetensors}, else its latest
 * checkpoint). Also reads checkpoint and model metadata without loading the weights, for listings.
 */
final class ModelFiles {
    static final String MODEL_FILE = "model.safetensors";
    static final String SUMMARY_FILE = "summary.json";
    static final String CHECKPOINTS = "checkpoints";
    static final String LOGS = "logs";

    private ModelFiles() {}

    /** A loaded model and where it came from. */
    record Loaded(Module model, String spec, Path path, boolean checkpoint, int epoch, Map<String, Double> metrics) {
        String describe() {
            return path + (checkpoint ? " (checkpoint, epoch " + (epoch + 1) + ")" : " (model file)");
        }
    }

    /** What a checkpoint's checkpoint.json says, without the tensors. */
    record CheckpointInfo(Path dir, int epoch, long step, String spec, Map<String, Double> metrics) {}

    /** The file or checkpoint directory {@code path} names (see the class comment). */
    static Path locate(Path path) throws IOException {
        if (Files.isRegularFile(path)) return path;
        if (!Files.isDirectory(path)) throw new NoSuchFileException(path.toString(), null, "no such model file or checkpoint directory");
        if (Files.isRegularFile(path.resolve(RunConfig.FILE)) && !Files.exists(path.resolve("checkpoint.json"))) {
            if (Files.isRegularFile(path.resolve(MODEL_FILE))) return path.resolve(MODEL_FILE);
            if (Files.isDirectory(path.resolve(CHECKPOINTS))) return Checkpoint.resolve(path.resolve(CHECKPOINTS));
        }
        return Checkpoint.resolve(path);
    }

    static Loaded load(Path path, Device device) throws IOException {
        Path p = locate(path);
        if (Files.isRegularFile(p) && p.getFileName().toString().endsWith(".onnx")) {
            // An ONNX model runs on Kindling's backends; one Kindling exported names its architecture in its metadata.
            return OnnxSupport.require("reading the ONNX model " + p).load(p, device);
        }
        if (Files.isRegularFile(p)) {
            String spec = Models.spec(p);
            Module m = Models.load(p, device);
            return new Loaded(m, spec, p, false, -1, Map.of());
        }
        Checkpoint.Data d = Checkpoint.load(p);
        if (d.modelSpec() == null) {
            throw new IOException(p + ": the checkpoint holds no model spec (it was saved without Trainer.builder().modelSpec(...)), "
                    + "so the model cannot be rebuilt from it");
        }
        Module m;
        try {
            m = ModelSpec.fromJson(d.modelSpec()).build();
        } catch (IllegalArgumentException e) {
            throw new IOException(p + ": cannot build the model the checkpoint describes: " + e.getMessage(), e);
        }
        m.loadStateDict(d.model(), true);
        if (!device.isCpu()) m.to(device);
        return new Loaded(m, d.modelSpec(), p, true, d.epoch(), d.metrics());
    }

    static CheckpointInfo checkpointInfo(Path path) throws IOException {
        Path dir = Checkpoint.resolve(path);
        JsonNode json = RunConfig.JSON.readTree(Files.readAllBytes(dir.resolve("checkpoint.json")));
        if (json == null || !Checkpoint.FORMAT.equals(json.path("format").asText())) throw new IOException(dir + ": not a Kindling checkpoint");
        Map<String, Double> metrics = new LinkedHashMap<>();
        json.path("metrics").fields().forEachRemaining(e -> {
            JsonNode v = e.getValue();
            if (v.isNumber()) metrics.put(e.getKey(), v.asDouble());
            else if (v.has("$double")) metrics.put(e.getKey(), Double.parseDouble(v.get("$double").asText()));
        });
        String spec = json.hasNonNull("model_spec") ? RunConfig.JSON.writeValueAsString(json.get("model_spec")) : null;
        return new CheckpointInfo(dir, json.path("epoch").asInt(), json.path("step").asLong(), spec, metrics);
    }

    /** The metadata of a safetensors file, read from its header only. */
    static Map<String, String> safetensorsMetadata(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] len = in.readNBytes(8);
            if (len.length < 8) throw new IOException(file + ": not a safetensors file (too short)");
            long n = ByteBuffer.wrap(len).order(ByteOrder.LITTLE_ENDIAN).getLong();
            if (n <= 0 || n > 100_000_000L) throw new IOException(file + ": not a safetensors file (header length " + n + ")");
            JsonNode header = RunConfig.JSON.readTree(new String(in.readNBytes((int) n), StandardCharsets.UTF_8));
            Map<String, String> meta = new LinkedHashMap<>();
            if (header != null) header.path("__metadata__").fields().forEachRemaining(e -> meta.put(e.getKey(), e.getValue().asText()));
            return meta;
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IOException(file + ": not a safetensors file (header is not JSON)", e);
        }
    }

    static JsonNode summary(Path runDir) {
        Path f = runDir.resolve(SUMMARY_FILE);
        if (!Files.isRegularFile(f)) return null;
        try {
            return RunConfig.JSON.readTree(Files.readAllBytes(f));
        } catch (IOException e) {
            return null;
        }
    }
}
