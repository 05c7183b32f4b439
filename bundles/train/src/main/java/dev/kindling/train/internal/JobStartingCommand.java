package dev.kindling.train.internal;

import dev.kindling.kernel.Kernel;
import dev.kindling.nn.Module;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

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

    /**
     * For a data-parallel run ({@code cfg.nproc > 0}): the device options its ranks cannot share, and whether ranks can
     * start here at all (kindling-run, kindling-distributed and the backend's natives installed).
     */
    void checkRanks(String command, RunConfig cfg) {
        if (cfg.nproc == 0) return;
        String device = cfg.device.trim().toLowerCase(Locale.ROOT);
        if (cfg.nproc > 1 && device.startsWith("cuda:")) {
            throw new IllegalArgumentException(command + ": --nproc " + cfg.nproc + " with --device " + cfg.device + " would put all " + cfg.nproc
                    + " ranks on one GPU; give --device cuda (rank r trains on cuda:r) or --nproc 1");
        }
        if (cfg.nproc > 1 && device.equals("cuda")) {
            long gpus = kernel.devices().stream().filter(d -> d.type().equals("cuda")).count();
            if (gpus < cfg.nproc) {
                throw new IllegalArgumentException(command + ": --nproc " + cfg.nproc + " with --device cuda needs " + cfg.nproc
                        + " GPUs (one per rank, cuda:0 to cuda:" + (cfg.nproc - 1) + "); this machine has " + gpus);
            }
        }
        String problem = jobs.rankLaunch().problem(cfg.backend);
        if (problem != null) throw new IllegalArgumentException(command + ": --nproc " + cfg.nproc + " cannot start ranks here: " + problem);
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
