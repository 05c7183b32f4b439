package dev.kindling.optim.lr;

import dev.kindling.optim.Optimizer;
import dev.kindling.optim.internal.Values;

import java.util.Map;

/** Multiplies each group's learning rate by {@code gamma} every epoch (PyTorch's ExponentialLR). */
public class ExponentialLR extends LRScheduler {
    private double gamma;

    public ExponentialLR(Optimizer optimizer, double gamma) {
        super(optimizer);
        this.gamma = gamma;
        initialStep();
    }

    @Override
    protected double[] getLr() {
        double[] lrs = groupLrs();
        if (lastEpoch == 0) return lrs;
        for (int i = 0; i < lrs.length; i++) lrs[i] = lrs[i] * gamma;
        return lrs;
    }

    @Override
    protected double[] getClosedFormLr() {
        double[] r = new double[baseLrs.length];
        for (int i = 0; i < r.length; i++) r[i] = baseLrs[i] * Math.pow(gamma, lastEpoch);
        return r;
    }

    @Override
    protected void saveState(Map<String, Object> sd) {
        sd.put("gamma", gamma);
    }

    @Override
    protected void loadState(Map<String, ?> sd) {
        if (sd.containsKey("gamma")) gamma = Values.toDouble(sd.get("gamma"), "gamma");
    }
}
