package dev.kindling.train.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kindling.io.Models;
import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Descriptor;
import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static dev.kindling.train.internal.Words.Kind.FLAG;

/**
 * {@code kindling:models}: the model files and checkpoints saved under a directory, and the model versions a server
 * serves. It only reads files and service properties, so it needs neither the kernel nor the job manager; the served
 * versions are the serving bundle's {@code dev.kindling.serving.ServedModel} services, looked up by class name so this
 * bundle does not depend on the serving bundle (which depends on this one).
 */
@Component(service = ModelsCommand.class, property = {"osgi.command.scope=kindling", "osgi.command.function=models"})
public class ModelsCommand {
    static final String SERVED_MODEL = "dev.kindling.serving.ServedModel";
    /** Null outside OSGi (tests): then nothing is served. */
    private volatile BundleContext context;

    @Activate
    void activate(BundleContext context) { this.context = context; }

    @Descriptor("list saved models and checkpoints under a directory (default runs): path, kind, epoch, dataset, accuracy "
            + "(a model file: the run's final test accuracy; a checkpoint: its validation accuracy) and the model spec; "
            + "shows each run's model file and best and latest checkpoints, every checkpoint with --all; "
            + "then the model versions being served (kindling:serve) with their state")
    public Object models(CommandSession session, @Descriptor("[dir] [--all]") String... args) {
        return models(Console.of(session), args);
    }

    String models(Console c, String... args) {
        Words w = Words.parse("kindling:models", 0, List.of(new Words.Positional("dir", false)), List.of(new Words.Option("all", FLAG)), args);
        if (w.help()) return "kindling:models [dir] [--all]";
        String arg = w.positional(0) == null ? "runs" : w.positional(0);
        Path root = c.cwd().resolve(arg).normalize();
        boolean exists = Files.exists(root);
        if (!exists && w.positional(0) != null) throw new IllegalArgumentException("kindling:models: no such directory: " + root);
        ModelsListing listing = exists ? list(root, w.flag("all")) : new ModelsListing(root, false, List.of());
        return new CommandFormatter(c.cwd()).models(listing, served());
    }

    /** The served versions, by model name and version, from the ServedModel services' properties. */
    List<ModelsListing.Served> served() {
        BundleContext ctx = context;
        if (ctx == null) return List.of();
        ServiceReference<?>[] refs;
        try {
            refs = ctx.getAllServiceReferences(SERVED_MODEL, null);
        } catch (InvalidSyntaxException | IllegalStateException e) {
            return List.of(); // no filter is given; stopping
        }
        if (refs == null) return List.of();
        List<ModelsListing.Served> out = new ArrayList<>();
        for (ServiceReference<?> r : refs) {
            out.add(new ModelsListing.Served(property(r, "model.name"), property(r, "model.version"), property(r, "model.state"),
                    property(r, "model.platform"), property(r, "serving.endpoint"), property(r, "model.source")));
        }
        out.sort(Comparator.comparing(ModelsListing.Served::model).thenComparing(s -> s.version().length()).thenComparing(ModelsListing.Served::version));
        return out;
    }

    private static String property(ServiceReference<?> r, String key) {
        Object v = r.getProperty(key);
        return v == null ? "-" : v.toString();
    }

    /** Each run's model file and its best and latest checkpoints (all checkpoints with {@code all}), in path order. */
    private static ModelsListing list(Path root, boolean all) {
        List<Path> candidates = new ArrayList<>();
        try (Stream<Path> s = Files.walk(root, 6)) {
            s.filter(p -> Files.isRegularFile(p) && (p.getFileName().toString().equals("checkpoint.json") || p.getFileName().toString().endsWith(".safetensors")))
                    .sorted().forEach(candidates::add);
        } catch (IOException e) {
            throw new IllegalArgumentException("kindling:models: cannot list " + root + ": " + Text.message(e), e);
        }
        List<ModelsListing.Entry> entries = new ArrayList<>();
        for (Path p : candidates) {
            try {
                ModelsListing.Entry e = p.getFileName().toString().equals("checkpoint.json") ? checkpoint(p.getParent(), all) : modelFile(p);
                if (e != null) entries.add(e);
            } catch (IOException | RuntimeException e) {
                entries.add(new ModelsListing.Entry(p, "unreadable", "-", "-", Double.NaN, Text.message(e)));
            }
        }
        return new ModelsListing(root, true, entries);
    }

    /** A checkpoint directory; {@code null} unless it is its run's best or latest, or {@code all}. */
    private static ModelsListing.Entry checkpoint(Path dir, boolean all) throws IOException {
        Path parent = dir.getParent();
        String name = dir.getFileName().toString();
        boolean best = parent != null && parent.getFileName().toString().equals("best");
        boolean latest = parent != null && Files.isRegularFile(parent.resolve("latest"))
                && Files.readString(parent.resolve("latest")).trim().equals(name);
        if (!all && !best && !latest) return null;
        ModelFiles.CheckpointInfo info = ModelFiles.checkpointInfo(dir);
        RunConfig run = RunDirectories.runOrNull(dir);
        String kind = best ? "checkpoint (best)" : latest ? "checkpoint (latest)" : "checkpoint";
        Path shown = best ? parent : dir; // best/ holds one checkpoint: the directory to give eval and resume
        return new ModelsListing.Entry(shown, kind, Integer.toString(info.epoch() + 1), run == null ? "-" : run.dataset,
                info.metrics().getOrDefault("val_accuracy", Double.NaN), ModelFactory.summary(info.spec()));
    }

    /** A safetensors file with a model spec; {@code null} for a checkpoint's files and plain state dicts. */
    private static ModelsListing.Entry modelFile(Path p) throws IOException {
        String fileName = p.getFileName().toString();
        if (fileName.equals("state.safetensors") || (fileName.equals("model.safetensors") && Files.exists(p.resolveSibling("checkpoint.json")))) return null;
        Map<String, String> meta = ModelFiles.safetensorsMetadata(p);
        String spec = meta.get(Models.SPEC_KEY);
        if (spec == null) return null; // a plain state dict
        RunConfig run = RunDirectories.runOrNull(p.getParent());
        JsonNode summary = ModelFiles.summary(p.getParent());
        double acc = Double.NaN;
        String epoch = "-";
        if (summary != null && fileName.equals(ModelFiles.MODEL_FILE)) {
            if (summary.has("test_accuracy")) acc = summary.get("test_accuracy").asDouble();
            if (summary.has("epochs_completed")) epoch = summary.get("epochs_completed").asText();
        }
        return new ModelsListing.Entry(p, "model", epoch, run == null ? "-" : run.dataset, acc, ModelFactory.summary(spec));
    }
}
