package dev.kindling.train.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/** Where runs live: choosing (and clearing) a new run's directory, finding a run's checkpoint and its run.json. */
final class RunDirectories {
    private RunDirectories() {}

    /**
     * The output directory of a new run: {@code --out} (empty, or a run to replace with {@code overwrite}), else the
     * first free {@code runs/<dataset>-<model>-<n>}. Never one that a job is writing to.
     */
    static Path forNewRun(JobManager jobs, Path cwd, String given, RunConfig cfg, boolean overwrite) {
        if (overwrite && given == null) throw new IllegalArgumentException("kindling:train: --overwrite needs --out DIR");
        if (given != null) {
            Path p = cwd.resolve(given).normalize();
            if (jobs.writingTo(p) != null) throw new IllegalArgumentException("kindling:train: job " + jobs.writingTo(p).id() + " is writing to " + given);
            if (Files.exists(p.resolve(RunConfig.FILE))) {
                if (!overwrite) {
                    throw new IllegalArgumentException("kindling:train: --out " + given + " already holds a training run (run.json): continue it with "
                            + "kindling:resume " + given + ", replace it with --overwrite, or choose another --out");
                }
                removeRun(p);
                return p;
            }
            if (Files.exists(p) && !Files.isDirectory(p)) throw new IllegalArgumentException("kindling:train: --out " + given + " is a file");
            if (Files.isDirectory(p)) {
                try (Stream<Path> s = Files.list(p)) {
                    if (s.findAny().isPresent()) throw new IllegalArgumentException("kindling:train: --out " + given + " exists and is not empty");
                } catch (IOException e) {
                    throw new IllegalArgumentException("kindling:train: cannot read --out " + given + ": " + e.getMessage(), e);
                }
            }
            return p;
        }
        String model = cfg.model.trim();
        if (!ModelFactory.BUILTINS.contains(model.toLowerCase(Locale.ROOT))) {
            model = model.startsWith("[") || model.startsWith("{") ? "custom" : Path.of(model).getFileName().toString().replaceFirst("\\.json$", "");
        }
        String base = (cfg.dataset + "-" + model).replaceAll("[^A-Za-z0-9._-]", "_");
        Path runs = cwd.resolve("runs");
        for (int i = 1; ; i++) {
            Path p = runs.resolve(base + "-" + i);
            if (!Files.exists(p) && jobs.writingTo(p) == null) return p;
        }
    }

    /** Deletes what a run wrote into {@code dir}, and nothing else. */
    private static void removeRun(Path dir) {
        try {
            for (String name : List.of(ModelFiles.CHECKPOINTS, ModelFiles.LOGS, ModelFiles.MODEL_FILE, ModelFiles.SUMMARY_FILE, RunConfig.FILE)) {
                Path p = dir.resolve(name);
                if (!Files.exists(p)) continue;
                try (Stream<Path> s = Files.walk(p)) {
                    for (Path x : (Iterable<Path>) s.sorted(Comparator.reverseOrder())::iterator) Files.deleteIfExists(x);
                }
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("kindling:train: cannot remove the previous run in " + dir + ": " + e.getMessage(), e);
        }
    }

    /** The checkpoint to resume: a run directory's latest, else the checkpoint (or checkpoints directory) given. */
    static Path checkpointToResume(Path p) throws IOException {
        return Files.isRegularFile(p.resolve(RunConfig.FILE)) && Files.isDirectory(p.resolve(ModelFiles.CHECKPOINTS))
                ? dev.kindling.train.Checkpoint.resolve(p.resolve(ModelFiles.CHECKPOINTS)) : dev.kindling.train.Checkpoint.resolve(p);
    }

    /** The run that {@code from} (a model file or checkpoint) belongs to, or {@code null}; unreadable fails the command. */
    static RunConfig runOf(String command, Path from) {
        try {
            return readRun(from);
        } catch (IOException e) {
            throw new IllegalArgumentException(command + ": " + Text.message(e), e);
        }
    }

    /** As {@link #runOf}, but an unreadable run.json counts as none (a listing goes on). */
    static RunConfig runOrNull(Path from) {
        try {
            return readRun(from);
        } catch (IOException e) {
            return null;
        }
    }

    private static RunConfig readRun(Path from) throws IOException {
        Path f = RunConfig.find(from);
        return f == null ? null : RunConfig.read(f);
    }
}
