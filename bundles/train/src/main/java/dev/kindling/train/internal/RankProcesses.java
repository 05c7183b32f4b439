package dev.kindling.train.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kindling.run.KindlingRun;
import dev.kindling.run.RankListener;
import dev.kindling.run.RunOptions;
import dev.kindling.train.TrainingState;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The rank JVMs of one {@code kindling:train --nproc} job, as the shell sees them: started and watched by
 * kindling-run's launcher ({@link KindlingRun}, so a failed rank stops all of them and {@code --max-restarts} starts
 * them again), their {@link RankEvents} turned into the job's progress (rank 0's) and each rank's own state for
 * {@code kindling:jobs}, their other output appended to {@code logs/rank-N.log}. Commands go to every rank's standard
 * input; a rank started later (a restart) gets the job's current command when it starts.
 */
final class RankProcesses implements RankListener {
    /** Lines of a rank's standard error kept for the failure message of a rank that died without saying why. */
    private static final int KEPT_ERROR_LINES = 20;

    /** One rank, as kindling:jobs shows it. */
    static final class Rank {
        final int rank;
        volatile long pid = -1;
        volatile int attempt;
        /** starting, running, then completed / stopped / suspended / failed, killed or an exit code. */
        volatile String state = "starting";
        volatile TrainingState progress;
        volatile JsonNode end;
        volatile String error;
        volatile Integer exitCode;
        final List<String> lastErrors = new ArrayList<>();
        BufferedWriter log;

        Rank(int rank) { this.rank = rank; }

        synchronized void keepError(String line) {
            lastErrors.add(line);
            if (lastErrors.size() > KEPT_ERROR_LINES) lastErrors.remove(0);
        }

        synchronized String lastError() {
            for (int i = lastErrors.size() - 1; i >= 0; i--) {
                String l = lastErrors.get(i).trim();
                if (!l.isEmpty() && !l.startsWith("at ") && !l.startsWith("...")) return l;
            }
            return null;
        }
    }

    private final TrainingJob job;
    private final RunOptions options;
    private final KindlingRun launcher;
    private final Rank[] ranks;
    private final Path logs;
    private volatile int restarts;
    /** Whether a rank of the current attempt has failed (the ranks the launcher kills after it show as killed). */
    private volatile boolean attemptFailed;
    /** The failure that ended the run: rank and reason. */
    private volatile String failure;

    RankProcesses(TrainingJob job, RunOptions options) {
        this.job = job;
        this.options = options;
        this.launcher = KindlingRun.launcher(options, this);
        this.ranks = new Rank[options.worldSize()];
        for (int r = 0; r < ranks.length; r++) ranks[r] = new Rank(r);
        this.logs = job.out().resolve(ModelFiles.LOGS);
    }

    RunOptions options() { return options; }

    List<Rank> ranks() { return List.of(ranks); }

    int restarts() { return restarts; }

    /** Why the run failed (which rank, and what it said), or null. */
    String failure() { return failure; }

    /** Runs the ranks until they have all ended; the launcher's exit status. */
    int run() {
        try {
            Files.createDirectories(logs);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot create " + logs + ": " + e.getMessage(), e);
        }
        try {
            return launcher.run();
        } finally {
            launcher.stop(); // no rank outlives its job
            for (Rank r : ranks) closeLog(r);
        }
    }

    /** Sends the job's current command (stop, suspend) to every running rank. */
    void sendCommand() {
        String c = job.rankCommand();
        if (c != null) launcher.send(c);
    }

    /** Kills every rank at once. */
    void kill() { launcher.stop(); }

    boolean killed() { return launcher.stopped(); }

    @Override
    public void started(int rank, int localRank, int attempt, ProcessHandle process) {
        Rank r = ranks[rank];
        r.pid = process.pid();
        r.attempt = attempt;
        r.state = "starting";
        r.progress = null;
        r.end = null;
        r.error = null;
        r.exitCode = null;
        if (attempt > 0 && rank == 0) attemptFailed = false;
        openLog(r, attempt);
        sendCommand(); // a stop asked for while this rank was being started
    }

    @Override
    public void output(int rank, boolean error, String line) {
        Rank r = ranks[rank];
        JsonNode e = error ? null : RankEvents.parse(line);
        if (e == null) {
            if (error) r.keepError(line);
            writeLog(r, line);
            return;
        }
        switch (e.path("event").asText()) {
            case "ready" -> r.pid = e.path("pid").asLong(r.pid);
            case "connected" -> r.state = "running";
            case "train_begin" -> {
                if (rank == 0) job.trainBegins();
            }
            case "batch" -> {
                TrainingState s = RankEvents.state(e);
                r.progress = s;
                if (rank == 0) job.batchEnded(withSummedRate(s));
            }
            case "epoch" -> {
                TrainingState s = RankEvents.state(e);
                r.progress = s;
                if (rank == 0) job.epochEnded(s, e.path("partial").asBoolean(false));
            }
            case "end" -> {
                r.end = e;
                r.state = e.path("state").asText("ended");
                if (rank == 0) job.ranksEnded(e);
            }
            case "failed" -> {
                r.error = e.path("error").asText();
                r.state = "failed";
            }
            default -> writeLog(r, line);
        }
    }

    /** Rank 0's progress with the samples per second of all ranks. */
    private TrainingState withSummedRate(TrainingState s) {
        double sum = 0;
        for (Rank r : ranks) {
            TrainingState p = r.progress;
            if (p != null && p.samplesPerSecond() > 0) sum += p.samplesPerSecond();
        }
        return new TrainingState(s.epoch(), s.epochs(), s.step(), s.batch(), s.batchesPerEpoch(), s.loss(), s.accuracy(), sum, s.lr(), s.epochMetrics());
    }

    @Override
    public void exited(int rank, int localRank, int attempt, int exitCode) {
        Rank r = ranks[rank];
        r.exitCode = exitCode;
        if (exitCode == 0) {
            if (r.end == null) r.state = "exited";
        } else if (r.error == null) {
            r.state = attemptFailed || launcher.stopped() ? "killed" : "failed (" + KindlingRun.describe(exitCode) + ")";
        }
        if (exitCode != 0) attemptFailed = true;
    }

    @Override
    public void failed(int rank, int localRank, int exitCode, int restart) {
        Rank r = ranks[rank];
        String why = r.error != null ? r.error : r.lastError();
        String f = "rank " + rank + " failed with " + KindlingRun.describe(exitCode) + (why == null ? "" : ": " + why);
        if (restart > 0) {
            restarts = restart;
            job.ranksRestart(f + "; all ranks restart (" + restart + " of " + options.maxRestarts() + ") from the latest checkpoint");
        } else {
            failure = f;
        }
    }

    private void openLog(Rank r, int attempt) {
        closeLog(r);
        try {
            r.log = Files.newBufferedWriter(logs.resolve("rank-" + r.rank + ".log"), StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    attempt == 0 && job.resumeFrom() == null ? StandardOpenOption.TRUNCATE_EXISTING : StandardOpenOption.APPEND);
            if (attempt > 0) writeLog(r, String.format(Locale.ROOT, "---- restart %d of %d ----", attempt, options.maxRestarts()));
        } catch (IOException e) {
            r.log = null; // its output is then only lost, not the job
        }
    }

    private static void writeLog(Rank r, String line) {
        synchronized (r) {
            BufferedWriter w = r.log;
            if (w == null) return;
            try {
                w.write(line);
                w.newLine();
                w.flush();
            } catch (IOException e) {
                r.log = null;
            }
        }
    }

    private static void closeLog(Rank r) {
        synchronized (r) {
            if (r.log == null) return;
            try {
                r.log.close();
            } catch (IOException ignored) {
                // nothing to do
            }
            r.log = null;
        }
    }
}
