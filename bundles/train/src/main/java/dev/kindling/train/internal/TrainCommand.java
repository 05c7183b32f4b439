package dev.kindling.train.internal;

import dev.kindling.kernel.Kernel;
import dev.kindling.train.Precision;
import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Descriptor;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;

import static dev.kindling.train.internal.Words.Kind.FLAG;
import static dev.kindling.train.internal.Words.Kind.NAMED;
import static dev.kindling.train.internal.Words.Kind.VALUE;

/**
 * {@code kindling:train}: starts a training job. The training commands live in the train bundle, next to the
 * {@link JobManager} whose jobs they start, so the shell bundle needs no training dependencies; Gogo finds them by
 * their {@code osgi.command.scope} property like the shell's own. Failures (bad input, a failed job) are exceptions,
 * so {@code bin/kindling -c} and scripts exit non-zero.
 */
@Component(service = TrainCommand.class, property = {"osgi.command.scope=kindling", "osgi.command.function=train"})
public class TrainCommand extends JobStartingCommand {
    static final String USAGE = String.join("\n",
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
            "  --precision P               32 (default), bf16-mixed or 16-mixed: forward passes under autocast",
            "  --wait                      run in the foreground: print progress, end with the test accuracy; fails if training fails",
            "  --nproc N                   data-parallel training as N ranks, each a JVM of its own on this machine (torchrun's",
            "                              --nproc-per-node, through kindling-run's launcher): DistributedDataParallel over gloo,",
            "                              each rank trains on its 1/N of the data with --batch-size per rank; rank 0 writes the",
            "                              checkpoints and logs; kindling:jobs shows the ranks, kindling:stop stops them all",
            "  --max-restarts R            with --nproc: when a rank fails, all ranks start again from the latest checkpoint, up to R times",
            "The job writes checkpoints/ (every epoch, best/ by val accuracy, latest), logs/ (TensorBoard, metrics.csv),",
            "model.safetensors (spec + weights), run.json and summary.json into the output directory.");

    private static final List<Words.Option> OPTIONS = List.of(
            new Words.Option("epochs", VALUE), new Words.Option("batch-size", VALUE), new Words.Option("optimizer", NAMED),
            new Words.Option("lr", VALUE), new Words.Option("scheduler", NAMED), new Words.Option("scheduler-interval", VALUE),
            new Words.Option("loss", NAMED), new Words.Option("device", VALUE), new Words.Option("seed", VALUE),
            new Words.Option("out", VALUE), new Words.Option("test-fraction", VALUE), new Words.Option("workers", VALUE),
            new Words.Option("patience", VALUE), new Words.Option("clip-norm", VALUE), new Words.Option("precision", VALUE), new Words.Option("wait", FLAG),
            new Words.Option("overwrite", FLAG), new Words.Option("nproc", VALUE), new Words.Option("max-restarts", VALUE),
            new Words.Option("help", FLAG));

    @Activate
    public TrainCommand(@Reference(name = "kernel") Kernel kernel, @Reference(name = "jobs") JobManager jobs) {
        super(kernel, jobs);
    }

    @Descriptor("train a model on a dataset as a background job (or in the foreground with --wait): "
            + "kindling:train <dataset> [key=value...] <model> [key=value...] [--epochs N] [--batch-size N] "
            + "[--optimizer NAME [key=value...]] [--lr X] [--scheduler NAME [key=value...]] [--loss NAME] [--device D] [--seed N] "
            + "[--out DIR] [--wait] [--nproc N] ...; e.g. kindling:train digits mlp --epochs 20 --wait, "
            + "kindling:train fashion-mnist cnn --optimizer sgd lr=0.05 momentum=0.9 --epochs 5; --nproc 2 trains data-parallel as 2 rank JVMs. "
            + "kindling:train --help shows every option")
    public Object train(CommandSession session,
                        @Descriptor("dataset, model, parameters and options (kindling:train --help)") String... args) {
        return train(Console.of(session), args);
    }

    String train(Console c, String... args) {
        Words w = Words.parse("kindling:train", 2, List.of(new Words.Positional("dataset", true), new Words.Positional("model", true)),
                OPTIONS, args);
        if (w.help() || w.flag("help")) return USAGE;
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
        try {
            cfg.precision = Precision.parse(w.string("precision", "32")).flag();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("kindling:train: --precision: " + e.getMessage(), e);
        }
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
        ranks(w, cfg);

        cfg.imageLayout = ModelFactory.wantsImages(cfg.model, c.cwd());
        DataPrep.Data data = RunSetup.data(kernel, cfg);
        cfg.modelSpec = ModelFactory.spec(kernel, cfg.model, cfg.modelParams, data.inputShape(), data.numClasses(), c.cwd());
        cfg.inputShape = RunConfig.list(data.inputShape());
        cfg.rawShape = RunConfig.list(data.rawShape());
        cfg.rawDtype = data.rawDtype().torchName();
        cfg.classes = data.classes();
        if (cfg.nproc > data.train().size()) {
            throw new IllegalArgumentException("kindling:train: --nproc " + cfg.nproc + ": the training set has only " + data.train().size()
                    + " samples, fewer than the ranks that share it");
        }
        // Each rank's DistributedSampler yields ceil(size / nproc) samples: the batches per epoch the schedulers count.
        int perRank = cfg.nproc > 0 ? (data.train().size() + cfg.nproc - 1) / cfg.nproc : data.train().size();
        int batches = (perRank + cfg.batchSize - 1) / cfg.batchSize;
        RunSetup.completeScheduler(cfg, batches, interval);
        RunSetup.validate(kernel, cfg);
        boolean validated = validateModel(cfg, data);
        Path out = RunDirectories.forNewRun(jobs, c.cwd(), outArg, cfg, w.flag("overwrite"));
        try {
            Files.createDirectories(out);
            cfg.write(out);
        } catch (IOException e) {
            throw new IllegalArgumentException("kindling:train: cannot write to " + out + ": " + e.getMessage(), e);
        }
        return start(c, cfg, data, out, null, 0, validated, w.flag("wait"));
    }

    /**
     * {@code --nproc N} and {@code --max-restarts R}: checked before anything is prepared, with the options they cannot go
     * with, and whether ranks can start here at all (kindling-run, kindling-distributed and gloo's natives installed).
     */
    private void ranks(Words w, RunConfig cfg) {
        if (w.has("nproc")) {
            String v = w.value("nproc");
            int n;
            try {
                n = Integer.parseInt(v);
            } catch (NumberFormatException e) {
                n = 0;
            }
            if (n < 1) {
                throw new IllegalArgumentException("kindling:train: --nproc takes the number of ranks to start, a whole number >= 1, got '" + v + "'");
            }
            cfg.nproc = n;
        }
        if (w.has("max-restarts")) {
            if (cfg.nproc == 0) {
                throw new IllegalArgumentException("kindling:train: --max-restarts restarts the ranks of a data-parallel job: it needs --nproc N");
            }
            cfg.maxRestarts = w.integer("max-restarts", 0, 0);
        }
        checkRanks("kindling:train", cfg);
    }
}
