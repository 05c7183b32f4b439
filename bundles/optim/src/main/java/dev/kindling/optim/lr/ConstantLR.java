package dev.kindling.optim.lr;

import dev.kindling.optim.Optimizer;
import dev.kindling.optim.internal.Values;

import java.util.Map;

/** Scales each group's learning rate by {@code factor} until epoch {@code totalIters} (PyTorch's ConstantLR; 1/3, 5). */
public class ConstantLR extends LRScheduler {
    private double factor;
    private int totalIters;

    public ConstantLR(Optimizer optimizer) {
        this(optimizer, 1.0 / 3, 5);
    }

    public ConstantLR(Optimizer optimizer, double factor, int totalIters) {
        super(optimizer);
        if (factor > 1.0 || factor < 0) {
            throw new IllegalArgumentException("Constant multiplicative factor expected to be between 0 and 1.");
        }
        this.factor = factor;
        this.totalIters = totalIters;
        initialStep();
    }

    @Override
    protected double[] getLr() {
        double[] lrs = groupLrs();
        if (lastEpoch == 0) {
            for (int i = 0; i < lrs.length; i++) lrs[i] = lrs[i] * factor;
            return lrs;
        }
        if (lastEpoch > totalIters || lastEpoch != totalIters) return lrs;
        for (int i = 0; i < lrs.length; i++) lrs[i] = lrs[i] * (1.0 / factor);
        return lrs;
    }

    @Override
    protected double[] getClosedFormLr() {
        double[] r = new double[baseLrs.length];
        for (int i = 0; i < r.length; i++) r[i] = baseLrs[i] * (factor + (lastEpoch >= totalIters ? 1 : 0) * (1 - factor));
        return r;
    }

    @Override
    protected void saveState(Map<String, Object> sd) {
        sd.put("factor", factor);
        sd.put("total_iters", totalIters);
    }

    @Override
    protected void loadState(Map<String, ?> sd) {
        if (sd.containsKey("factor")) factor = Values.toDouble(sd.get("factor"), "factor");
        if (sd.containsKey("total_iters")) totalIters = Values.toInt(sd.get("total_iters"), "total_iters");
    }
}
