package dev.kindling.nn;

import dev.kindling.api.Tensor;
import dev.kindling.nn.functional.F;

/** {@code 1 - cos(x1, x2)} for {@code y = 1}, {@code max(0, cos(x1, x2) - margin)} for {@code y = -1}; called with x1, x2, y. */
public class CosineEmbeddingLoss extends Loss {
    private final double margin;

    public CosineEmbeddingLoss() { this(0.0, "mean"); }

    public CosineEmbeddingLoss(double margin, String reduction) {
        super(F.checkReduction(reduction));
        this.margin = margin;
    }

    public double margin() { return margin; }

    @Override
    public Tensor forward(Tensor x1, Tensor x2, Tensor y) { return F.cosineEmbeddingLoss(x1, x2, y, margin, reduction); }
}
