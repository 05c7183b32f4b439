package dev.kindling.serving.internal;

import dev.kindling.io.Models;
import dev.kindling.nn.ModelSpec;
import dev.kindling.nn.Module;
import dev.kindling.onnx.Onnx;
import dev.kindling.train.Checkpoint;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The model file of a version folder, and loading it. A version folder holds {@code model.safetensors} (a
 * {@code Models.save} file), {@code model.onnx}, or a Kindling checkpoint ({@code checkpoint.json}, or checkpoints with a
 * {@code latest} marker). All are data: the architecture is built from registered layer providers, never from code named
 * by the file.
 */
final class ModelFiles {
    static final String SAFETENSORS = "model.safetensors";
    static final String ONNX = "model.onnx";

    private ModelFiles() {}

    /** The file or checkpoint directory to load from {@code versionDir}, or null when it holds no model. */
    static Path locate(Path versionDir) {
        Path st = versionDir.resolve(SAFETENSORS);
        if (Files.isRegularFile(st)) return st;
        Path onnx = versionDir.resolve(ONNX);
        if (Files.isRegularFile(onnx)) return onnx;
        if (Files.isRegularFile(versionDir.resolve("checkpoint.json")) || Files.isRegularFile(versionDir.resolve("latest"))) return versionDir;
        return null;
    }

    /**
     * What changes when the model does: size and modification time of every file of it (a checkpoint's files too), so an
     * overwritten file, an edited config.json or a newer checkpoint all trigger a reload.
     */
    static String fingerprint(Path model, Path configFile) throws IOException {
        StringBuilder sb = new StringBuilder();
        List<Path> files = new ArrayList<>();
        if (Files.isDirectory(model)) {
            try (Stream<Path> s = Files.walk(model, 3)) {
                s.filter(Files::isRegularFile).sorted().forEach(files::add);
            }
        } else files.add(model);
        if (Files.isRegularFile(configFile)) files.add(configFile);
        for (Path f : files) {
            BasicFileAttributes a = Files.readAttributes(f, BasicFileAttributes.class);
            sb.append(f.getFileName()).append(':').append(a.size()).append(':').append(a.lastModifiedTime().toMillis()).append(';');
        }
        return sb.toString();
    }

    static Module load(Path model) throws IOException {
        String file = model.getFileName().toString();
        if (Files.isRegularFile(model) && file.endsWith(".onnx")) return Onnx.load(model);
        if (Files.isRegularFile(model)) return Models.load(model);
        Checkpoint.Data d = Checkpoint.load(Checkpoint.resolve(model));
        if (d.modelSpec() == null) {
            throw new IOException(model + ": the checkpoint holds no model spec (it was saved without Trainer.builder().modelSpec(...)), so the model cannot be rebuilt from it");
        }
        Module m = ModelSpec.fromJson(d.modelSpec()).build();
        m.loadStateDict(d.model(), true);
        return m;
    }
}
