package dev.kindling.optim.lr;

import dev.kindling.optim.Optimizer;
import dev.kindling.optim.internal.Values;

import java.util.Map;

/**
 * Cosine annealing from each group's initial lr to {@code etaMin} over {@code tMax} epochs, and back up over the next
 * {@code tMax} (PyTorch's CosineAnnealingLR, with its recursive form, so outside changes to lr carry on).
 */
public class CosineAnnealingLR extends LRScheduler {
    private int tMax;
    private double etaMin;

    /** {@code etaMin} = 0. */
    public CosineAnnealingLR(Optimizer optimizer, int tMax) {
        this(optimizer, tMax, 0.0);
    }

    public CosineAnnealingLR(Optimizer optimizer, int tMax, double etaMin) {
        super(optimizer);
        if (tMax <= 0) throw new IllegalArgumentException("T_max must be a positive integer, but got " + tMax);
        this.tMax = tMax;
        this.etaMin = etaMin;
        initialStep();
    }

    @Override
    protected double[] getLr() {
        double[] lrs = groupLrs();
        if (lastEpoch == 0) return lrs;
        double[] r = new double[lrs.length];
        if (stepCount == 1 && lastEpoch > 0) {
            for (int i = 0; i < r.length; i++) {
                r[i] = etaMin + (baseLrs[i] - etaMin) * (1 + Math.cos(lastEpoch * Math.PI / tMax)) / 2;
            }
        } else if ((lastEpoch - 1 - tMax) % (2 * tMax) == 0) {
            for (int i = 0; i < r.length; i++) {
                r[i] = lrs[i] + (baseLrs[i] - etaMin) * (1 - Math.cos(Math.PI / tMax)) / 2;
            }
        } else {
            for (int i = 0; i < r.length; i++) {
                r[i] = (1 + Math.cos(Math.PI * lastEpoch / tMax))
                        / (1 + Math.cos(Math.PI * (lastEpoch - 1) / tMax)) * (lrs[i] - etaMin) + etaMin;
            }
        }
        return r;
    }

    @Override
    protected double[] getClosedFormLr() {
        double[] r = new double[baseLrs.length];
        for (int i = 0; i < r.length; i++) {
            r[i] = etaMin + (baseLrs[i] - etaMin) * (1 + Math.cos(Math.PI * lastEpoch / tMax)) / 2;
        }
        return r;
    }

    @Override
    protected void saveState(Map<String, Object> sd) {
        sd.put("T_max", tMax);
        sd.put("eta_min", etaMin);
    }

    @Override
    protected void loadState(Map<String, ?> sd) {
        if (sd.containsKey("T_max")) tMax = Values.toInt(sd.get("T_max"), "T_max");
        if (sd.containsKey("eta_min")) etaMin = Values.toDouble(sd.get("eta_min"), "eta_min");
    }
}
