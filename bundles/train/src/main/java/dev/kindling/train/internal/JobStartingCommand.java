package dev.kindling.train.internal;

import dev.kindling.kernel.Kernel;
import dev.kindling.nn.Module;

import java.nio.file.Path;
import java.util.List;

/**
 * The base of the commands that start training jobs ({@code kindling:train}, {@code kindling:resume}): checking the
 * model, then submitting the job and reporting it. Package-private, so Gogo sees only the subclasses' commands.
 */
abstract class JobStartingCommand {
    final Kernel kernel;
    final JobManager jobs;

    JobStartingCommand(Kernel kernel, JobManager jobs) {
        this.kernel = kernel;
        this.jobs = jobs;
    }

    /** Builds the model and runs two samples through it, unless a job is running (building draws random numbers). */
    boolean validateModel(RunConfig cfg, DataPrep.Data data) {
        if (jobs.busy()) return false; // the job checks it when it starts
        Module m = RunSetup.model(cfg);
        ModelFactory.check(m, data.train(), data.numClasses(), data.name());
        return true;
    }

    /** Submits the job; returns what was started, or with {@code wait} prints that and follows the job to its end. */
    String start(Console c, RunConfig cfg, DataPrep.Data data, Path out, Path resumeFrom, int startEpoch, boolean validated,
                 boolean wait) {
        TrainingJob job = jobs.submit(kernel, cfg, data, out, resumeFrom, startEpoch, validated);
        List<TrainingJob> ahead = jobs.list().stream().filter(j -> j.id() < job.id() && !j.state().ended()).toList();
        CommandFormatter format = new CommandFormatter(c.cwd());
        String started = format.started(new StartedJob(job, ahead.isEmpty() ? null : ahead.get(ahead.size() - 1)));
        if (!wait) return started + "\n" + format.followHint(job);
        c.out().println(started);
        c.out().flush();
        return JobFollower.follow(c, job);
    }
}
