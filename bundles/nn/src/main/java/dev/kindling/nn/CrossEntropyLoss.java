package dev.kindling.nn;

import dev.kindling.api.Tensor;
import dev.kindling.nn.functional.F;

/**
 * Cross entropy of unnormalised scores against class indices or class probabilities, with class {@code weight} (a
 * buffer), {@code ignoreIndex} and {@code labelSmoothing}:
 * {@code CrossEntropyLoss.builder().weight(w).ignoreIndex(0).labelSmoothing(0.1).reduction("sum").build()}.
 */
public class CrossEntropyLoss extends Loss {
    private final long ignoreIndex;
    private final double labelSmoothing;

    public CrossEntropyLoss() { this(null, -100, "mean", 0.0); }

    public CrossEntropyLoss(String reduction) { this(null, -100, reduction, 0.0); }

    /** PyTorch's positional order: weight, ignore_index, reduction, label_smoothing. */
    public CrossEntropyLoss(Tensor weight, long ignoreIndex, String reduction, double labelSmoothing) {
        super(F.checkReduction(reduction));
        if (labelSmoothing < 0 || labelSmoothing > 1) throw new IllegalArgumentException("label_smoothing must be between 0.0 and 1.0. Got: " + labelSmoothing);
        this.ignoreIndex = ignoreIndex;
        this.labelSmoothing = labelSmoothing;
        registerBuffer("weight", weight);
    }

    public Tensor weight() { return buffer("weight"); }

    public long ignoreIndex() { return ignoreIndex; }

    public double labelSmoothing() { return labelSmoothing; }

    @Override
    public Tensor forward(Tensor input, Tensor target) { return F.crossEntropy(input, target, weight(), ignoreIndex, reduction, labelSmoothing); }

    public static Builder builder() { return new Builder(); }

    /** The keyword options, with PyTorch's defaults (no weight, ignore_index -100, "mean", no smoothing). */
    public static final class Builder {
        private Tensor weight;
        private long ignoreIndex = -100;
        private String reduction = "mean";
        private double labelSmoothing;

        private Builder() {}

        public Builder weight(Tensor w) { weight = w; return this; }

        public Builder ignoreIndex(long i) { ignoreIndex = i; return this; }

        public Builder reduction(String r) { reduction = r; return this; }

        public Builder labelSmoothing(double s) { labelSmoothing = s; return this; }

        public CrossEntropyLoss build() { return new CrossEntropyLoss(weight, ignoreIndex, reduction, labelSmoothing); }
    }
}
