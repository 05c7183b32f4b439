package dev.kindling.optim.lr;

import dev.kindling.optim.Optimizer;
import dev.kindling.optim.ParamGroup;
import dev.kindling.optim.internal.Values;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Base class of learning-rate schedulers, as PyTorch 1.13's {@code _LRScheduler}: it remembers each group's
 * {@code initial_lr} as its base learning rate, and each {@link #step()} advances {@link #lastEpoch()} and sets every
 * group's {@code lr} to {@link #getLr()}. The constructor of a scheduler does the first step (epoch 0).
 *
 * <p>A custom scheduler extends this class, implements {@link #getLr()} (the chainable form: usually from the groups'
 * current {@code lr}, PyTorch's recursive formulas) and calls {@link #initialStep()} at the end of its constructor,
 * once its own fields are set.
 */
@ConsumerType
public abstract class LRScheduler {
    protected final Optimizer optimizer;
    /** Each group's {@code initial_lr}. */
    protected double[] baseLrs;
    protected int lastEpoch;
    /** Calls of step() so far (PyTorch's {@code _step_count}). */
    protected int stepCount;
    /** The learning rates the last step set (PyTorch's {@code _last_lr}). */
    protected double[] lastLr;

    /** Starts from the beginning: sets each group's {@code initial_lr} to its lr unless it has one. */
    protected LRScheduler(Optimizer optimizer) {
        this(optimizer, -1);
    }

    /**
     * @param lastEpoch -1 to start, or the index of the last epoch when resuming, in which case every group must have
     *                  an {@code initial_lr} already
     */
    protected LRScheduler(Optimizer optimizer, int lastEpoch) {
        this.optimizer = requireOptimizer(optimizer);
        List<ParamGroup> groups = optimizer.paramGroups();
        if (lastEpoch == -1) {
            for (ParamGroup g : groups) {
                if (!g.has("initial_lr")) g.set("initial_lr", g.lr());
            }
        } else {
            for (int i = 0; i < groups.size(); i++) {
                if (!groups.get(i).has("initial_lr")) {
                    throw new IllegalArgumentException("param 'initial_lr' is not specified in param_groups[" + i
                            + "] when resuming an optimizer");
                }
            }
        }
        this.baseLrs = new double[groups.size()];
        for (int i = 0; i < baseLrs.length; i++) baseLrs[i] = groups.get(i).getDouble("initial_lr");
        this.lastEpoch = lastEpoch;
    }

    /** For schedulers that are not chainable (ReduceLROnPlateau, SequentialLR, ChainedScheduler): no initial_lr. */
    LRScheduler(Optimizer optimizer, boolean notChainable) {
        this.optimizer = requireOptimizer(optimizer);
        this.baseLrs = groupLrs();
        this.lastEpoch = 0;
        this.lastLr = groupLrs();
    }

    static Optimizer requireOptimizer(Optimizer optimizer) {
        if (optimizer == null) throw new IllegalArgumentException("null is not an Optimizer");
        return optimizer;
    }

    /** The first step (to epoch 0); call it at the end of a subclass's constructor. */
    protected final void initialStep() {
        stepCount = 0;
        step();
    }

    /** Advances one epoch (or batch) and sets every group's learning rate. Call it after {@code optimizer.step()}. */
    public void step() {
        stepCount++;
        lastEpoch++;
        apply(getLr());
    }

    /** PyTorch's deprecated {@code step(epoch)}: jumps to an epoch, using the closed form where there is one. */
    void stepTo(int epoch) {
        stepCount++;
        lastEpoch = epoch;
        double[] closed = getClosedFormLr();
        apply(closed != null ? closed : getLr());
    }

    private void apply(double[] values) {
        List<ParamGroup> groups = optimizer.paramGroups();
        for (int i = 0; i < Math.min(values.length, groups.size()); i++) groups.get(i).lr(values[i]);
        lastLr = groupLrs();
    }

    /** The learning rates of the next epoch, per group (the chainable form). */
    protected abstract double[] getLr();

    /** The closed form of the schedule at {@link #lastEpoch()}, or null where there is none. */
    protected double[] getClosedFormLr() {
        return null;
    }

    /** The current learning rate of each group. */
    protected double[] groupLrs() {
        List<ParamGroup> groups = optimizer.paramGroups();
        double[] r = new double[groups.size()];
        for (int i = 0; i < r.length; i++) r[i] = groups.get(i).lr();
        return r;
    }

    /** The learning rates the last step set, per group. */
    public List<Double> getLastLr() {
        return Values.list(lastLr);
    }

    public int lastEpoch() {
        return lastEpoch;
    }

    public Optimizer optimizer() {
        return optimizer;
    }

    public List<Double> baseLrs() {
        return Values.list(baseLrs);
    }

    /**
     * The scheduler's state as plain values (numbers, lists, strings): PyTorch's keys {@code last_epoch},
     * {@code base_lrs}, {@code _step_count}, {@code _last_lr} and the scheduler's own hyper-parameters. Functions
     * (LambdaLR's) are not saved. Save the optimizer's state dict with it.
     */
    public Map<String, Object> stateDict() {
        Map<String, Object> sd = new LinkedHashMap<>();
        sd.put("base_lrs", Values.list(baseLrs));
        sd.put("last_epoch", lastEpoch);
        sd.put("_step_count", stepCount);
        sd.put("_last_lr", Values.list(lastLr));
        saveState(sd);
        return sd;
    }

    /** Restores a state from {@link #stateDict()}; one made for another number of parameter groups is rejected. */
    public void loadStateDict(Map<String, ?> stateDict) {
        if (stateDict == null) throw new IllegalArgumentException("scheduler state dict must not be null");
        int groups = optimizer.paramGroups().size();
        double[] base = Values.toDoubles(required(stateDict, "base_lrs"), "base_lrs");
        double[] last = Values.toDoubles(required(stateDict, "_last_lr"), "_last_lr");
        if (base.length != groups || last.length != groups) {
            throw new IllegalArgumentException("loaded scheduler state is for " + base.length + " parameter groups, but the "
                    + "optimizer has " + groups);
        }
        int epoch = Values.toInt(required(stateDict, "last_epoch"), "last_epoch");
        int count = Values.toInt(required(stateDict, "_step_count"), "_step_count");
        loadState(stateDict); // may reject: before anything is changed
        baseLrs = base;
        lastLr = last;
        lastEpoch = epoch;
        stepCount = count;
    }

    /** Adds a subclass's own entries to the state dict. */
    protected void saveState(Map<String, Object> stateDict) {}

    /** Reads a subclass's own entries (those present) from a state dict. */
    protected void loadState(Map<String, ?> stateDict) {}

    static Object required(Map<String, ?> sd, String key) {
        if (!sd.containsKey(key)) throw new IllegalArgumentException("scheduler state dict has no '" + key + "'");
        return sd.get(key);
    }

    static double[] copyOf(List<Double> values) {
        double[] r = new double[values.size()];
        for (int i = 0; i < r.length; i++) r[i] = values.get(i);
        return r;
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "(last_epoch=" + lastEpoch + ", last_lr=" + getLastLr() + ")";
    }
}
