package dev.kindling.train.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kindling.api.DType;
import dev.kindling.api.Device;
import dev.kindling.api.Tensor;
import dev.kindling.api.Torch;
import dev.kindling.data.DataLoader;
import dev.kindling.data.Dataset;
import dev.kindling.data.Sample;
import dev.kindling.data.transforms.Transform;
import dev.kindling.io.Models;
import dev.kindling.io.Safetensors;
import dev.kindling.kernel.Kernel;
import dev.kindling.nn.Module;
import dev.kindling.optim.SGD;
import dev.kindling.train.EvalResult;
import dev.kindling.train.Trainer;
import dev.kindling.train.TrainingState;
import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Descriptor;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;

import static dev.kindling.train.internal.Words.Kind.FLAG;
import static dev.kindling.train.internal.Words.Kind.NAMED;
import static dev.kindling.train.internal.Words.Kind.VALUE;

/**
 * The training commands of the Gogo shell (scope {@code kindling}): {@code train}, {@code resume}, {@code jobs},
 * {@code watch}, {@code stop}, {@code eval}, {@code predict}, {@code models}. They live in the train bundle, next to
 * the {@link JobManager} whose jobs they start, so the shell bundle needs no training dependencies; Gogo finds them by
 * their {@code osgi.command.scope} property like the shell's own. Each returns its text; failures (bad input, a failed
 * job) are exceptions, so {@code bin/kindling -c} and scripts exit non-zero.
 */
@Component(service = TrainCommands.class, property = {
        "osgi.command.scope=kindling",
        "osgi.command.function=train",
        "osgi.command.function=resume",
        "osgi.command.function=jobs",
        "osgi.command.function=watch",
        "osgi.command.function=stop",
        "osgi.command.function=eval",
        "osgi.command.function=predict",
        "osgi.command.function=models"})
public class TrainCommands {
    static final String TRAIN_USAGE = String.join("\n",
            "kindling:train <dataset> [key=value...] <model> [key=value...] [options]",
            "  dataset   a dataset name (kindling:datasets): digits, iris, mnist, fashion-mnist, cifar10, csv path=data.csv ...",
            "            (datasets without a test split are split 80/20 with the seed; images get ToTensor + Normalize)",
            "  model     mlp or cnn (sized for the dataset; hidden=256 or hidden=512,256, dropout=0.2, cnn: channels=32,64),",
            "            a model spec JSON file, or inline spec JSON in quotes",
            "options:",
            "  --epochs N                  epochs to train (default 10)",
            "  --batch-size N              (default 64)",
            "  --optimizer NAME [k=v...]   e.g. --optimizer sgd lr=0.1 momentum=0.9, or --optimizer 'adamw lr=0.001 weight_decay=0.01'",
            "                              (default adam; kindling:optimizers lists them with their parameters)",
            "  --lr X                      the optimizer's learning rate",
            "  --scheduler NAME [k=v...]   e.g. --scheduler steplr stepSize=5 gamma=0.5; onecyclelr maxLr=0.01; cosineannealinglr",
            "  --scheduler-interval epoch|step   when the scheduler steps (default: step for onecyclelr, else epoch)",
            "  --loss NAME [k=v...]        (default cross_entropy), e.g. --loss cross_entropy label_smoothing=0.1",
            "  --device D                  cpu (default), cuda, cuda:1",
            "  --seed N                    seeds the weights, the split and the shuffling (default 0)",
            "  --out DIR                   output directory (default runs/<dataset>-<model>-<n>)",
            "  --overwrite                 replace the run already in --out DIR (its run.json, summary.json, model.safetensors,",
            "                              checkpoints/ and logs/; nothing else is deleted)",
            "  --test-fraction F           held-out share for datasets without a test split (default 0.2)",
            "  --workers N                 data loader worker threads (default 0)",
            "  --patience N                early stopping after N epochs without a lower val_loss (default off)",
            "  --clip-norm X               gradient norm clipping (default off)",
            "  --wait                      run in the foreground: print progress, end with the test accuracy; fails if training fails",
            "The job writes checkpoints/ (every epoch, best/ by val accuracy, latest), logs/ (TensorBoard, metrics.csv),",
            "model.safetensors (spec + weights), run.json and summary.json into the output directory.");

    private static final List<Words.Option> TRAIN_OPTIONS = List.of(
            new Words.Option("epochs", VALUE), new Words.Option("batch-size", VALUE), new Words.Option("optimizer", NAMED),
            new Words.Option("lr", VALUE), new Words.Option("scheduler", NAMED), new Words.Option("scheduler-interval", VALUE),
            new Words.Option("loss", NAMED), new Words.Option("device", VALUE), new Words.Option("seed", VALUE),
            new Words.Option("out", VALUE), new Words.Option("test-fraction", VALUE), new Words.Option("workers", VALUE),
            new Words.Option("patience", VALUE), new Words.Option("clip-norm", VALUE), new Words.Option("wait", FLAG),
            new Words.Option("overwrite", FLAG), new Words.Option("help", FLAG));

    /** Console output of a command: Gogo's stream for it, whether that is a terminal, and the session's directory. */
    record Console(PrintStream out, boolean tty, Path cwd) {
        static Console of(PrintStream out) { return new Console(out, false, Path.of("").toAbsolutePath()); }
    }

    private final Kernel kernel;
    private final JobManager jobs;

    @Activate
    public TrainCommands(@Reference(name = "kernel") Kernel kernel, @Reference(name = "jobs") JobManager jobs) {
        this.kernel = kernel;
        this.jobs = jobs;
    }

    static Console console(CommandSession session) {
        PrintStream out = System.out;
        boolean tty = false;
        try {
            org.apache.felix.service.command.Process p = org.apache.felix.service.command.Process.Utils.current();
            if (p != null) {
                out = p.out();
                tty = p.isTty(1) && session != null && session.get(".terminal") != null;
            }
        } catch (RuntimeException | LinkageError e) {
            // not inside a Gogo pipe
        }
        Path cwd = null;
        try {
            if (session != null) cwd = session.currentDir();
        } catch (RuntimeException | LinkageError e) {
            // older Gogo
        }
        return new Console(out, tty, cwd != null ? cwd : Path.of("").toAbsolutePath());
    }

    // ------------------------------------------------------------------------------------------------------ train

    @Descriptor("train a model on a dataset as a background job (or in the foreground with --wait): "
            + "kindling:train <dataset> [key=value...] <model> [key=value...] [--epochs N] [--batch-size N] "
            + "[--optimizer NAME [key=value...]] [--lr X] [--scheduler NAME [key=value...]] [--loss NAME] [--device D] [--seed N] "
            + "[--out DIR] [--wait] ...; e.g. kindling:train digits mlp --epochs 20 --wait, "
            + "kindling:train fashion-mnist cnn --optimizer sgd lr=0.05 momentum=0.9 --epochs 5. kindling:train --help shows every option")
    public Object train(CommandSession session,
                        @Descriptor("dataset, model, parameters and options (kindling:train --help)") String... args) {
        return train(console(session), args);
    }

    String train(Console c, String... args) {
        Words w = Words.parse("kindling:train", 2, List.of(new Words.Positional("dataset", true), new Words.Positional("model", true)),
                TRAIN_OPTIONS, args);
        if (w.help() || w.flag("help")) return TRAIN_USAGE;
        RunConfig cfg = new RunConfig();
        if (ModelFactory.BUILTINS.contains(w.positional(0).toLowerCase(Locale.ROOT)) && kernel.datasets().find(w.positional(0)).isEmpty()) {
            throw new IllegalArgumentException("kindling:train: the dataset comes first: kindling:train <dataset> <model>, e.g. kindling:train digits "
                    + w.positional(0) + " (datasets: " + String.join(", ", kernel.datasets().all().stream().map(p -> p.name()).toList()) + ")");
        }
        cfg.dataset = kernel.datasets().get(w.positional(0)).name(); // unknown: lists the installed datasets
        cfg.datasetParams = w.params(0);
        cfg.model = w.positional(1);
        cfg.modelParams = w.params(1);
        cfg.epochs = w.integer("epochs", 10, 1);
        cfg.batchSize = w.integer("batch-size", 64, 1);
        cfg.seed = w.longValue("seed", DataPrep.DEFAULT_SEED);
        cfg.device = w.string("device", "cpu");
        cfg.workers = w.integer("workers", 0, 0);
        cfg.patience = w.integer("patience", 0, 0);
        cfg.clipNorm = w.number("clip-norm", 0, 0, Double.POSITIVE_INFINITY, false, true);
        cfg.testFraction = w.number("test-fraction", DataPrep.DEFAULT_TEST_FRACTION, 0, 1, true, true);
        Words.Named opt = w.named("optimizer");
        if (opt == null) opt = new Words.Named("adam", new LinkedHashMap<>());
        String lr = w.value("lr");
        if (lr != null) {
            w.number("lr", 0, 0, Double.POSITIVE_INFINITY, false, true);
            for (String k : opt.params().keySet()) {
                if (Words.normalize(k).equals("lr")) throw new IllegalArgumentException("kindling:train: the learning rate is given twice (--lr and lr=)");
            }
            opt.params().put("lr", lr);
        }
        cfg.optimizer = opt;
        cfg.scheduler = w.named("scheduler");
        Words.Named loss = w.named("loss");
        if (loss != null) cfg.loss = loss;
        String interval = w.has("scheduler-interval") ? w.choice("scheduler-interval", null, "epoch", "step") : null;
        if (interval != null && cfg.scheduler == null) throw new IllegalArgumentException("kindling:train: --scheduler-interval needs a --scheduler");
        String outArg = w.value("out");

        cfg.imageLayout = ModelFactory.wantsImages(cfg.model, c.cwd());
        DataPrep.Data data = RunSetup.data(kernel, cfg);
        cfg.modelSpec = ModelFactory.spec(kernel, cfg.model, cfg.modelParams, data.inputShape(), data.numClasses(), c.cwd());
        cfg.inputShape = RunConfig.list(data.inputShape());
        cfg.rawShape = RunConfig.list(data.rawShape());
        cfg.rawDtype = data.rawDtype().torchName();
        cfg.classes = data.classes();
        int batches = (data.train().size() + cfg.batchSize - 1) / cfg.batchSize;
        RunSetup.completeScheduler(cfg, batches, interval);
        RunSetup.validate(kernel, cfg);
        boolean validated = validateModel(cfg, data);
        Path out = outputDir(c, outArg, cfg, w.flag("overwrite"));
        try {
            Files.createDirectories(out);
            cfg.write(out);
        } catch (IOException e) {
            throw new IllegalArgumentException("kindling:train: cannot write to " + out + ": " + e.getMessage(), e);
        }
        TrainingJob job = jobs.submit(kernel, cfg, data, out, null, 0, validated);
        String started = startedText(job, c.cwd());
        if (!w.flag("wait")) return started + "\n" + followHint(job);
        c.out().println(started);
        c.out().flush();
        return follow(c, job);
    }

    /** Builds the model and runs two samples through it, unless a job is running (building draws random numbers). */
    private boolean validateModel(RunConfig cfg, DataPrep.Data data) {
        if (jobs.busy()) return false; // the job checks it when it starts
        Module m = RunSetup.model(cfg);
        ModelFactory.check(m, data.train(), data.numClasses(), data.name());
        return true;
    }

    private Path outputDir(Console c, String given, RunConfig cfg, boolean overwrite) {
        if (overwrite && given == null) throw new IllegalArgumentException("kindling:train: --overwrite needs --out DIR");
        if (given != null) {
            Path p = c.cwd().resolve(given).normalize();
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
        Path runs = c.cwd().resolve("runs");
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
                    for (Path x : (Iterable<Path>) s.sorted(java.util.Comparator.reverseOrder())::iterator) Files.deleteIfExists(x);
                }
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("kindling:train: cannot remove the previous run in " + dir + ": " + e.getMessage(), e);
        }
    }

    private String startedText(TrainingJob job, Path cwd) {
        RunConfig cfg = job.config();
        StringBuilder sb = new StringBuilder();
        List<TrainingJob> ahead = jobs.list().stream().filter(j -> j.id() < job.id() && !j.state().ended()).toList();
        sb.append("job ").append(job.id()).append(ahead.isEmpty() ? "" : " queued after job " + ahead.get(ahead.size() - 1).id()).append(": ");
        if (job.resumeFrom() != null) {
            sb.append("resuming ").append(Text.path(job.out(), cwd)).append(" from ").append(Text.path(job.resumeFrom(), cwd))
                    .append(" (").append(job.startEpoch()).append(" of ").append(cfg.epochs).append(" epochs done)\n  ");
        }
        sb.append(cfg.model).append(" [").append(ModelFactory.summary(cfg.modelSpec)).append("] on ").append(job.data().describe());
        sb.append(String.format(Locale.ROOT, "%n  %d epoch" + (cfg.epochs == 1 ? "" : "s") + ", batch size %d, %s%s, %s, %s, seed %d -> %s", cfg.epochs, cfg.batchSize,
                RunConfig.describe(cfg.optimizer), cfg.scheduler == null ? "" : ", scheduler " + RunConfig.describe(cfg.scheduler) + " per " + cfg.schedulerInterval,
                RunConfig.describe(cfg.loss), cfg.device, cfg.seed, Text.path(job.out(), cwd)));
        return sb.toString();
    }

    private static String followHint(TrainingJob job) {
        return "follow it with kindling:watch " + job.id() + "; kindling:jobs lists jobs; kindling:stop " + job.id() + " stops it with a checkpoint";
    }

    // ------------------------------------------------------------------------------------------------------ resume

    @Descriptor("continue a run from a checkpoint as a new job, exactly where it left off (weights, optimizer and scheduler "
            + "state, epoch, random generators): kindling:resume <run-dir|checkpoint-dir> [--epochs N] [--wait] [--device D] "
            + "[--workers N]; --epochs is the new total. The run's settings come from its run.json")
    public Object resume(CommandSession session,
                         @Descriptor("a run directory (its latest checkpoint), a checkpoints directory, or one checkpoint; options") String... args) {
        return resume(console(session), args);
    }

    String resume(Console c, String... args) {
        Words w = Words.parse("kindling:resume", 1, List.of(new Words.Positional("checkpoint", false)),
                List.of(new Words.Option("epochs", VALUE), new Words.Option("wait", FLAG), new Words.Option("device", VALUE),
                        new Words.Option("workers", VALUE), new Words.Option("help", FLAG)), args);
        if (w.help() || w.flag("help")) {
            return "kindling:resume <run-dir|checkpoint-dir> [--epochs N] [--wait] [--device D] [--workers N]\n"
                    + "  continues a kindling:train run from its latest (or the named) checkpoint; --epochs N trains until N epochs in total";
        }
        Path p = c.cwd().resolve(w.positional(0)).normalize();
        Path checkpoint;
        try {
            checkpoint = Files.isRegularFile(p.resolve(RunConfig.FILE)) && Files.isDirectory(p.resolve(ModelFiles.CHECKPOINTS))
                    ? dev.kindling.train.Checkpoint.resolve(p.resolve(ModelFiles.CHECKPOINTS)) : dev.kindling.train.Checkpoint.resolve(p);
        } catch (IOException e) {
            throw new IllegalArgumentException("kindling:resume: " + w.positional(0) + " is not a run or checkpoint directory: " + message(e), e);
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
            throw new IllegalArgumentException("kindling:resume: " + message(e), e);
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
        TrainingJob job = jobs.submit(kernel, cfg, data, out, checkpoint, start, validated);
        String started = startedText(job, c.cwd());
        if (!w.flag("wait")) return started + "\n" + followHint(job);
        c.out().println(started);
        c.out().flush();
        return follow(c, job);
    }

    // ------------------------------------------------------------------------------------------------------ jobs, watch, stop

    @Descriptor("list training jobs with their progress: state, epoch, step, samples/s, loss and accuracy (of the current epoch), "
            + "the last validation accuracy, time left (ETA), time so far and output directory")
    public String jobs(CommandSession session) { return jobsTable(console(session).cwd()); }

    String jobsTable(Path cwd) {
        List<TrainingJob> all = jobs.list();
        if (all.isEmpty()) return "No training jobs (kindling:train starts one).";
        Text.Table t = new Text.Table("ID", "STATE", "EPOCH", "STEP", "SAMPLES/S", "LOSS", "ACC", "VAL_ACC", "ETA", "TIME", "OUTPUT");
        List<String> notes = new ArrayList<>();
        for (TrainingJob j : all) {
            TrainingState s = j.progress();
            Map<String, Double> last = j.lastEpochMetrics();
            boolean live = !j.state().ended() && s != null;
            String epoch = (live ? s.epoch() + 1 : j.epochsDone()) + "/" + j.config().epochs;
            t.row(j.id(), j.state().label(), epoch, s == null ? "-" : s.step(),
                    live ? Text.rate(s.samplesPerSecond()) : Text.rate(last.getOrDefault("samples_per_second", Double.NaN)),
                    Text.num(live ? s.loss() : last.getOrDefault("train_loss", Double.NaN), 4),
                    Text.num(live ? s.accuracy() : last.getOrDefault("train_accuracy", Double.NaN), 4),
                    Text.num(j.lastValAccuracy(), 4),
                    j.state().ended() ? "-" : Text.clock(j.etaSeconds()), Text.clock(j.wallSeconds()), Text.path(j.out(), cwd));
            if (j.state() == TrainingJob.State.FAILED) notes.add("job " + j.id() + " failed: " + j.errorMessage());
        }
        StringBuilder sb = new StringBuilder(t.toString());
        for (String n : notes) sb.append(n).append('\n');
        return text(sb.toString());
    }

    @Descriptor("follow a training job until it ends: a live progress bar in an interactive shell, progress lines otherwise; "
            + "ends with the test accuracy, and fails (non-zero exit) unless the job completed. Ctrl-C stops watching, not the job")
    public Object watch(CommandSession session, @Descriptor("the job number (kindling:jobs)") String... args) {
        return watch(console(session), args);
    }

    String watch(Console c, String... args) {
        Words w = Words.parse("kindling:watch", 1, List.of(new Words.Positional("job", false)), List.of(), args);
        if (w.help()) return "kindling:watch <job>";
        TrainingJob job = jobs.get(w.positional(0));
        c.out().println("job " + job.id() + " (" + job.state().label() + "): " + job.config().model + " on " + job.config().dataset + " -> "
                + Text.path(job.out(), c.cwd()));
        return follow(c, job);
    }

    /** Prints progress until the job ends; returns its result, or throws if it did not complete. */
    String follow(Console c, TrainingJob job) {
        PrintStream out = c.out();
        int printed = 0;
        int bar = 0;
        long lastLine = System.nanoTime();
        boolean queuedShown = false;
        TrainingState shown = null;
        try {
            while (true) {
                boolean ended = job.await(c.tty() ? 200 : 250);
                List<String> lines = job.epochLines();
                while (printed < lines.size()) {
                    bar = clear(out, bar);
                    out.println(lines.get(printed++));
                    lastLine = System.nanoTime();
                }
                if (ended) break;
                if (job.state() == TrainingJob.State.QUEUED) {
                    if (!queuedShown) out.println("job " + job.id() + " is queued: it starts when the jobs before it have ended");
                    queuedShown = true;
                } else if (c.tty()) {
                    bar = draw(out, progressLine(job, true), bar);
                } else if (System.nanoTime() - lastLine > 10_000_000_000L && job.progress() != null && job.progress() != shown) {
                    shown = job.progress(); // unchanged while the epoch is being validated: not printed again
                    out.println(progressLine(job, false));
                    lastLine = System.nanoTime();
                }
                out.flush();
            }
        } catch (InterruptedException e) {
            clear(out, bar);
            String msg = "stopped watching job " + job.id() + " (" + job.state().label() + "); it goes on in the background: "
                    + "kindling:jobs, kindling:watch " + job.id() + ", kindling:stop " + job.id();
            out.println(msg); // Gogo drops the result of an interrupted command
            out.flush();
            return msg;
        }
        clear(out, bar);
        out.flush();
        return outcome(job, c.cwd());
    }

    private static int draw(PrintStream out, String line, int previous) {
        out.print('\r' + line + " ".repeat(Math.max(0, previous - line.length())));
        return line.length();
    }

    private static int clear(PrintStream out, int previous) {
        if (previous > 0) out.print('\r' + " ".repeat(previous) + '\r');
        return 0;
    }

    static String progressLine(TrainingJob job, boolean bar) {
        TrainingState s = job.progress();
        if (s == null) return "job " + job.id() + " " + job.state().label() + ": preparing";
        String batches = s.batchesPerEpoch() > 0 ? s.batch() + "/" + s.batchesPerEpoch() : Integer.toString(s.batch());
        double f = s.batchesPerEpoch() > 0 ? (double) s.batch() / s.batchesPerEpoch() : 0;
        return String.format(Locale.ROOT, "epoch %d/%d %s%s  loss %s  acc %s  %s samples/s  ETA %s", s.epoch() + 1, s.epochs(),
                bar ? Text.bar(f, 24) + " " : "batch ", batches, Text.num(s.loss(), 4), Text.num(s.accuracy(), 4),
                Text.rate(s.samplesPerSecond()), Text.clock(job.etaSeconds()));
    }

    /** The result of an ended job: text when it completed, else an exception. */
    static String outcome(TrainingJob job, Path cwd) {
        String dir = Text.path(job.out(), cwd);
        switch (job.state()) {
            case COMPLETED: {
                Map<String, Double> m = job.finalMetrics();
                StringBuilder sb = new StringBuilder();
                sb.append(String.format(Locale.ROOT, "job %d completed in %s: test accuracy %s (loss %s, %d test samples)", job.id(),
                        Text.seconds(job.wallSeconds()), Text.num(m.getOrDefault("test_accuracy", Double.NaN), 4),
                        Text.num(m.getOrDefault("test_loss", Double.NaN), 4), job.data().test().size()));
                if (job.earlyStoppedEpoch() >= 0) sb.append("\nstopped early after epoch ").append(job.earlyStoppedEpoch() + 1).append(": val_loss stopped improving");
                if (job.bestEpoch() >= 0) {
                    sb.append(String.format(Locale.ROOT, "%nbest val_acc %s at epoch %d: %s", Text.num(job.bestValAccuracy(), 4), job.bestEpoch() + 1,
                            Text.path(job.out().resolve(ModelFiles.CHECKPOINTS).resolve("best"), cwd)));
                }
                sb.append("\nsaved ").append(Text.path(job.out().resolve(ModelFiles.MODEL_FILE), cwd)).append("; checkpoints in ")
                        .append(Text.path(job.out().resolve(ModelFiles.CHECKPOINTS), cwd)).append("; TensorBoard events and metrics.csv in ")
                        .append(Text.path(job.out().resolve(ModelFiles.LOGS), cwd));
                return sb.toString();
            }
            case STOPPED:
                throw new IllegalStateException(stoppedText(job, cwd));
            case FAILED:
                throw new IllegalStateException("job " + job.id() + " failed: " + job.errorMessage() + " (output: " + dir + ")", job.error());
            default:
                throw new IllegalStateException("job " + job.id() + " has not ended (" + job.state().label() + ")");
        }
    }

    static String stoppedText(TrainingJob job, Path cwd) {
        if (job.lastCheckpoint() == null && job.epochsDone() == job.startEpoch()) {
            return "job " + job.id() + " was stopped before it trained an epoch" + (job.resumeFrom() != null ? "" : "; nothing was saved");
        }
        String how = job.partialEpoch() ? " (stopped during that epoch: a resumed run counts it as done)" : "";
        return String.format(Locale.ROOT, "job %d was stopped after epoch %d/%d%s; checkpoint %s; continue with: kindling:resume %s",
                job.id(), job.epochsDone(), job.config().epochs, how,
                job.lastCheckpoint() == null ? "-" : Text.path(job.lastCheckpoint(), cwd), Text.path(job.out(), cwd));
    }

    @Descriptor("stop a training job cleanly: after the current batch (or with --at-epoch-end after the current epoch, so that "
            + "kindling:resume continues exactly), writing a final checkpoint; waits until it has stopped. A queued job is cancelled. "
            + "(OSGi bundles are stopped with felix:stop)")
    public Object stop(CommandSession session, @Descriptor("the job number, [--at-epoch-end], [--timeout SECONDS]") String... args) {
        return stop(console(session), args);
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
        boolean queued = job.state() == TrainingJob.State.QUEUED;
        boolean atEpochEnd = w.flag("at-epoch-end");
        job.requestStop(atEpochEnd);
        if (!queued) {
            c.out().println("stopping job " + job.id() + (atEpochEnd ? " at the end of the current epoch" : " after the current batch")
                    + " and writing a checkpoint ...");
            c.out().flush();
        }
        try {
            if (!job.await(timeout * 1000L)) {
                return "job " + job.id() + " is still stopping after " + timeout + " s; kindling:jobs shows when it has";
            }
        } catch (InterruptedException e) {
            return "job " + job.id() + " is stopping; kindling:jobs shows when it has";
        }
        switch (job.state()) {
            case STOPPED:
                return queued ? "job " + job.id() + " was cancelled before it started" : stoppedText(job, c.cwd());
            case COMPLETED:
                return "job " + job.id() + " completed before it could stop\n" + outcome(job, c.cwd());
            default:
                return outcome(job, c.cwd()); // failed: throws
        }
    }

    // ------------------------------------------------------------------------------------------------------ eval

    @Descriptor("evaluate a saved model or checkpoint on a dataset: loss, accuracy, top-k accuracy, macro precision / recall / F1 "
            + "and the confusion matrix. kindling:eval <model-file|checkpoint-dir|run-dir> [<dataset> [key=value...]] "
            + "[--split test|train|all] [--batch-size N] [--top-k K] [--device D] [--seed N] [--test-fraction F]; the dataset, its "
            + "preprocessing and split default to the run's (run.json), so the test split is the one held out in training")
    public Object eval(CommandSession session,
                       @Descriptor("model or checkpoint, optional dataset with parameters, options") String... args) {
        return eval(console(session), args);
    }

    String eval(Console c, String... args) {
        Words w = Words.parse("kindling:eval", 1, List.of(new Words.Positional("model", false), new Words.Positional("dataset", true)),
                List.of(new Words.Option("split", VALUE), new Words.Option("batch-size", VALUE), new Words.Option("top-k", VALUE),
                        new Words.Option("device", VALUE), new Words.Option("seed", VALUE), new Words.Option("test-fraction", VALUE),
                        new Words.Option("workers", VALUE)), args);
        if (w.help()) return "kindling:eval <model-file|checkpoint-dir|run-dir> [<dataset> [key=value...]] [--split test|train|all] "
                + "[--batch-size N] [--top-k K] [--device D] [--seed N] [--test-fraction F]";
        DataPrep.Split split = DataPrep.Split.valueOf(w.choice("split", "test", "test", "train", "all").toUpperCase(Locale.ROOT));
        int batchSize = w.integer("batch-size", 256, 1);
        int topK = w.integer("top-k", 5, 1);
        int workers = w.integer("workers", 0, 0);
        Device device = RunSetup.device(kernel, w.string("device", "cpu"));
        ModelFiles.Loaded loaded = loadModel("kindling:eval", c, w.positional(0), device);
        Prepared p = prepareFor("kindling:eval", c, w, loaded, 1);
        ModelFactory.check(loaded.model(), p.data.test(), p.data.numClasses(), p.data.name());
        Module loss = RunSetup.loss(kernel, p.config);
        Trainer t = Trainer.builder(loaded.model()).optimizer(new SGD(loaded.model().parameters(), 0.0)).loss(loss).device(device).topK(topK).build();
        Dataset<Sample> ds = p.data.split(split);
        EvalResult r;
        try (DataLoader<Sample> loader = DataLoader.builder(ds).batchSize(batchSize).numWorkers(workers).build()) {
            r = t.evaluate(loader);
        }
        StringBuilder sb = new StringBuilder();
        sb.append("model:    ").append(describe(loaded, c.cwd())).append('\n');
        sb.append("          ").append(ModelFactory.summary(loaded.spec())).append('\n');
        sb.append("dataset:  ").append(p.data.name()).append(", ").append(p.data.splitDescription(split)).append('\n');
        sb.append(String.format(Locale.ROOT, "loss:     %.4f%n", r.loss()));
        if (r.classification() != null) {
            var cm = r.classification();
            sb.append(String.format(Locale.ROOT, "accuracy: %.4f (%d of %d)%n", cm.accuracy(), Math.round(cm.accuracy() * cm.count()), cm.count()));
            if (cm.topK() > 1) sb.append(String.format(Locale.ROOT, "top-%d:    %.4f%n", cm.topK(), cm.topKAccuracy()));
            sb.append(String.format(Locale.ROOT, "macro:    precision %.4f  recall %.4f  F1 %.4f%n", cm.macroPrecision(), cm.macroRecall(), cm.macroF1()));
            if (!isIndexNames(p.data.classes())) {
                sb.append("classes:  ");
                for (int i = 0; i < p.data.classes().size(); i++) sb.append(i == 0 ? "" : ", ").append(i).append(' ').append(p.data.classes().get(i));
                sb.append('\n');
            }
            sb.append('\n').append(cm.report());
        }
        return text(sb.toString());
    }

    private static boolean isIndexNames(List<String> classes) {
        for (int i = 0; i < classes.size(); i++) if (!classes.get(i).equals(Integer.toString(i))) return false;
        return true;
    }

    private static String describe(ModelFiles.Loaded l, Path cwd) {
        return Text.path(l.path(), cwd) + (l.checkpoint() ? " (checkpoint after epoch " + (l.epoch() + 1) + ")" : " (model file)");
    }

    private static ModelFiles.Loaded loadModel(String command, Console c, String arg, Device device) {
        try {
            return ModelFiles.load(c.cwd().resolve(arg).normalize(), device);
        } catch (IOException e) {
            throw new IllegalArgumentException(command + ": cannot load a model from " + arg + ": " + message(e), e);
        }
    }

    private static String message(Throwable e) {
        if (e instanceof java.nio.file.NoSuchFileException) {
            String reason = ((java.nio.file.NoSuchFileException) e).getReason();
            return e.getMessage().contains(":") || reason == null ? e.getMessage() : ((java.nio.file.NoSuchFileException) e).getFile() + ": " + reason;
        }
        return e.getMessage() == null ? e.toString() : e.getMessage();
    }

    /** The dataset (and settings) a command uses with a loaded model: given on the command line, else the run's. */
    private static final class Prepared {
        RunConfig config;
        DataPrep.Data data;
    }

    private Prepared prepareFor(String command, Console c, Words w, ModelFiles.Loaded loaded, int datasetArg) {
        RunConfig run = null;
        Path runFile = RunConfig.find(loaded.path());
        if (runFile != null) {
            try {
                run = RunConfig.read(runFile);
            } catch (IOException e) {
                throw new IllegalArgumentException(command + ": " + message(e), e);
            }
        }
        RunConfig cfg = new RunConfig();
        String name = w.positional(datasetArg);
        if (name == null) {
            if (run == null) throw new IllegalArgumentException(command + ": name the dataset (no run.json next to " + loaded.path() + " says which one)");
            name = run.dataset;
        }
        cfg.dataset = kernel.datasets().get(name).name();
        boolean sameData = run != null && run.dataset.equals(cfg.dataset);
        cfg.datasetParams = !w.params(datasetArg).isEmpty() || !sameData ? w.params(datasetArg) : run.datasetParams;
        cfg.seed = w.longValue("seed", sameData ? run.seed : DataPrep.DEFAULT_SEED);
        cfg.testFraction = w.number("test-fraction", sameData ? run.testFraction : DataPrep.DEFAULT_TEST_FRACTION, 0, 1, true, true);
        cfg.imageLayout = sameData ? run.imageLayout : ModelFactory.wantsImages(loaded.spec(), c.cwd());
        if (run != null) cfg.loss = run.loss;
        Prepared p = new Prepared();
        p.config = cfg;
        p.data = RunSetup.data(kernel, cfg);
        return p;
    }

    // ------------------------------------------------------------------------------------------------------ predict

    @Descriptor("predict classes with a saved model or checkpoint: kindling:predict <model> <inputs> [--top K] [--raw], where "
            + "inputs are a dataset's samples (a dataset name with parameters; --index 0,5,17 or 0-9, default the first 10; --split "
            + "test|train|all) or a file of raw samples: CSV rows (digits: 64 values 0..16) or a safetensors file (tensor 'input' "
            + "or its only tensor, one sample per row), preprocessed as in training unless --raw. Prints the predicted class, "
            + "its probability and the top K")
    public Object predict(CommandSession session, @Descriptor("model, inputs and options") String... args) {
        return predict(console(session), args);
    }

    String predict(Console c, String... args) {
        Words w = Words.parse("kindling:predict", 2, List.of(new Words.Positional("model", false), new Words.Positional("inputs", true)),
                List.of(new Words.Option("index", VALUE), new Words.Option("split", VALUE), new Words.Option("top", VALUE),
                        new Words.Option("raw", FLAG), new Words.Option("device", VALUE), new Words.Option("seed", VALUE),
                        new Words.Option("test-fraction", VALUE)), args);
        if (w.help()) return "kindling:predict <model> <dataset [key=value...] [--index 0,5,17|0-9] [--split test|train|all] | file.csv | "
                + "file.safetensors> [--top K] [--raw] [--device D]";
        Device device = RunSetup.device(kernel, w.string("device", "cpu"));
        int top = w.integer("top", 3, 1);
        ModelFiles.Loaded loaded = loadModel("kindling:predict", c, w.positional(0), device);
        String inputs = w.positional(1);
        String lower = inputs.toLowerCase(Locale.ROOT);
        boolean file = lower.endsWith(".csv") || lower.endsWith(".csv.gz") || lower.endsWith(".tsv") || lower.endsWith(".txt")
                || lower.endsWith(".safetensors");
        Tensor x;
        Tensor targets = null;
        List<String> labels = new ArrayList<>();
        List<String> classes;
        String source;
        if (file) {
            if (!w.params(1).isEmpty()) throw new IllegalArgumentException("kindling:predict: key=value parameters are for datasets, not files");
            if (w.has("index") || w.has("split")) throw new IllegalArgumentException("kindling:predict: --index and --split are for datasets, not files");
            Path f = c.cwd().resolve(inputs).normalize();
            RunConfig run = runOf(loaded);
            List<Tensor> rows = lower.endsWith(".safetensors") ? safetensorsRows(f) : csvRows(f);
            x = Torch.stack(preprocess(rows, run, w.flag("raw")), 0);
            for (int i = 0; i < rows.size(); i++) labels.add(Integer.toString(i + 1));
            classes = run != null ? run.classes : List.of();
            boolean preprocessed = run != null && !w.flag("raw") && run.rawDtype != null
                    && DataPrep.preprocessing(run.dataset, RunConfig.array(run.rawShape), DType.of(run.rawDtype), run.imageLayout) != null;
            source = Text.path(f, c.cwd()) + " (" + rows.size() + " rows" + (preprocessed ? ", preprocessed as " + run.dataset + " samples are in training)"
                    : ", fed to the model as they are)");
        } else {
            Prepared p = prepareFor("kindling:predict", c, w, loaded, 1);
            DataPrep.Split split = DataPrep.Split.valueOf(w.choice("split", "test", "test", "train", "all").toUpperCase(Locale.ROOT));
            Dataset<Sample> ds = p.data.split(split);
            int[] idx = indices(w.value("index"), ds.size());
            List<Tensor> xs = new ArrayList<>();
            long[] ys = new long[idx.length];
            for (int i = 0; i < idx.length; i++) {
                Sample s = ds.get(idx[i]);
                xs.add(s.input());
                ys[i] = s.target().itemLong();
                labels.add(Integer.toString(idx[i]));
            }
            x = Torch.stack(xs, 0);
            targets = Torch.tensor(ys);
            classes = p.data.classes();
            source = p.data.name() + ", " + split.name().toLowerCase(Locale.ROOT) + " split: " + p.data.splitDescription(split);
        }
        Module model = loaded.model();
        Tensor probs;
        model.eval();
        try (var g = Torch.noGrad()) {
            Tensor outp = model.forward(x.to(device)).cpu();
            if (outp.dim() != 2) throw new IllegalArgumentException("kindling:predict: the model gives outputs of shape " + Arrays.toString(outp.shape())
                    + ", not one score per class");
            probs = outp.softmax(1);
        } catch (RuntimeException e) {
            if (e.getMessage() != null && e.getMessage().startsWith("kindling:predict")) throw e;
            throw new IllegalArgumentException("kindling:predict: the model cannot take these inputs " + Arrays.toString(x.shape()) + ": " + e.getMessage(), e);
        }
        int n = (int) probs.size(0), k = (int) probs.size(1);
        float[] pv = probs.toFloatArray();
        long[] tv = targets == null ? null : targets.toLongArray();
        boolean names = !classes.isEmpty() && classes.size() == k && !isIndexNames(classes);
        Text.Table t = targets == null ? new Text.Table("ROW", "PREDICTED", "PROB", "TOP-" + Math.min(top, k))
                : new Text.Table("INDEX", "PREDICTED", "PROB", "TARGET", "", "TOP-" + Math.min(top, k));
        int right = 0;
        for (int i = 0; i < n; i++) {
            Integer[] order = new Integer[k];
            for (int j = 0; j < k; j++) order[j] = j;
            final int row = i;
            Arrays.sort(order, (a, b) -> Float.compare(pv[row * k + b], pv[row * k + a]));
            StringBuilder tops = new StringBuilder();
            for (int j = 0; j < Math.min(top, k); j++) {
                if (j > 0) tops.append(", ");
                tops.append(className(order[j], classes, names)).append(' ').append(String.format(Locale.ROOT, "%.3f", pv[row * k + order[j]]));
            }
            String predicted = className(order[0], classes, names);
            String prob = String.format(Locale.ROOT, "%.4f", pv[row * k + order[0]]);
            if (tv == null) {
                t.row(labels.get(i), predicted, prob, tops);
            } else {
                boolean ok = tv[i] == order[0];
                if (ok) right++;
                t.row(labels.get(i), predicted, prob, className((int) tv[i], classes, names), ok ? "ok" : "WRONG", tops);
            }
        }
        StringBuilder sb = new StringBuilder();
        sb.append("model:  ").append(describe(loaded, c.cwd())).append('\n');
        sb.append("inputs: ").append(source).append("\n\n");
        sb.append(t);
        if (tv != null) sb.append(String.format(Locale.ROOT, "%d of %d right%n", right, n));
        return text(sb.toString());
    }

    private static String className(int i, List<String> classes, boolean names) {
        return names ? i + " " + classes.get(i) : Integer.toString(i);
    }

    private static RunConfig runOf(ModelFiles.Loaded loaded) {
        Path f = RunConfig.find(loaded.path());
        if (f == null) return null;
        try {
            return RunConfig.read(f);
        } catch (IOException e) {
            throw new IllegalArgumentException("kindling:predict: " + message(e), e);
        }
    }

    /** "0,5,17", "0-9", "3"; default the first 10. */
    static int[] indices(String spec, int size) {
        List<Integer> out = new ArrayList<>();
        if (spec == null) {
            for (int i = 0; i < Math.min(10, size); i++) out.add(i);
        } else {
            for (String part : spec.split(",")) {
                String s = part.trim();
                if (s.isEmpty()) continue;
                try {
                    int dash = s.indexOf('-', 1);
                    int a = Integer.parseInt(dash < 0 ? s : s.substring(0, dash).trim());
                    int b = dash < 0 ? a : Integer.parseInt(s.substring(dash + 1).trim());
                    if (a < 0 || b < a) throw new NumberFormatException();
                    for (int i = a; i <= b; i++) out.add(i);
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("kindling:predict: --index takes indices and ranges such as 0,5,17 or 0-9, got '" + spec + "'");
                }
            }
        }
        if (out.isEmpty()) throw new IllegalArgumentException("kindling:predict: no samples selected");
        if (out.size() > 10_000) throw new IllegalArgumentException("kindling:predict: at most 10000 samples at once, got " + out.size());
        int[] idx = new int[out.size()];
        for (int i = 0; i < idx.length; i++) {
            idx[i] = out.get(i);
            if (idx[i] >= size) throw new IllegalArgumentException("kindling:predict: --index " + idx[i] + " is out of range: the split has " + size + " samples");
        }
        return idx;
    }

    /** Raw samples reshaped to the run's raw sample shape and dtype, then preprocessed as in training. */
    static List<Tensor> preprocess(List<Tensor> rows, RunConfig run, boolean raw) {
        if (run == null || run.rawShape.isEmpty()) return rows;
        long[] shape = RunConfig.array(raw ? run.inputShape : run.rawShape);
        long numel = 1;
        for (long d : shape) numel *= d;
        DType dtype = raw || run.rawDtype == null ? DType.FLOAT32 : DType.of(run.rawDtype);
        Transform<Tensor, Tensor> pre = raw ? null : DataPrep.preprocessing(run.dataset, shape, dtype, run.imageLayout);
        List<Tensor> out = new ArrayList<>();
        for (int i = 0; i < rows.size(); i++) {
            Tensor r = rows.get(i);
            if (r.numel() != numel) {
                throw new IllegalArgumentException("kindling:predict: row " + (i + 1) + " has " + r.numel() + " values, but " + (raw ? "the model's inputs are "
                        : run.dataset + " samples are ") + Arrays.toString(shape) + " (" + numel + " values)");
            }
            Tensor s = r.reshape(shape).to(dtype);
            out.add(pre == null ? s : pre.apply(s));
        }
        return out;
    }

    /** Numeric CSV rows (comma, tab or whitespace separated); a first row that is not numeric is a header. */
    static List<Tensor> csvRows(Path f) {
        List<Tensor> rows = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(f.toString().endsWith(".gz")
                ? new GZIPInputStream(Files.newInputStream(f)) : Files.newInputStream(f), StandardCharsets.UTF_8))) {
            String line;
            int no = 0;
            int width = -1;
            while ((line = r.readLine()) != null) {
                no++;
                String s = line.trim();
                if (s.isEmpty() || s.startsWith("#")) continue;
                String[] cells = s.split(s.contains(",") ? "\\s*,\\s*" : s.contains("\t") ? "\t" : "\\s+");
                float[] v = new float[cells.length];
                boolean numeric = true;
                for (int i = 0; i < cells.length && numeric; i++) {
                    try {
                        v[i] = Float.parseFloat(cells[i].trim());
                    } catch (NumberFormatException e) {
                        numeric = false;
                    }
                }
                if (!numeric) {
                    if (rows.isEmpty() && width < 0) {
                        width = cells.length; // header
                        continue;
                    }
                    throw new IllegalArgumentException("kindling:predict: " + f.getFileName() + " line " + no + " is not numeric: " + s);
                }
                if (width >= 0 && cells.length != width) {
                    throw new IllegalArgumentException("kindling:predict: " + f.getFileName() + " line " + no + " has " + cells.length + " values, expected " + width);
                }
                width = cells.length;
                rows.add(Torch.tensor(v));
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("kindling:predict: cannot read " + f + ": " + message(e), e);
        }
        if (rows.isEmpty()) throw new IllegalArgumentException("kindling:predict: " + f + " has no rows");
        return rows;
    }

    static List<Tensor> safetensorsRows(Path f) {
        Map<String, Tensor> m;
        try {
            m = Safetensors.load(f);
        } catch (IOException e) {
            throw new IllegalArgumentException("kindling:predict: cannot read " + f + ": " + message(e), e);
        }
        Tensor t = null;
        for (String k : List.of("input", "inputs", "x", "data")) if (m.containsKey(k)) t = m.get(k);
        if (t == null && m.size() == 1) t = m.values().iterator().next();
        if (t == null) throw new IllegalArgumentException("kindling:predict: " + f + " holds " + m.keySet() + ": name the inputs 'input' or keep only one tensor");
        if (t.dim() < 1 || t.size(0) == 0) throw new IllegalArgumentException("kindling:predict: the inputs in " + f + " need a first (sample) dimension");
        List<Tensor> rows = new ArrayList<>();
        for (long i = 0; i < t.size(0); i++) rows.add(t.select(0, i));
        return rows;
    }

    // ------------------------------------------------------------------------------------------------------ models

    @Descriptor("list saved models and checkpoints under a directory (default runs): path, kind, epoch, dataset, accuracy "
            + "(a model file: the run's final test accuracy; a checkpoint: its validation accuracy) and the model spec; "
            + "shows each run's model file and best and latest checkpoints, every checkpoint with --all")
    public Object models(CommandSession session, @Descriptor("[dir] [--all]") String... args) {
        return models(console(session), args);
    }

    String models(Console c, String... args) {
        Words w = Words.parse("kindling:models", 0, List.of(new Words.Positional("dir", false)), List.of(new Words.Option("all", FLAG)), args);
        if (w.help()) return "kindling:models [dir] [--all]";
        String arg = w.positional(0) == null ? "runs" : w.positional(0);
        Path root = c.cwd().resolve(arg).normalize();
        if (!Files.exists(root)) {
            if (w.positional(0) == null) return "No models: there is no " + root + " (kindling:train saves its runs under ./runs).";
            throw new IllegalArgumentException("kindling:models: no such directory: " + root);
        }
        boolean all = w.flag("all");
        Text.Table t = new Text.Table("PATH", "KIND", "EPOCH", "DATASET", "ACCURACY", "MODEL");
        List<Path> candidates = new ArrayList<>();
        try (Stream<Path> s = Files.walk(root, 6)) {
            s.filter(p -> Files.isRegularFile(p) && (p.getFileName().toString().equals("checkpoint.json") || p.getFileName().toString().endsWith(".safetensors")))
                    .sorted().forEach(candidates::add);
        } catch (IOException e) {
            throw new IllegalArgumentException("kindling:models: cannot list " + root + ": " + message(e), e);
        }
        for (Path p : candidates) {
            try {
                String fileName = p.getFileName().toString();
                if (fileName.equals("checkpoint.json")) {
                    Path dir = p.getParent();
                    Path parent = dir.getParent();
                    String name = dir.getFileName().toString();
                    boolean best = parent != null && parent.getFileName().toString().equals("best");
                    boolean latest = parent != null && Files.isRegularFile(parent.resolve("latest"))
                            && Files.readString(parent.resolve("latest")).trim().equals(name);
                    if (!all && !best && !latest) continue;
                    ModelFiles.CheckpointInfo info = ModelFiles.checkpointInfo(dir);
                    RunConfig run = readRun(dir);
                    String kind = best ? "checkpoint (best)" : latest ? "checkpoint (latest)" : "checkpoint";
                    Path shown = best ? parent : dir;
                    t.row(Text.path(shown, c.cwd()), kind, info.epoch() + 1, run == null ? "-" : run.dataset,
                            Text.num(info.metrics().getOrDefault("val_accuracy", Double.NaN), 4), ModelFactory.summary(info.spec()));
                } else {
                    if (fileName.equals("state.safetensors") || (fileName.equals("model.safetensors") && Files.exists(p.resolveSibling("checkpoint.json")))) continue;
                    Map<String, String> meta = ModelFiles.safetensorsMetadata(p);
                    String spec = meta.get(Models.SPEC_KEY);
                    if (spec == null) continue; // a plain state dict
                    RunConfig run = readRun(p.getParent());
                    JsonNode summary = ModelFiles.summary(p.getParent());
                    String acc = "-";
                    String epoch = "-";
                    if (summary != null && p.getFileName().toString().equals(ModelFiles.MODEL_FILE)) {
                        if (summary.has("test_accuracy")) acc = Text.num(summary.get("test_accuracy").asDouble(), 4);
                        if (summary.has("epochs_completed")) epoch = summary.get("epochs_completed").asText();
                    }
                    t.row(Text.path(p, c.cwd()), "model", epoch, run == null ? "-" : run.dataset, acc, ModelFactory.summary(spec));
                }
            } catch (IOException | RuntimeException e) {
                t.row(Text.path(p, c.cwd()), "unreadable", "-", "-", "-", message(e));
            }
        }
        if (t.size() == 0) return "No models or checkpoints under " + Text.path(root, c.cwd()) + ".";
        return text(t.toString());
    }

    private static RunConfig readRun(Path from) {
        Path f = RunConfig.find(from);
        if (f == null) return null;
        try {
            return RunConfig.read(f);
        } catch (IOException e) {
            return null;
        }
    }

    /** Gogo prints a result with println: drop the final line break. */
    static String text(String s) {
        return s.endsWith("\n") ? s.substring(0, s.length() - 1) : s;
    }
}
