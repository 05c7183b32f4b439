package dev.kindling.optim.lr;

import dev.kindling.optim.Optimizer;
import dev.kindling.optim.internal.Py;
import dev.kindling.optim.internal.Values;

import java.util.Map;

/**
 * Scales each group's learning rate by a factor that goes linearly from {@code startFactor} to {@code endFactor}
 * over {@code totalIters} epochs (PyTorch's LinearLR; defaults 1/3, 1.0, 5), typically a warm-up.
 */
public class LinearLR extends LRScheduler {
    private double startFactor;
    private double endFactor;
    private int totalIters;

    /** startFactor 1/3, endFactor 1.0, totalIters 5. */
    public LinearLR(Optimizer optimizer) {
        this(optimizer, 1.0 / 3, 1.0, 5);
    }

    public LinearLR(Optimizer optimizer, double startFactor, double endFactor, int totalIters) {
        super(optimizer);
        if (startFactor > 1.0 || startFactor < 0) {
            throw new IllegalArgumentException("Starting multiplicative factor expected to be between 0 and 1.");
        }
        if (endFactor > 1.0 || endFactor < 0) {
            throw new IllegalArgumentException("Ending multiplicative factor expected to be between 0 and 1.");
        }
        this.startFactor = startFactor;
        this.endFactor = endFactor;
        this.totalIters = totalIters;
        initialStep();
    }

    @Override
    protected double[] getLr() {
        double[] lrs = groupLrs();
        if (lastEpoch == 0) {
            for (int i = 0; i < lrs.length; i++) lrs[i] = lrs[i] * startFactor;
            return lrs;
        }
        if (lastEpoch > totalIters) return lrs;
        for (int i = 0; i < lrs.length; i++) {
            lrs[i] = lrs[i] * (1. + (endFactor - startFactor)
                    / (totalIters * startFactor + (lastEpoch - 1) * (endFactor - startFactor)));
        }
        return lrs;
    }

    @Override
    protected double[] getClosedFormLr() {
        double[] r = new double[baseLrs.length];
        for (int i = 0; i < r.length; i++) {
            r[i] = baseLrs[i] * (startFactor + (endFactor - startFactor) * Math.min(totalIters, lastEpoch) / totalIters);
        }
        return r;
    }

    @Override
    protected void saveState(Map<String, Object> sd) {
        sd.put("start_factor", startFactor);
        sd.put("end_factor", endFactor);
        sd.put("total_iters", totalIters);
    }

    @Override
    protected void loadState(Map<String, ?> sd) {
        if (sd.containsKey("start_factor")) startFactor = Values.toDouble(sd.get("start_factor"), "start_factor");
        if (sd.containsKey("end_factor")) endFactor = Values.toDouble(sd.get("end_factor"), "end_factor");
        if (sd.containsKey("total_iters")) totalIters = Values.toInt(sd.get("total_iters"), "total_iters");
    }

    @Override
    public String toString() {
        return "LinearLR(start_factor=" + Py.repr(startFactor) + ", end_factor=" + Py.repr(endFactor) + ", total_iters="
                + totalIters + ", last_epoch=" + lastEpoch + ")";
    }
}
