package dev.kindling.optim.lr;

import dev.kindling.optim.Optimizer;
import dev.kindling.optim.ParamGroup;
import dev.kindling.optim.internal.Values;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * Runs schedulers one after another (PyTorch's SequentialLR): {@code schedulers[i]} from milestone {@code i-1} on;
 * at a milestone the next scheduler restarts from epoch 0 (its closed form). Construct the schedulers on the same
 * optimizer first, e.g. a warm-up then cosine annealing:
 *
 * <pre>{@code
 * new SequentialLR(opt, List.of(new LinearLR(opt, 0.1, 1.0, 10), new CosineAnnealingLR(opt, 190)), new int[] {10});
 * }</pre>
 */
public class SequentialLR extends LRScheduler {
    private final List<LRScheduler> schedulers;
    private int[] milestones;

    public SequentialLR(Optimizer optimizer, List<? extends LRScheduler> schedulers, int[] milestones) {
        super(optimizer, true);
        if (schedulers == null || schedulers.isEmpty()) {
            throw new IllegalArgumentException("SequentialLR needs at least one scheduler");
        }
        for (int i = 0; i < schedulers.size(); i++) {
            if (schedulers.get(i).optimizer != optimizer) {
                throw new IllegalArgumentException("Sequential Schedulers expects all schedulers to belong to the same "
                        + "optimizer, but got schedulers at index " + i + " to be different than the optimizer passed in.");
            }
        }
        if (milestones == null || milestones.length != schedulers.size() - 1) {
            throw new IllegalArgumentException("Sequential Schedulers expects number of schedulers provided to be one more "
                    + "than the number of milestone points, but got number of schedulers " + schedulers.size()
                    + " and the number of milestones to be equal to " + (milestones == null ? 0 : milestones.length));
        }
        for (LRScheduler s : schedulers) {
            if (s instanceof ReduceLROnPlateau) {
                throw new IllegalArgumentException("SequentialLR does not support ReduceLROnPlateau (it needs a metric)");
            }
        }
        this.schedulers = Collections.unmodifiableList(new ArrayList<>(schedulers));
        this.milestones = milestones.clone();
        this.lastEpoch = 0; // last_epoch + 1
        // Reset learning rates back to initial values
        for (ParamGroup g : optimizer.paramGroups()) g.lr(g.getDouble("initial_lr"));
        // "Undo" the step performed by other schedulers
        for (LRScheduler s : this.schedulers) s.lastEpoch -= 1;
        // Perform the initial step for only the first scheduler
        this.schedulers.get(0).initialStep();
        this.baseLrs = groupLrs();
        this.lastLr = copyOf(this.schedulers.get(0).getLastLr());
    }

    @Override
    public void step() {
        lastEpoch++;
        int idx = bisectRight(milestones, lastEpoch);
        LRScheduler scheduler = schedulers.get(idx);
        if (idx > 0 && milestones[idx - 1] == lastEpoch) {
            scheduler.stepTo(0);
        } else {
            scheduler.step();
        }
        lastLr = copyOf(scheduler.getLastLr());
    }

    static int bisectRight(int[] sorted, int x) {
        int n = 0;
        while (n < sorted.length && sorted[n] <= x) n++;
        return n;
    }

    /** Not used: the current scheduler computes the learning rates. */
    @Override
    protected double[] getLr() {
        return groupLrs();
    }

    public List<LRScheduler> schedulers() {
        return schedulers;
    }

    public int[] milestones() {
        return milestones.clone();
    }

    /** Also holds each scheduler's state dict, under {@code _schedulers}. */
    @Override
    protected void saveState(Map<String, Object> sd) {
        sd.put("_milestones", Values.list(milestones));
        List<Object> subs = new ArrayList<>();
        for (LRScheduler s : schedulers) subs.add(s.stateDict());
        sd.put("_schedulers", subs);
    }

    @Override
    protected void loadState(Map<String, ?> sd) {
        Object subs = required(sd, "_schedulers");
        if (!(subs instanceof List<?> list) || list.size() != schedulers.size()) {
            throw new IllegalArgumentException("loaded SequentialLR state has " + (subs instanceof List<?> l ? l.size()
                    : Values.describe(subs)) + " scheduler states, but this SequentialLR has " + schedulers.size());
        }
        int[] ms = sd.containsKey("_milestones") ? Values.toInts(sd.get("_milestones"), "_milestones") : milestones;
        if (ms.length != schedulers.size() - 1) {
            throw new IllegalArgumentException("loaded SequentialLR state has " + ms.length + " milestones, expected "
                    + (schedulers.size() - 1));
        }
        for (int i = 0; i < list.size(); i++) {
            if (!(list.get(i) instanceof Map<?, ?> m)) {
                throw new IllegalArgumentException("loaded SequentialLR state of scheduler " + i + " is not a map");
            }
            @SuppressWarnings("unchecked")
            Map<String, ?> typed = (Map<String, ?>) m;
            schedulers.get(i).loadStateDict(typed);
        }
        milestones = ms;
    }

    @Override
    public String toString() {
        return "SequentialLR(milestones=" + Arrays.toString(milestones) + ", schedulers=" + schedulers + ", last_epoch="
                + lastEpoch + ")";
    }
}
