package dev.kindling.train.internal;

import dev.kindling.kernel.Kernel;
import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Descriptor;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import static dev.kindling.train.internal.Words.Kind.FLAG;
import static dev.kindling.train.internal.Words.Kind.VALUE;

/** {@code kindling:resume}: continues a {@code kindling:train} run from a checkpoint as a new job, with the run's settings. */
@Component(service = ResumeCommand.class, property = {"osgi.command.scope=kindling", "osgi.command.function=resume"})
public class ResumeCommand extends JobStartingCommand {
    @Activate
    public ResumeCommand(@Reference(name = "kernel") Kernel kernel, @Reference(name = "jobs") JobManager jobs) {
        super(kernel, jobs);
    }

    @Descriptor("continue a run from a checkpoint as a new job, exactly where it left off (weights, optimizer and scheduler "
            + "state, epoch, random generators): kindling:resume <run-dir|checkpoint-dir> [--epochs N] [--wait] [--device D] "
            + "[--workers N]; --epochs is the new total. The run's settings come from its run.json")
    public Object resume(CommandSession session,
                         @Descriptor("a run directory (its latest checkpoint), a checkpoints directory, or one checkpoint; options") String... args) {
        return resume(Console.of(session), args);
    }

    String resume(Console c, String... args) {
        Words w = Words.parse("kindling:resume", 1, List.of(new Words.Positional("checkpoint", false)),
                List.of(new Words.Option("epochs", VALUE), new Words.Option("wait", FLAG), new Words.Option("device", VALUE),
                        new Words.Option("workers", VALUE), new Words.Option("help", FLAG)), args);
        if (w.help() || w.flag("help")) {
            return "kindling:resume <run-dir|checkpoint-dir> [--epochs N] [--wait] [--device D] [--workers N]\n"
                    + "  continues a kindling:train run from its latest (or the named) checkpoint; --epochs N trains until N epochs in total;\n"
                    + "  a run trained with --nproc N continues as N ranks";
        }
        Path checkpoint;
        try {
            checkpoint = RunDirectories.checkpointToResume(c.cwd().resolve(w.positional(0)).normalize());
        } catch (IOException e) {
            throw new IllegalArgumentException("kindling:resume: " + w.positional(0) + " is not a run or checkpoint directory: " + Text.message(e), e);
        }
        Path runFile = RunConfig.find(checkpoint);
        if (runFile == null) {
            throw new IllegalArgumentException("kindling:resume: no run.json next to " + checkpoint + ": resume continues runs started with kindling:train "
                    + "(for other checkpoints use Trainer.builder(model).resumeFrom(dir) in code)");
        }
        RunConfig cfg;
        ModelFiles.CheckpointInfo info;
        try {
            cfg = RunConfig.read(runFile);
            info = ModelFiles.checkpointInfo(checkpoint);
        } catch (IOException e) {
            throw new IllegalArgumentException("kindling:resume: " + Text.message(e), e);
        }
        int start = info.epoch() + 1;
        int oldEpochs = cfg.epochs;
        cfg.epochs = w.integer("epochs", cfg.epochs, 1);
        if (start >= cfg.epochs) {
            throw new IllegalArgumentException("kindling:resume: " + Text.path(checkpoint, c.cwd()) + " is at epoch " + start + " of " + cfg.epochs
                    + ": nothing left to train; give --epochs N (the new total, more than " + start + ")");
        }
        if (cfg.scheduler != null && cfg.scheduler.name().equalsIgnoreCase("onecyclelr") && cfg.epochs > oldEpochs) {
            throw new IllegalArgumentException("kindling:resume: the run's OneCycleLR schedule covers " + oldEpochs
                    + " epochs; it cannot be continued past them (--epochs " + cfg.epochs + ")");
        }
        if (w.has("device")) cfg.device = w.value("device");
        if (w.has("workers")) cfg.workers = w.integer("workers", 0, 0);
        checkRanks("kindling:resume", cfg); // a data-parallel run continues with its ranks
        Path out = runFile.getParent();
        TrainingJob busy = jobs.writingTo(out);
        if (busy != null) throw new IllegalArgumentException("kindling:resume: job " + busy.id() + " is still writing to " + out + "; stop it first (kindling:stop " + busy.id() + ")");
        DataPrep.Data data = RunSetup.data(kernel, cfg);
        RunSetup.validate(kernel, cfg);
        boolean validated = validateModel(cfg, data);
        try {
            cfg.write(out);
        } catch (IOException e) {
            throw new IllegalArgumentException("kindling:resume: cannot write " + runFile + ": " + e.getMessage(), e);
        }
        return start(c, cfg, data, out, checkpoint, start, validated, w.flag("wait"));
    }
}
