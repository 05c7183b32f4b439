package dev.kindling.nn;

import dev.kindling.api.Tensor;
import dev.kindling.nn.functional.F;

/** Negative log likelihood of log-probabilities at class indices; class {@code weight} (a buffer) and {@code ignoreIndex}. */
public class NLLLoss extends Loss {
    private final long ignoreIndex;

    public NLLLoss() { this(null, -100, "mean"); }

    public NLLLoss(String reduction) { this(null, -100, reduction); }

    public NLLLoss(Tensor weight, long ignoreIndex, String reduction) {
        super(F.checkReduction(reduction));
        this.ignoreIndex = ignoreIndex;
        registerBuffer("weight", weight);
    }

    public Tensor weight() { return buffer("weight"); }

    public long ignoreIndex() { return ignoreIndex; }

    @Override
    public Tensor forward(Tensor input, Tensor target) { return F.nllLoss(input, target, weight(), ignoreIndex, reduction); }
}
