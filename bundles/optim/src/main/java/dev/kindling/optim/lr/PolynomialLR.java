package dev.kindling.optim.lr;

import dev.kindling.optim.Optimizer;
import dev.kindling.optim.internal.Values;

import java.util.Map;

/** Decays each group's learning rate polynomially to 0 over {@code totalIters} epochs (PyTorch's PolynomialLR; 5, 1.0). */
public class PolynomialLR extends LRScheduler {
    private int totalIters;
    private double power;

    public PolynomialLR(Optimizer optimizer) {
        this(optimizer, 5, 1.0);
    }

    public PolynomialLR(Optimizer optimizer, int totalIters, double power) {
        super(optimizer);
        this.totalIters = totalIters;
        this.power = power;
        initialStep();
    }

    @Override
    protected double[] getLr() {
        double[] lrs = groupLrs();
        if (lastEpoch == 0 || lastEpoch > totalIters) return lrs;
        double decay = Math.pow((1.0 - (double) lastEpoch / totalIters)
                / (1.0 - (double) (lastEpoch - 1) / totalIters), power);
        for (int i = 0; i < lrs.length; i++) lrs[i] = lrs[i] * decay;
        return lrs;
    }

    @Override
    protected double[] getClosedFormLr() {
        double[] r = new double[baseLrs.length];
        for (int i = 0; i < r.length; i++) {
            r[i] = baseLrs[i] * Math.pow(1.0 - (double) Math.min(totalIters, lastEpoch) / totalIters, power);
        }
        return r;
    }

    @Override
    protected void saveState(Map<String, Object> sd) {
        sd.put("total_iters", totalIters);
        sd.put("power", power);
    }

    @Override
    protected void loadState(Map<String, ?> sd) {
        if (sd.containsKey("total_iters")) totalIters = Values.toInt(sd.get("total_iters"), "total_iters");
        if (sd.containsKey("power")) power = Values.toDouble(sd.get("power"), "power");
    }
}
