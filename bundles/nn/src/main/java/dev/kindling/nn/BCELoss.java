package dev.kindling.nn;

import dev.kindling.api.Tensor;
import dev.kindling.nn.functional.F;

/** Binary cross entropy of probabilities; an optional elementwise {@code weight} (a buffer), broadcast to the input. */
public class BCELoss extends Loss {
    public BCELoss() { this(null, "mean"); }

    public BCELoss(String reduction) { this(null, reduction); }

    public BCELoss(Tensor weight, String reduction) {
        super(F.checkReduction(reduction));
        registerBuffer("weight", weight);
    }

    public Tensor weight() { return buffer("weight"); }

    @Override
    public Tensor forward(Tensor input, Tensor target) { return F.binaryCrossEntropy(input, target, weight(), reduction); }
}
