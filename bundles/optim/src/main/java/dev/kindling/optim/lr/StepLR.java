package dev.kindling.optim.lr;

import dev.kindling.optim.Optimizer;
import dev.kindling.optim.internal.Values;

import java.util.Map;

/** Multiplies each group's learning rate by {@code gamma} every {@code stepSize} epochs (PyTorch's StepLR). */
public class StepLR extends LRScheduler {
    private int stepSize;
    private double gamma;

    /** {@code gamma} = 0.1. */
    public StepLR(Optimizer optimizer, int stepSize) {
        this(optimizer, stepSize, 0.1);
    }

    public StepLR(Optimizer optimizer, int stepSize, double gamma) {
        super(optimizer);
        if (stepSize <= 0) throw new IllegalArgumentException("step_size must be a positive integer, but got " + stepSize);
        this.stepSize = stepSize;
        this.gamma = gamma;
        initialStep();
    }

    @Override
    protected double[] getLr() {
        double[] lrs = groupLrs();
        if (lastEpoch == 0 || lastEpoch % stepSize != 0) return lrs;
        for (int i = 0; i < lrs.length; i++) lrs[i] = lrs[i] * gamma;
        return lrs;
    }

    @Override
    protected double[] getClosedFormLr() {
        double[] r = new double[baseLrs.length];
        for (int i = 0; i < r.length; i++) r[i] = baseLrs[i] * Math.pow(gamma, Math.floorDiv(lastEpoch, stepSize));
        return r;
    }

    @Override
    protected void saveState(Map<String, Object> sd) {
        sd.put("step_size", stepSize);
        sd.put("gamma", gamma);
    }

    @Override
    protected void loadState(Map<String, ?> sd) {
        if (sd.containsKey("step_size")) stepSize = Values.toInt(sd.get("step_size"), "step_size");
        if (sd.containsKey("gamma")) gamma = Values.toDouble(sd.get("gamma"), "gamma");
    }
}
