package dev.kindling.optim.lr;

import dev.kindling.optim.Optimizer;
import dev.kindling.optim.internal.Values;

import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;

/**
 * Multiplies each group's learning rate by {@code gamma} at each milestone epoch (by {@code gamma^k} at a milestone
 * listed k times), as PyTorch's MultiStepLR.
 */
public class MultiStepLR extends LRScheduler {
    private TreeMap<Integer, Integer> milestones;
    private double gamma;

    /** {@code gamma} = 0.1. */
    public MultiStepLR(Optimizer optimizer, int[] milestones) {
        this(optimizer, milestones, 0.1);
    }

    public MultiStepLR(Optimizer optimizer, int[] milestones, double gamma) {
        super(optimizer);
        this.milestones = counter(milestones);
        this.gamma = gamma;
        initialStep();
    }

    private static TreeMap<Integer, Integer> counter(int[] milestones) {
        if (milestones == null) throw new IllegalArgumentException("milestones must not be null");
        TreeMap<Integer, Integer> c = new TreeMap<>();
        for (int m : milestones) c.merge(m, 1, Integer::sum);
        return c;
    }

    /** The milestones, sorted, each as often as it was given. */
    public int[] milestones() {
        return milestones.entrySet().stream()
                .flatMapToInt(e -> java.util.stream.IntStream.generate(e::getKey).limit(e.getValue())).toArray();
    }

    @Override
    protected double[] getLr() {
        double[] lrs = groupLrs();
        Integer count = milestones.get(lastEpoch);
        if (count == null) return lrs;
        for (int i = 0; i < lrs.length; i++) lrs[i] = lrs[i] * Math.pow(gamma, count);
        return lrs;
    }

    @Override
    protected double[] getClosedFormLr() {
        int passed = 0; // bisect_right(sorted milestones, last_epoch)
        for (int m : milestones()) if (m <= lastEpoch) passed++;
        double[] r = new double[baseLrs.length];
        for (int i = 0; i < r.length; i++) r[i] = baseLrs[i] * Math.pow(gamma, passed);
        return r;
    }

    @Override
    protected void saveState(Map<String, Object> sd) {
        sd.put("milestones", Values.list(milestones()));
        sd.put("gamma", gamma);
    }

    @Override
    protected void loadState(Map<String, ?> sd) {
        if (sd.containsKey("milestones")) milestones = counter(Values.toInts(sd.get("milestones"), "milestones"));
        if (sd.containsKey("gamma")) gamma = Values.toDouble(sd.get("gamma"), "gamma");
    }

    @Override
    public String toString() {
        return "MultiStepLR(milestones=" + Arrays.toString(milestones()) + ", gamma=" + gamma + ", last_epoch=" + lastEpoch + ")";
    }
}
