package dev.kindling.nn;

import dev.kindling.api.Tensor;
import dev.kindling.nn.functional.F;

/**
 * Sigmoid and binary cross entropy in one numerically stable loss, with an elementwise {@code weight} and a per-class
 * {@code posWeight} (both buffers): {@code BCEWithLogitsLoss.builder().posWeight(p).build()}.
 */
public class BCEWithLogitsLoss extends Loss {
    public BCEWithLogitsLoss() { this(null, "mean", null); }

    public BCEWithLogitsLoss(String reduction) { this(null, reduction, null); }

    /**
     * {@code nn.BCEWithLogitsLoss(pos_weight=posWeight)}: the keyword PyTorch code passes for imbalanced classes. (PyTorch's
     * first positional argument is {@code weight}; use {@link #builder()} or the three-argument form for that.)
     */
    public BCEWithLogitsLoss(Tensor posWeight) { this(null, "mean", posWeight); }

    /** PyTorch's positional order: weight, reduction, pos_weight. */
    public BCEWithLogitsLoss(Tensor weight, String reduction, Tensor posWeight) {
        super(F.checkReduction(reduction));
        registerBuffer("weight", weight);
        registerBuffer("pos_weight", posWeight);
    }

    public Tensor weight() { return buffer("weight"); }

    public Tensor posWeight() { return buffer("pos_weight"); }

    @Override
    public Tensor forward(Tensor input, Tensor target) {
        return F.binaryCrossEntropyWithLogits(input, target, weight(), reduction, posWeight());
    }

    public static Builder builder() { return new Builder(); }

    /** The keyword options, with PyTorch's defaults. */
    public static final class Builder {
        private Tensor weight;
        private Tensor posWeight;
        private String reduction = "mean";

        private Builder() {}

        public Builder weight(Tensor w) { weight = w; return this; }

        public Builder posWeight(Tensor p) { posWeight = p; return this; }

        public Builder reduction(String r) { reduction = r; return this; }

        public BCEWithLogitsLoss build() { return new BCEWithLogitsLoss(weight, reduction, posWeight); }
    }
}
