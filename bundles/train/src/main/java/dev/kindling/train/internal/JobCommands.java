package dev.kindling.train.internal;

import dev.kindling.train.TrainingState;
import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Descriptor;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static dev.kindling.train.internal.Words.Kind.FLAG;
import static dev.kindling.train.internal.Words.Kind.VALUE;

/**
 * {@code kindling:jobs}, {@code kindling:watch}, {@code kindling:stop} and {@code kindling:migrate}: the running and
 * ended jobs of this framework.
 */
@Component(service = JobCommands.class, property = {
        "osgi.command.scope=kindling",
        "osgi.command.function=jobs",
        "osgi.command.function=watch",
        "osgi.command.function=stop",
        "osgi.command.function=migrate"})
public class JobCommands {
    private final JobManager jobs;

    @Activate
    public JobCommands(@Reference(name = "jobs") JobManager jobs) {
        this.jobs = jobs;
    }

    @Descriptor("list training jobs with their progress: state, epoch, step, samples/s, loss and accuracy (of the current epoch), "
            + "the last validation accuracy, time left (ETA), time so far and output directory")
    public String jobs(CommandSession session) {
        Console c = Console.of(session);
        return new CommandFormatter(c.cwd()).jobs(jobsTable());
    }

    JobsTable jobsTable() {
        List<JobsTable.Row> rows = new ArrayList<>();
        for (TrainingJob j : jobs.list()) {
            TrainingJob.State state = j.state();
            TrainingState s = j.progress();
            Map<String, Double> last = j.lastEpochMetrics();
            boolean live = !state.ended() && s != null;
            rows.add(new JobsTable.Row(j.id(), j.stateLabel(), live ? s.epoch() + 1 : j.epochsDone(), j.config().epochs,
                    s == null ? null : s.step(),
                    live ? s.samplesPerSecond() : last.getOrDefault("samples_per_second", Double.NaN),
                    live ? s.loss() : last.getOrDefault("train_loss", Double.NaN),
                    live ? s.accuracy() : last.getOrDefault("train_accuracy", Double.NaN),
                    j.lastValAccuracy(), state.ended() ? Double.NaN : j.etaSeconds(), j.wallSeconds(), j.out(),
                    state == TrainingJob.State.FAILED ? j.errorMessage() : null, rankSummary(j), rankRows(j)));
        }
        return new JobsTable(rows, jobs.resumeProblems());
    }

    /** "2 rank JVMs over gloo, rendezvous at 127.0.0.1:41234, restarts 0 of 1", or null for a job in this JVM. */
    private static String rankSummary(TrainingJob j) {
        if (!j.distributed()) return null;
        RankProcesses rp = j.ranks();
        StringBuilder sb = new StringBuilder().append(j.config().nproc).append(" rank JVM").append(j.config().nproc == 1 ? "" : "s")
                .append(" over ").append(j.config().backend);
        if (rp != null) sb.append(", rendezvous at ").append(rp.options().masterAddr()).append(':').append(rp.options().masterPort());
        if (j.config().maxRestarts > 0) sb.append(", restarts ").append(rp == null ? 0 : rp.restarts()).append(" of ").append(j.config().maxRestarts);
        if (j.paramsSha256() != null) sb.append(", equal parameters at the end (SHA-256 ").append(j.paramsSha256(), 0, 16).append("...)");
        return sb.toString();
    }

    private static List<JobsTable.RankRow> rankRows(TrainingJob j) {
        if (!j.distributed()) return List.of();
        RankProcesses rp = j.ranks();
        List<JobsTable.RankRow> rows = new ArrayList<>();
        for (int r = 0; r < j.config().nproc; r++) {
            RankProcesses.Rank k = rp == null ? null : rp.ranks().get(r);
            TrainingState s = k == null ? null : k.progress;
            String state = k == null ? (j.state() == TrainingJob.State.QUEUED ? "queued" : j.state().ended() ? "-" : "starting") : k.state;
            rows.add(new JobsTable.RankRow(r, k == null ? -1 : k.pid, state, s == null ? null : s.epoch() + 1, s == null ? null : s.batch(),
                    s == null ? 0 : s.batchesPerEpoch(), s == null ? null : s.step(), s == null ? Double.NaN : s.samplesPerSecond(),
                    s == null ? Double.NaN : s.loss(), s == null ? Double.NaN : s.accuracy()));
        }
        return rows;
    }

    @Descriptor("follow a training job until it ends: a live progress bar in an interactive shell, progress lines otherwise; "
            + "ends with the test accuracy, and fails (non-zero exit) unless the job completed. Ctrl-C stops watching, not the job")
    public Object watch(CommandSession session, @Descriptor("the job number (kindling:jobs)") String... args) {
        return watch(Console.of(session), args);
    }

    String watch(Console c, String... args) {
        Words w = Words.parse("kindling:watch", 1, List.of(new Words.Positional("job", false)), List.of(), args);
        if (w.help()) return "kindling:watch <job>";
        TrainingJob job = jobs.get(w.positional(0));
        c.out().println(new CommandFormatter(c.cwd()).watching(job));
        return JobFollower.follow(c, job);
    }

    @Descriptor("stop a training job cleanly: after the current batch (or with --at-epoch-end after the current epoch, so that "
            + "kindling:resume continues exactly), writing a final checkpoint; waits until it has stopped. A queued job is cancelled. "
            + "The ranks of a --nproc job stop together; those still running after --timeout SECONDS are killed. "
            + "(OSGi bundles are stopped with felix:stop)")
    public Object stop(CommandSession session, @Descriptor("the job number, [--at-epoch-end], [--timeout SECONDS]") String... args) {
        return stop(Console.of(session), args);
    }

    String stop(Console c, String... args) {
        Words w = Words.parse("kindling:stop", 1, List.of(new Words.Positional("job", false)),
                List.of(new Words.Option("at-epoch-end", FLAG), new Words.Option("timeout", VALUE)), args);
        if (w.help()) return "kindling:stop <job> [--at-epoch-end] [--timeout SECONDS]";
        TrainingJob job;
        try {
            job = jobs.get(w.positional(0));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("kindling:stop: " + e.getMessage() + (w.positional(0).matches("\\d+")
                    ? "; to stop OSGi bundle " + w.positional(0) + " use felix:stop " + w.positional(0) : ""), e);
        }
        int timeout = w.integer("timeout", 600, 1);
        if (job.state().ended()) throw new IllegalArgumentException("kindling:stop: job " + job.id() + " has already ended (" + job.state().label() + ")");
        CommandFormatter format = new CommandFormatter(c.cwd());
        boolean queued = job.state() == TrainingJob.State.QUEUED;
        boolean atEpochEnd = w.flag("at-epoch-end");
        job.requestStop(atEpochEnd);
        if (!queued) {
            c.out().println(format.stopping(job, atEpochEnd));
            c.out().flush();
        }
        return format.stop(stopOutcome(job, queued, timeout, format));
    }

    /** Waits for the stop to take effect; a job that failed meanwhile fails the command. */
    private static StopOutcome stopOutcome(TrainingJob job, boolean queued, int timeout, CommandFormatter format) {
        try {
            if (!job.await(timeout * 1000L)) {
                if (!job.distributed()) return new StopOutcome(job, StopOutcome.Kind.STILL_STOPPING, timeout);
                job.killRanks(); // rank JVMs can be ended, unlike a thread: none is left behind
                if (!job.await(30_000)) return new StopOutcome(job, StopOutcome.Kind.STILL_STOPPING, timeout);
                return new StopOutcome(job, StopOutcome.Kind.KILLED, timeout);
            }
        } catch (InterruptedException e) {
            return new StopOutcome(job, StopOutcome.Kind.STOPPING, timeout);
        }
        switch (job.state()) {
            case STOPPED:
                return new StopOutcome(job, queued ? StopOutcome.Kind.CANCELLED : StopOutcome.Kind.STOPPED, timeout);
            case COMPLETED:
                return new StopOutcome(job, StopOutcome.Kind.COMPLETED, timeout);
            default:
                throw JobFollower.failure(job, format);
        }
    }

    @Descriptor("move a training job (or all running and queued ones) to another device between two of its steps: its model, "
            + "gradients and optimizer state change device in place and training goes on there, e.g. kindling:migrate all cpu "
            + "before the cuda backend is taken away; run.json then names the new device")
    public String migrate(@Descriptor("the job number or 'all', then the device (cpu, cuda, cuda:1)") String... args) {
        Words w = Words.parse("kindling:migrate", 2, List.of(new Words.Positional("job", false), new Words.Positional("device", false)), List.of(), args);
        if (w.help()) return "kindling:migrate <job|all> <device>";
        List<TrainingJob> targets = new ArrayList<>();
        if (w.positional(0).equalsIgnoreCase("all")) {
            for (TrainingJob j : jobs.list()) if (!j.state().ended()) targets.add(j);
            if (targets.isEmpty()) throw new IllegalArgumentException("kindling:migrate: no job is running or queued");
        } else {
            targets.add(jobs.get(w.positional(0)));
        }
        StringBuilder sb = new StringBuilder();
        for (TrainingJob j : targets) {
            try {
                dev.kindling.api.Device d = j.requestDevice(w.positional(1));
                sb.append("job ").append(j.id()).append(j.state() == TrainingJob.State.QUEUED ? " will start on " : " moves to ").append(d)
                        .append(j.state() == TrainingJob.State.QUEUED ? "" : " at its next step").append('\n');
            } catch (java.io.IOException e) {
                throw new IllegalArgumentException("kindling:migrate: cannot update " + j.out() + ": " + e.getMessage(), e);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("kindling:migrate: " + e.getMessage(), e);
            }
        }
        return sb.toString().trim();
    }
}
