package dev.kindling.train.internal;

import dev.kindling.api.Device;
import dev.kindling.api.Tensor;
import dev.kindling.api.Torch;
import dev.kindling.kernel.Kernel;
import dev.kindling.nn.ModelSpec;
import dev.kindling.nn.Module;
import dev.kindling.optim.Optimizer;
import dev.kindling.optim.lr.LRScheduler;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Builds what a {@link RunConfig} names, through the kernel's provider registries. */
final class RunSetup {
    private RunSetup() {}

    static DataPrep.Data data(Kernel kernel, RunConfig c) {
        return DataPrep.prepare(kernel, c.dataset, c.datasetParams, c.imageLayout, c.testFraction, c.seed);
    }

    /** Builds the model (its initial weights come from the default generator: seed it first). */
    static Module model(RunConfig c) { return ModelSpec.fromJson(c.modelSpec).build(); }

    static Optimizer optimizer(Kernel kernel, RunConfig c, List<Tensor> parameters) {
        Map<String, Object> p = numbers(c.optimizer.params());
        p.put("params", parameters);
        Object o = kernel.optimizers().create(c.optimizer.name(), p);
        if (!(o instanceof Optimizer)) throw new IllegalArgumentException("optimizer '" + c.optimizer.name() + "' is not a dev.kindling.optim.Optimizer");
        return (Optimizer) o;
    }

    static LRScheduler scheduler(Kernel kernel, RunConfig c, Optimizer optimizer) {
        if (c.scheduler == null) return null;
        Map<String, Object> p = numbers(c.scheduler.params());
        p.put("optimizer", optimizer);
        Object o = kernel.schedulers().create(c.scheduler.name(), p);
        if (!(o instanceof LRScheduler)) throw new IllegalArgumentException("scheduler '" + c.scheduler.name() + "' is not a dev.kindling.optim.lr.LRScheduler");
        return (LRScheduler) o;
    }

    private static final java.util.regex.Pattern INTEGER = java.util.regex.Pattern.compile("[-+]?\\d{1,18}");
    private static final java.util.regex.Pattern DECIMAL = java.util.regex.Pattern.compile("[-+]?(\\d+\\.?\\d*|\\.\\d+)([eE][-+]?\\d+)?");

    /**
     * Parameter values as numbers where they are numbers: the words of the command line are strings, and some
     * providers take a number or a list of numbers where a string is not accepted (e.g. OneCycleLR's maxLr).
     */
    static Map<String, Object> numbers(Map<String, Object> params) {
        Map<String, Object> out = new LinkedHashMap<>();
        params.forEach((k, v) -> out.put(k, number(v)));
        return out;
    }

    static Object number(Object v) {
        if (v instanceof List) return ((List<?>) v).stream().map(RunSetup::number).toList();
        if (!(v instanceof String)) return v;
        String s = ((String) v).trim();
        if (INTEGER.matcher(s).matches()) return Long.parseLong(s);
        if (DECIMAL.matcher(s).matches()) return Double.parseDouble(s);
        return v;
    }

    static Module loss(Kernel kernel, RunConfig c) {
        Object o = kernel.losses().create(c.loss.name(), new LinkedHashMap<>(c.loss.params()));
        if (!(o instanceof Module)) throw new IllegalArgumentException("loss '" + c.loss.name() + "' is not an nn Module");
        return (Module) o;
    }

    /** A device by name ({@code cpu}, {@code cuda}, {@code cuda:1}) that some backend serves now. */
    static Device device(Kernel kernel, String spec) {
        Device d;
        try {
            d = Device.of(spec.trim().toLowerCase(Locale.ROOT));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("--device: " + e.getMessage(), e);
        }
        if (!kernel.isAvailable(d.type())) {
            throw new IllegalArgumentException("--device " + spec + ": no available backend serves '" + d.type() + "' (devices now: "
                    + kernel.devices() + "; see kindling:backends)");
        }
        return d;
    }

    /**
     * Creates the loss, optimizer and scheduler once on a stand-in parameter, so unknown names and bad parameter
     * values are reported when the command runs rather than when the job starts. Draws no random numbers.
     */
    static void validate(Kernel kernel, RunConfig c) {
        loss(kernel, c);
        Optimizer o = optimizer(kernel, c, List.of(Torch.zeros(1).requiresGrad_(true)));
        scheduler(kernel, c, o);
        device(kernel, c.device);
    }

    /**
     * Fills in scheduler parameters that follow from the run: OneCycleLR's epochs and steps per epoch, and
     * CosineAnnealingLR's tMax (the whole run). Also picks the interval: per step for OneCycleLR, else per epoch,
     * unless {@code interval} says otherwise.
     */
    static void completeScheduler(RunConfig c, int batchesPerEpoch, String interval) {
        if (c.scheduler == null) return;
        String name = c.scheduler.name().toLowerCase(Locale.ROOT);
        Map<String, Object> p = c.scheduler.params();
        c.schedulerInterval = interval != null ? interval : name.equals("onecyclelr") ? "step" : "epoch";
        if (name.equals("onecyclelr") && !has(p, "totalSteps") && !has(p, "epochs") && !has(p, "stepsPerEpoch")) {
            p.put("epochs", Integer.toString(c.epochs));
            p.put("stepsPerEpoch", Integer.toString(batchesPerEpoch));
        }
        if (name.equals("cosineannealinglr") && !has(p, "tMax")) {
            p.put("tMax", Long.toString(c.schedulerInterval.equals("step") ? (long) c.epochs * batchesPerEpoch : c.epochs));
        }
    }

    private static boolean has(Map<String, Object> p, String name) {
        for (String k : p.keySet()) if (Words.normalize(k).equals(Words.normalize(name))) return true;
        return false;
    }
}
