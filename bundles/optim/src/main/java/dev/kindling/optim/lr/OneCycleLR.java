package dev.kindling.optim.lr;

import dev.kindling.optim.Optimizer;
import dev.kindling.optim.ParamGroup;
import dev.kindling.optim.internal.Py;
import dev.kindling.optim.internal.Values;

import java.util.List;
import java.util.Map;

/**
 * The 1cycle policy (PyTorch's OneCycleLR): the learning rate rises from {@code maxLr / divFactor} to {@code maxLr}
 * over {@code pctStart} of {@code totalSteps}, then anneals to {@code initial_lr / finalDivFactor} (cosine by
 * default); with {@code cycleMomentum} (default) the momentum (SGD's {@code momentum}, Adam's {@code beta1}) moves
 * inversely between {@code maxMomentum} (0.95) and {@code baseMomentum} (0.85). Step it after every batch. It writes
 * {@code initial_lr}, {@code max_lr}, {@code min_lr}, {@code max_momentum} and {@code base_momentum} into the groups.
 *
 * <pre>{@code
 * var s = OneCycleLR.builder(opt).maxLr(0.1).totalSteps(1000).pctStart(0.25).annealStrategy("linear").build();
 * }</pre>
 */
public class OneCycleLR extends LRScheduler {
    private record Phase(double endStep, String startLr, String endLr, String startMomentum, String endMomentum) {}

    private int totalSteps;
    private double pctStart;
    private boolean threePhase;
    private String annealStrategy;
    private boolean cycleMomentum;
    private boolean useBeta1;
    private Phase[] phases;

    public OneCycleLR(Optimizer optimizer, double maxLr, int totalSteps) {
        this(builder(optimizer).maxLr(maxLr).totalSteps(totalSteps));
    }

    private OneCycleLR(Builder b) {
        super(prepare(b));
        this.totalSteps = b.resolvedTotalSteps;
        this.pctStart = b.pctStart;
        this.threePhase = b.threePhase;
        this.annealStrategy = b.annealStrategy;
        this.cycleMomentum = b.cycleMomentum;
        this.useBeta1 = b.useBeta1;
        this.phases = phases(totalSteps, pctStart, threePhase);
        initialStep();
    }

    /** Validates and writes the groups' cycle values before the base class reads {@code initial_lr}. */
    private static Optimizer prepare(Builder b) {
        Optimizer opt = requireOptimizer(b.optimizer);
        if (b.totalSteps == null && b.epochs == null && b.stepsPerEpoch == null) {
            throw new IllegalArgumentException("You must define either total_steps OR (epochs AND steps_per_epoch)");
        } else if (b.totalSteps != null) {
            if (b.totalSteps <= 0) {
                throw new IllegalArgumentException("Expected positive integer total_steps, but got " + b.totalSteps);
            }
            b.resolvedTotalSteps = b.totalSteps;
        } else {
            if (b.epochs == null || b.epochs <= 0) {
                throw new IllegalArgumentException("Expected positive integer epochs, but got " + Py.repr(b.epochs));
            }
            if (b.stepsPerEpoch == null || b.stepsPerEpoch <= 0) {
                throw new IllegalArgumentException("Expected positive integer steps_per_epoch, but got "
                        + Py.repr(b.stepsPerEpoch));
            }
            b.resolvedTotalSteps = b.epochs * b.stepsPerEpoch;
        }
        if (b.pctStart < 0 || b.pctStart > 1 || Double.isNaN(b.pctStart)) {
            throw new IllegalArgumentException("Expected float between 0 and 1 pct_start, but got " + Py.repr(b.pctStart));
        }
        if (!"cos".equals(b.annealStrategy) && !"linear".equals(b.annealStrategy)) {
            throw new IllegalArgumentException("anneal_strategy must by one of 'cos' or 'linear', instead got "
                    + b.annealStrategy);
        }
        List<ParamGroup> groups = opt.paramGroups();
        if (b.maxLr == null) throw new IllegalArgumentException("OneCycleLR needs max_lr");
        double[] maxLrs = format("max_lr", groups.size(), b.maxLr);
        double[] maxMomentums = format("max_momentum", groups.size(), b.maxMomentum);
        double[] baseMomentums = format("base_momentum", groups.size(), b.baseMomentum);
        if (b.cycleMomentum && !opt.defaults().containsKey("momentum") && !opt.defaults().containsKey("betas")) {
            throw new IllegalArgumentException("optimizer must support momentum with `cycle_momentum` option enabled");
        }
        b.useBeta1 = opt.defaults().containsKey("betas");
        for (int i = 0; i < groups.size(); i++) {
            ParamGroup g = groups.get(i);
            double initial = maxLrs[i] / b.divFactor;
            g.set("initial_lr", initial);
            g.set("max_lr", maxLrs[i]);
            g.set("min_lr", initial / b.finalDivFactor);
        }
        if (b.cycleMomentum) {
            for (int i = 0; i < groups.size(); i++) {
                ParamGroup g = groups.get(i);
                if (b.useBeta1) {
                    double[] betas = g.getDoubles("betas");
                    betas[0] = maxMomentums[i];
                    g.set("betas", betas);
                } else {
                    g.set("momentum", maxMomentums[i]);
                }
                g.set("max_momentum", maxMomentums[i]);
                g.set("base_momentum", baseMomentums[i]);
            }
        }
        return opt;
    }

    private static double[] format(String name, int groups, double[] values) {
        if (values.length == 1) {
            double[] r = new double[groups];
            java.util.Arrays.fill(r, values[0]);
            return r;
        }
        if (values.length != groups) {
            throw new IllegalArgumentException("expected " + groups + " values for " + name + ", got " + values.length);
        }
        return values.clone();
    }

    private static Phase[] phases(int totalSteps, double pctStart, boolean threePhase) {
        if (threePhase) {
            return new Phase[] {
                new Phase(pctStart * totalSteps - 1, "initial_lr", "max_lr", "max_momentum", "base_momentum"),
                new Phase(2 * pctStart * totalSteps - 2, "max_lr", "initial_lr", "base_momentum", "max_momentum"),
                new Phase(totalSteps - 1, "initial_lr", "min_lr", "max_momentum", "max_momentum"),
            };
        }
        return new Phase[] {
            new Phase(pctStart * totalSteps - 1, "initial_lr", "max_lr", "max_momentum", "base_momentum"),
            new Phase(totalSteps - 1, "max_lr", "min_lr", "base_momentum", "max_momentum"),
        };
    }

    private double anneal(double start, double end, double pct) {
        if (annealStrategy.equals("cos")) {
            double cosOut = Math.cos(Math.PI * pct) + 1;
            return end + (start - end) / 2.0 * cosOut;
        }
        return (end - start) * pct + start;
    }

    @Override
    protected double[] getLr() {
        int stepNum = lastEpoch;
        if (stepNum > totalSteps) {
            throw new IllegalStateException("Tried to step " + (stepNum + 1) + " times. The specified number of total "
                    + "steps is " + totalSteps);
        }
        List<ParamGroup> groups = optimizer.paramGroups();
        double[] lrs = new double[groups.size()];
        for (int gi = 0; gi < lrs.length; gi++) {
            ParamGroup group = groups.get(gi);
            double startStep = 0;
            double lr = 0, momentum = 0;
            for (int i = 0; i < phases.length; i++) {
                Phase phase = phases[i];
                double endStep = phase.endStep();
                if (stepNum <= endStep || i == phases.length - 1) {
                    double pct = (stepNum - startStep) / (endStep - startStep);
                    lr = anneal(group.getDouble(phase.startLr()), group.getDouble(phase.endLr()), pct);
                    if (cycleMomentum) {
                        momentum = anneal(group.getDouble(phase.startMomentum()), group.getDouble(phase.endMomentum()), pct);
                    }
                    break;
                }
                startStep = phase.endStep();
            }
            lrs[gi] = lr;
            if (cycleMomentum) {
                if (useBeta1) {
                    double[] betas = group.getDoubles("betas");
                    betas[0] = momentum;
                    group.set("betas", betas);
                } else {
                    group.set("momentum", momentum);
                }
            }
        }
        return lrs;
    }

    public int totalSteps() {
        return totalSteps;
    }

    @Override
    protected void saveState(Map<String, Object> sd) {
        sd.put("total_steps", totalSteps);
        sd.put("pct_start", pctStart);
        sd.put("three_phase", threePhase);
        sd.put("anneal_strategy", annealStrategy);
        sd.put("cycle_momentum", cycleMomentum);
        sd.put("use_beta1", useBeta1);
    }

    @Override
    protected void loadState(Map<String, ?> sd) {
        String strategy = sd.containsKey("anneal_strategy") ? Values.toStr(sd.get("anneal_strategy"), "anneal_strategy")
                : annealStrategy;
        if (!strategy.equals("cos") && !strategy.equals("linear")) {
            throw new IllegalArgumentException("anneal_strategy must by one of 'cos' or 'linear', instead got " + strategy);
        }
        if (sd.containsKey("total_steps")) totalSteps = Values.toInt(sd.get("total_steps"), "total_steps");
        if (sd.containsKey("pct_start")) pctStart = Values.toDouble(sd.get("pct_start"), "pct_start");
        if (sd.containsKey("three_phase")) threePhase = Values.toBoolean(sd.get("three_phase"), "three_phase");
        if (sd.containsKey("cycle_momentum")) cycleMomentum = Values.toBoolean(sd.get("cycle_momentum"), "cycle_momentum");
        if (sd.containsKey("use_beta1")) useBeta1 = Values.toBoolean(sd.get("use_beta1"), "use_beta1");
        annealStrategy = strategy;
        phases = phases(totalSteps, pctStart, threePhase);
    }

    public static Builder builder(Optimizer optimizer) {
        return new Builder(optimizer);
    }

    /** PyTorch's keyword arguments; {@code maxLr} and {@code totalSteps} (or {@code epochs} and {@code stepsPerEpoch}). */
    public static final class Builder {
        private final Optimizer optimizer;
        private double[] maxLr;
        private Integer totalSteps, epochs, stepsPerEpoch;
        private double pctStart = 0.3;
        private String annealStrategy = "cos";
        private boolean cycleMomentum = true;
        private double[] baseMomentum = {0.85};
        private double[] maxMomentum = {0.95};
        private double divFactor = 25.0;
        private double finalDivFactor = 1e4;
        private boolean threePhase;
        private int resolvedTotalSteps;
        private boolean useBeta1;

        private Builder(Optimizer optimizer) { this.optimizer = optimizer; }

        /** One value for all groups, or one per group. */
        public Builder maxLr(double... maxLr) { this.maxLr = maxLr.clone(); return this; }
        public Builder totalSteps(int totalSteps) { this.totalSteps = totalSteps; return this; }
        public Builder epochs(int epochs) { this.epochs = epochs; return this; }
        public Builder stepsPerEpoch(int stepsPerEpoch) { this.stepsPerEpoch = stepsPerEpoch; return this; }
        public Builder pctStart(double pctStart) { this.pctStart = pctStart; return this; }
        /** {@code "cos"} (default) or {@code "linear"}. */
        public Builder annealStrategy(String annealStrategy) { this.annealStrategy = annealStrategy; return this; }
        public Builder cycleMomentum(boolean cycleMomentum) { this.cycleMomentum = cycleMomentum; return this; }
        public Builder baseMomentum(double... baseMomentum) { this.baseMomentum = baseMomentum.clone(); return this; }
        public Builder maxMomentum(double... maxMomentum) { this.maxMomentum = maxMomentum.clone(); return this; }
        public Builder divFactor(double divFactor) { this.divFactor = divFactor; return this; }
        public Builder finalDivFactor(double finalDivFactor) { this.finalDivFactor = finalDivFactor; return this; }
        public Builder threePhase(boolean threePhase) { this.threePhase = threePhase; return this; }

        public OneCycleLR build() {
            return new OneCycleLR(this);
        }
    }
}
