package dev.kindling.train.internal;

import dev.kindling.train.ClassificationMetrics;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Turns the training commands' results into the text the shell prints, so each command only computes its record.
 * Paths under the session's directory are shown relative to it.
 */
final class CommandFormatter {
    private final Path cwd;

    CommandFormatter(Path cwd) { this.cwd = cwd; }

    private String path(Path p) { return Text.path(p, cwd); }

    /** Gogo prints a result with println: drop the final line break. */
    private static String text(String s) {
        return s.endsWith("\n") ? s.substring(0, s.length() - 1) : s;
    }

    // ------------------------------------------------------------------------------------------------------ jobs

    String started(StartedJob started) {
        TrainingJob job = started.job();
        RunConfig cfg = job.config();
        StringBuilder sb = new StringBuilder();
        sb.append("job ").append(job.id()).append(started.queuedAfter() == null ? "" : " queued after job " + started.queuedAfter().id()).append(": ");
        if (job.resumeFrom() != null) {
            sb.append("resuming ").append(path(job.out())).append(" from ").append(path(job.resumeFrom()))
                    .append(" (").append(job.startEpoch()).append(" of ").append(cfg.epochs).append(" epochs done)\n  ");
        }
        sb.append(cfg.model).append(" [").append(ModelFactory.summary(cfg.modelSpec)).append("] on ").append(job.dataDescription());
        sb.append(String.format(Locale.ROOT, "%n  %d epoch" + (cfg.epochs == 1 ? "" : "s") + ", batch size %d, %s%s, %s, %s, seed %d -> %s", cfg.epochs, cfg.batchSize,
                RunConfig.describe(cfg.optimizer), cfg.scheduler == null ? "" : ", scheduler " + RunConfig.describe(cfg.scheduler) + " per " + cfg.schedulerInterval,
                RunConfig.describe(cfg.loss), cfg.device, cfg.seed, path(job.out())));
        if (job.distributed()) {
            sb.append(String.format(Locale.ROOT, "%n  data-parallel: %d ranks, each a JVM of its own (DistributedDataParallel over %s; batch size %d per rank, "
                    + "%d in all)%s; rank 0 writes checkpoints and logs; the ranks' output goes to %s", cfg.nproc, cfg.backend, cfg.batchSize,
                    cfg.batchSize * cfg.nproc, cfg.maxRestarts > 0 ? ", restarted up to " + cfg.maxRestarts + " times after a failure" : "",
                    path(job.out().resolve(ModelFiles.LOGS).resolve("rank-N.log"))));
        }
        return sb.toString();
    }

    String followHint(TrainingJob job) {
        return "follow it with kindling:watch " + job.id() + "; kindling:jobs lists jobs; kindling:stop " + job.id() + " stops it with a checkpoint";
    }

    String watching(TrainingJob job) {
        return "job " + job.id() + " (" + job.state().label() + "): " + job.config().model + " on " + job.config().dataset + " -> " + path(job.out());
    }

    String queued(TrainingJob job) {
        return "job " + job.id() + " is queued: it starts when the jobs before it have ended";
    }

    String stoppedWatching(TrainingJob job) {
        return "stopped watching job " + job.id() + " (" + job.state().label() + "); it goes on in the background: "
                + "kindling:jobs, kindling:watch " + job.id() + ", kindling:stop " + job.id();
    }

    String completed(TrainingJob job) {
        Map<String, Double> m = job.finalMetrics();
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "job %d completed in %s: test accuracy %s (loss %s, %d test samples)", job.id(),
                Text.seconds(job.wallSeconds()), Text.num(m.getOrDefault("test_accuracy", Double.NaN), 4),
                Text.num(m.getOrDefault("test_loss", Double.NaN), 4), job.testSamples()));
        if (job.earlyStoppedEpoch() >= 0) sb.append("\nstopped early after epoch ").append(job.earlyStoppedEpoch() + 1).append(": val_loss stopped improving");
        if (job.bestEpoch() >= 0) {
            sb.append(String.format(Locale.ROOT, "%nbest val_acc %s at epoch %d: %s", Text.num(job.bestValAccuracy(), 4), job.bestEpoch() + 1,
                    path(job.out().resolve(ModelFiles.CHECKPOINTS).resolve("best"))));
        }
        if (job.paramsSha256() != null) {
            sb.append("\nall ").append(job.config().nproc).append(" ranks ended with the same parameters (SHA-256 ")
                    .append(job.paramsSha256(), 0, 16).append("...)");
        }
        sb.append("\nsaved ").append(path(job.out().resolve(ModelFiles.MODEL_FILE))).append("; checkpoints in ")
                .append(path(job.out().resolve(ModelFiles.CHECKPOINTS))).append("; TensorBoard events and metrics.csv in ")
                .append(path(job.out().resolve(ModelFiles.LOGS)));
        return sb.toString();
    }

    /** A job the job manager suspended as the train bundle went away (an update, a stop, a shutdown). */
    String suspended(TrainingJob job) {
        Path at = job.suspendedAt();
        return "job " + job.id() + " was suspended (the train bundle was stopped or updated)" + (at == null ? " before it started"
                : " with a checkpoint of its place in the epoch, " + path(at)) + "; it resumes by itself when the bundle is active again, "
                + "or continue it with: kindling:resume " + path(job.out());
    }

    String stopped(TrainingJob job) {
        if (job.killed()) {
            return "job " + job.id() + "'s " + job.config().nproc + " rank JVMs were killed" + (job.lastCheckpoint() == null ? " before a checkpoint was written"
                    : "; its latest checkpoint is " + path(job.lastCheckpoint()) + "; continue with: kindling:resume " + path(job.out()));
        }
        if (job.lastCheckpoint() == null && job.epochsDone() == job.startEpoch()) {
            return "job " + job.id() + " was stopped before it trained an epoch" + (job.resumeFrom() != null ? "" : "; nothing was saved");
        }
        String how = job.partialEpoch() ? " (stopped during that epoch: a resumed run counts it as done)" : "";
        return String.format(Locale.ROOT, "job %d was stopped after epoch %d/%d%s; checkpoint %s; continue with: kindling:resume %s",
                job.id(), job.epochsDone(), job.config().epochs, how,
                job.lastCheckpoint() == null ? "-" : path(job.lastCheckpoint()), path(job.out()));
    }

    String failed(TrainingJob job) {
        return "job " + job.id() + " failed: " + job.errorMessage() + " (output: " + path(job.out()) + ")";
    }

    String stopping(TrainingJob job, boolean atEpochEnd) {
        return "stopping job " + job.id() + (atEpochEnd ? " at the end of the current epoch" : " after the current batch")
                + " and writing a checkpoint ...";
    }

    String stop(StopOutcome s) {
        TrainingJob job = s.job();
        return switch (s.kind()) {
            case STILL_STOPPING -> "job " + job.id() + " is still stopping after " + s.timeoutSeconds() + " s; kindling:jobs shows when it has";
            case KILLED -> "job " + job.id() + " did not stop within " + s.timeoutSeconds() + " s: " + stopped(job);
            case STOPPING -> "job " + job.id() + " is stopping; kindling:jobs shows when it has";
            case CANCELLED -> "job " + job.id() + " was cancelled before it started";
            case STOPPED -> stopped(job);
            case COMPLETED -> "job " + job.id() + " completed before it could stop\n" + completed(job);
        };
    }

    String jobs(JobsTable jobs) {
        if (jobs.rows().isEmpty()) {
            return "No training jobs (kindling:train starts one)." + (jobs.notes().isEmpty() ? "" : "\n" + String.join("\n", jobs.notes()));
        }
        Text.Table t = new Text.Table("ID", "STATE", "EPOCH", "STEP", "SAMPLES/S", "LOSS", "ACC", "VAL_ACC", "ETA", "TIME", "OUTPUT");
        StringBuilder notes = new StringBuilder();
        for (JobsTable.Row r : jobs.rows()) {
            t.row(r.id(), r.state(), r.epoch() + "/" + r.epochs(), r.step() == null ? "-" : r.step(), Text.rate(r.samplesPerSecond()),
                    Text.num(r.loss(), 4), Text.num(r.accuracy(), 4), Text.num(r.valAccuracy(), 4),
                    Text.clock(r.etaSeconds()), Text.clock(r.wallSeconds()), path(r.out()));
            if (r.error() != null) notes.append("job ").append(r.id()).append(" failed: ").append(r.error()).append('\n');
        }
        StringBuilder ranks = new StringBuilder();
        for (JobsTable.Row r : jobs.rows()) {
            if (r.ranks().isEmpty()) continue;
            ranks.append('\n').append("job ").append(r.id()).append(": ").append(r.rankSummary()).append('\n');
            Text.Table rt = new Text.Table("RANK", "PID", "STATE", "EPOCH", "BATCH", "STEP", "SAMPLES/S", "LOSS", "ACC");
            for (JobsTable.RankRow k : r.ranks()) {
                rt.row(k.rank(), k.pid() < 0 ? "-" : k.pid(), k.state(), k.epoch() == null ? "-" : k.epoch() + "/" + r.epochs(),
                        k.batch() == null ? "-" : k.batch() + "/" + k.batches(), k.step() == null ? "-" : k.step(), Text.rate(k.samplesPerSecond()),
                        Text.num(k.loss(), 4), Text.num(k.accuracy(), 4));
            }
            rt.toString().lines().forEach(l -> ranks.append("  ").append(l).append('\n'));
        }
        for (String n : jobs.notes()) notes.append(n).append('\n');
        return text(t + ranks.toString() + (notes.length() > 0 && ranks.length() > 0 ? "\n" : "") + notes);
    }

    // ------------------------------------------------------------------------------------------------------ saved models

    String eval(EvalReport report) {
        StringBuilder sb = new StringBuilder();
        sb.append("model:    ").append(describe(report.model())).append('\n');
        sb.append("          ").append(ModelFactory.summary(report.model().spec())).append('\n');
        sb.append("dataset:  ").append(report.dataset()).append(", ").append(report.split()).append('\n');
        sb.append(String.format(Locale.ROOT, "loss:     %.4f%n", report.result().loss()));
        ClassificationMetrics cm = report.result().classification();
        if (cm != null) {
            sb.append(String.format(Locale.ROOT, "accuracy: %.4f (%d of %d)%n", cm.accuracy(), Math.round(cm.accuracy() * cm.count()), cm.count()));
            if (cm.topK() > 1) sb.append(String.format(Locale.ROOT, "top-%d:    %.4f%n", cm.topK(), cm.topKAccuracy()));
            sb.append(String.format(Locale.ROOT, "macro:    precision %.4f  recall %.4f  F1 %.4f%n", cm.macroPrecision(), cm.macroRecall(), cm.macroF1()));
            List<String> classes = report.classes();
            if (!isIndexNames(classes)) {
                sb.append("classes:  ");
                for (int i = 0; i < classes.size(); i++) sb.append(i == 0 ? "" : ", ").append(i).append(' ').append(classes.get(i));
                sb.append('\n');
            }
            sb.append('\n').append(cm.report());
        }
        return text(sb.toString());
    }

    String predictions(Predictions p) {
        int k = p.classCount();
        List<String> classes = p.classes();
        boolean names = !classes.isEmpty() && classes.size() == k && !isIndexNames(classes);
        Text.Table t = p.withTargets() ? new Text.Table("INDEX", "PREDICTED", "PROB", "TARGET", "", "TOP-" + p.topCount())
                : new Text.Table("ROW", "PREDICTED", "PROB", "TOP-" + p.topCount());
        int right = 0;
        for (Predictions.Prediction r : p.rows()) {
            StringBuilder tops = new StringBuilder();
            for (Predictions.Ranked c : r.top()) {
                if (tops.length() > 0) tops.append(", ");
                tops.append(className(c.index(), classes, names)).append(' ').append(String.format(Locale.ROOT, "%.3f", c.probability()));
            }
            String predicted = className(r.predicted(), classes, names);
            String prob = String.format(Locale.ROOT, "%.4f", r.probability());
            if (!p.withTargets()) {
                t.row(r.label(), predicted, prob, tops);
            } else {
                boolean ok = r.target().longValue() == r.predicted();
                if (ok) right++;
                t.row(r.label(), predicted, prob, className(r.target().intValue(), classes, names), ok ? "ok" : "WRONG", tops);
            }
        }
        StringBuilder sb = new StringBuilder();
        sb.append("model:  ").append(describe(p.model())).append('\n');
        sb.append("inputs: ").append(p.inputs()).append("\n\n");
        sb.append(t);
        if (p.withTargets()) sb.append(String.format(Locale.ROOT, "%d of %d right%n", right, p.rows().size()));
        return text(sb.toString());
    }

    String models(ModelsListing listing) { return models(listing, List.of()); }

    /** The saved models, then (when a server runs) the versions it serves. */
    String models(ModelsListing listing, List<ModelsListing.Served> served) {
        String saved;
        if (!listing.exists()) saved = "No models: there is no " + listing.root() + " (kindling:train saves its runs under ./runs).";
        else if (listing.entries().isEmpty()) saved = "No models or checkpoints under " + path(listing.root()) + ".";
        else {
            Text.Table t = new Text.Table("PATH", "KIND", "EPOCH", "DATASET", "ACCURACY", "MODEL");
            for (ModelsListing.Entry e : listing.entries()) {
                t.row(path(e.path()), e.kind(), e.epoch(), e.dataset(), Text.num(e.accuracy(), 4), e.model());
            }
            saved = text(t.toString());
        }
        if (served.isEmpty()) return saved;
        Text.Table t = new Text.Table("SERVED", "VERSION", "STATE", "PLATFORM", "ENDPOINT", "SOURCE");
        for (ModelsListing.Served s : served) {
            t.row(s.model(), s.version(), s.state(), s.platform(), s.endpoint(), s.source().equals("-") ? "-" : path(Path.of(s.source())));
        }
        return saved.stripTrailing() + "\n\n" + text(t.toString());
    }

    private String describe(ModelFiles.Loaded l) {
        return path(l.path()) + (l.checkpoint() ? " (checkpoint after epoch " + (l.epoch() + 1) + ")" : " (model file)");
    }

    /** Class names that are just their indices ("0", "1", ...) add nothing: the index alone is shown. */
    private static boolean isIndexNames(List<String> classes) {
        for (int i = 0; i < classes.size(); i++) if (!classes.get(i).equals(Integer.toString(i))) return false;
        return true;
    }

    private static String className(int i, List<String> classes, boolean names) {
        return names ? i + " " + classes.get(i) : Integer.toString(i);
    }
}
