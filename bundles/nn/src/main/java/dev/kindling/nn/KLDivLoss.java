package dev.kindling.nn;

import dev.kindling.api.Tensor;
import dev.kindling.nn.functional.F;

/**
 * Kullback-Leibler divergence of log-probabilities from a target distribution (probabilities, or log-probabilities with
 * {@code logTarget}); reduction may also be "batchmean", the mathematically correct mean per sample.
 */
public class KLDivLoss extends Loss {
    private final boolean logTarget;

    public KLDivLoss() { this("mean", false); }

    public KLDivLoss(String reduction) { this(reduction, false); }

    public KLDivLoss(String reduction, boolean logTarget) {
        super("batchmean".equals(reduction) ? reduction : F.checkReduction(reduction));
        this.logTarget = logTarget;
    }

    public boolean logTarget() { return logTarget; }

    @Override
    public Tensor forward(Tensor input, Tensor target) { return F.klDiv(input, target, reduction, logTarget); }
}
