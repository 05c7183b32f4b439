package dev.kindling.optim.lr;

import dev.kindling.api.Tensor;
import dev.kindling.optim.Optimizer;
import dev.kindling.optim.ParamGroup;
import dev.kindling.optim.internal.Values;

import java.util.List;
import java.util.Map;

/**
 * Reduces the learning rate when a metric has stopped improving (PyTorch's ReduceLROnPlateau): after
 * {@code patience} epochs without improvement by more than {@code threshold} (relative or absolute), each group's lr
 * becomes {@code max(lr * factor, min_lr)} (unless that changes it by less than {@code eps}), then {@code cooldown}
 * epochs are ignored. Call {@link #step(double)} with the metric, e.g. the validation loss, once per epoch.
 *
 * <pre>{@code
 * var s = ReduceLROnPlateau.builder(opt).mode("min").factor(0.5).patience(3).verbose(true).build();
 * s.step(valLoss);   // with verbose, prints "Epoch 00005: reducing learning rate of group 0 to 1.0000e-03." as PyTorch 1.13
 * }</pre>
 */
public class ReduceLROnPlateau extends LRScheduler {
    private double factor;
    private double[] minLrs;
    private int patience;
    private int cooldown;
    private int cooldownCounter;
    private String mode;
    private double threshold;
    private String thresholdMode;
    private double best;
    private int numBadEpochs;
    private double modeWorse;
    private double eps;
    private final java.io.PrintStream verbose;

    /** PyTorch's defaults: mode min, factor 0.1, patience 10, threshold 1e-4 (rel), cooldown 0, min_lr 0, eps 1e-8. */
    public ReduceLROnPlateau(Optimizer optimizer) {
        this(builder(optimizer));
    }

    private ReduceLROnPlateau(Builder b) {
        super(b.optimizer, true);
        if (b.factor >= 1.0) throw new IllegalArgumentException("Factor should be < 1.0.");
        this.factor = b.factor;
        int groups = optimizer.paramGroups().size();
        if (b.minLr.length == 1 && !b.minLrPerGroup) {
            this.minLrs = new double[groups];
            java.util.Arrays.fill(minLrs, b.minLr[0]);
        } else {
            if (b.minLr.length != groups) {
                throw new IllegalArgumentException("expected " + groups + " min_lrs, got " + b.minLr.length);
            }
            this.minLrs = b.minLr.clone();
        }
        this.patience = b.patience;
        this.cooldown = b.cooldown;
        this.cooldownCounter = 0;
        this.eps = b.eps;
        this.verbose = b.verbose;
        this.lastEpoch = 0;
        initIsBetter(b.mode, b.threshold, b.thresholdMode);
        reset();
    }

    private void initIsBetter(String mode, double threshold, String thresholdMode) {
        if (!"min".equals(mode) && !"max".equals(mode)) throw new IllegalArgumentException("mode " + mode + " is unknown!");
        if (!"rel".equals(thresholdMode) && !"abs".equals(thresholdMode)) {
            throw new IllegalArgumentException("threshold mode " + thresholdMode + " is unknown!");
        }
        this.modeWorse = mode.equals("min") ? Double.POSITIVE_INFINITY : Double.NEGATIVE_INFINITY;
        this.mode = mode;
        this.threshold = threshold;
        this.thresholdMode = thresholdMode;
    }

    private void reset() {
        best = modeWorse;
        cooldownCounter = 0;
        numBadEpochs = 0;
    }

    /** Not available: this scheduler needs the metric, {@link #step(double)}. */
    @Override
    public void step() {
        throw new IllegalStateException("ReduceLROnPlateau.step() needs the monitored metric: call step(metric)");
    }

    /** One epoch with this value of the monitored metric. */
    public void step(double metric) {
        double current = metric;
        int epoch = lastEpoch + 1;
        lastEpoch = epoch;
        if (isBetter(current, best)) {
            best = current;
            numBadEpochs = 0;
        } else {
            numBadEpochs++;
        }
        if (inCooldown()) {
            cooldownCounter--;
            numBadEpochs = 0; // ignore any bad epochs in cooldown
        }
        if (numBadEpochs > patience) {
            reduceLr(epoch);
            cooldownCounter = cooldown;
            numBadEpochs = 0;
        }
        lastLr = groupLrs();
    }

    /** One epoch with the value of a one-element tensor (e.g. a loss). */
    public void step(Tensor metric) {
        step(metric.item());
    }

    private void reduceLr(int epoch) {
        List<ParamGroup> groups = optimizer.paramGroups();
        for (int i = 0; i < groups.size(); i++) {
            double oldLr = groups.get(i).lr();
            double newLr = Math.max(oldLr * factor, minLrs[i]);
            if (oldLr - newLr > eps) {
                groups.get(i).lr(newLr);
                if (verbose != null) verbose.println(reducingMessage(epoch, i, newLr));
            }
        }
    }

    /** PyTorch 1.13's verbose line: {@code Epoch 00005: reducing learning rate of group 0 to 1.0000e-03.} */
    static String reducingMessage(int epoch, int group, double lr) {
        // Python's "%.5d" and "{:.4e}"; Java's %e also writes at least two exponent digits
        String e = epoch < 0 ? "-" + String.format(java.util.Locale.ROOT, "%05d", -(long) epoch) : String.format(java.util.Locale.ROOT, "%05d", epoch);
        return "Epoch " + e + ": reducing learning rate of group " + group + " to " + String.format(java.util.Locale.ROOT, "%.4e", lr) + ".";
    }

    public boolean inCooldown() {
        return cooldownCounter > 0;
    }

    private boolean isBetter(double a, double best) {
        if (mode.equals("min") && thresholdMode.equals("rel")) return a < best * (1. - threshold);
        if (mode.equals("min")) return a < best - threshold;
        if (thresholdMode.equals("rel")) return a > best * (threshold + 1.);
        return a > best + threshold;
    }

    /** The best metric so far. */
    public double best() {
        return best;
    }

    public int numBadEpochs() {
        return numBadEpochs;
    }

    @Override
    protected double[] getLr() {
        return groupLrs();
    }

    @Override
    protected void saveState(Map<String, Object> sd) {
        sd.put("factor", factor);
        sd.put("min_lrs", Values.list(minLrs));
        sd.put("patience", patience);
        sd.put("cooldown", cooldown);
        sd.put("cooldown_counter", cooldownCounter);
        sd.put("mode", mode);
        sd.put("threshold", threshold);
        sd.put("threshold_mode", thresholdMode);
        sd.put("best", best);
        sd.put("num_bad_epochs", numBadEpochs);
        sd.put("mode_worse", modeWorse);
        sd.put("eps", eps);
    }

    @Override
    protected void loadState(Map<String, ?> sd) {
        double[] mins = sd.containsKey("min_lrs") ? Values.toDoubles(sd.get("min_lrs"), "min_lrs") : minLrs;
        if (mins.length != optimizer.paramGroups().size()) {
            throw new IllegalArgumentException("loaded ReduceLROnPlateau state has " + mins.length + " min_lrs, but the "
                    + "optimizer has " + optimizer.paramGroups().size() + " parameter groups");
        }
        String m = sd.containsKey("mode") ? Values.toStr(sd.get("mode"), "mode") : mode;
        String tm = sd.containsKey("threshold_mode") ? Values.toStr(sd.get("threshold_mode"), "threshold_mode") : thresholdMode;
        double th = sd.containsKey("threshold") ? Values.toDouble(sd.get("threshold"), "threshold") : threshold;
        initIsBetter(m, th, tm);
        minLrs = mins;
        if (sd.containsKey("factor")) factor = Values.toDouble(sd.get("factor"), "factor");
        if (sd.containsKey("patience")) patience = Values.toInt(sd.get("patience"), "patience");
        if (sd.containsKey("cooldown")) cooldown = Values.toInt(sd.get("cooldown"), "cooldown");
        if (sd.containsKey("cooldown_counter")) cooldownCounter = Values.toInt(sd.get("cooldown_counter"), "cooldown_counter");
        if (sd.containsKey("best")) best = Values.toDouble(sd.get("best"), "best");
        if (sd.containsKey("num_bad_epochs")) numBadEpochs = Values.toInt(sd.get("num_bad_epochs"), "num_bad_epochs");
        if (sd.containsKey("eps")) eps = Values.toDouble(sd.get("eps"), "eps");
    }

    public static Builder builder(Optimizer optimizer) {
        return new Builder(optimizer);
    }

    /** PyTorch's keyword arguments and defaults. */
    public static final class Builder {
        private final Optimizer optimizer;
        private String mode = "min";
        private double factor = 0.1;
        private int patience = 10;
        private double threshold = 1e-4;
        private String thresholdMode = "rel";
        private int cooldown = 0;
        private double[] minLr = {0.0};
        private boolean minLrPerGroup;
        private double eps = 1e-8;
        private java.io.PrintStream verbose;

        private Builder(Optimizer optimizer) { this.optimizer = requireOptimizer(optimizer); }

        /** {@code "min"} (reduce when the metric stops decreasing) or {@code "max"}. */
        public Builder mode(String mode) { this.mode = mode; return this; }
        public Builder factor(double factor) { this.factor = factor; return this; }
        public Builder patience(int patience) { this.patience = patience; return this; }
        public Builder threshold(double threshold) { this.threshold = threshold; return this; }
        /** {@code "rel"} or {@code "abs"}. */
        public Builder thresholdMode(String thresholdMode) { this.thresholdMode = thresholdMode; return this; }
        public Builder cooldown(int cooldown) { this.cooldown = cooldown; return this; }
        /** One lower bound for all groups. */
        public Builder minLr(double minLr) { this.minLr = new double[] {minLr}; this.minLrPerGroup = false; return this; }
        /** One lower bound per group. */
        public Builder minLrs(double... minLrs) { this.minLr = minLrs.clone(); this.minLrPerGroup = true; return this; }
        public Builder eps(double eps) { this.eps = eps; return this; }
        /** PyTorch's {@code verbose=True}: prints a line to {@code System.out} each time a group's lr is reduced. */
        public Builder verbose(boolean verbose) { this.verbose = verbose ? System.out : null; return this; }
        /** As {@link #verbose(boolean)}, printing to {@code out} (null: quiet). */
        public Builder verbose(java.io.PrintStream out) { this.verbose = out; return this; }

        public ReduceLROnPlateau build() {
            return new ReduceLROnPlateau(this);
        }
    }
}
