package dev.kindling.nn;

import dev.kindling.api.Tensor;
import dev.kindling.nn.functional.F;

/** {@code max(d(a, p) - d(a, n) + margin, 0)} with the p-norm pairwise distance; called with anchor, positive, negative. */
public class TripletMarginLoss extends Loss {
    private final double margin;
    private final double p;
    private final double eps;
    private final boolean swap;

    public TripletMarginLoss() { this(1.0, 2.0, 1e-6, false, "mean"); }

    public TripletMarginLoss(double margin) { this(margin, 2.0, 1e-6, false, "mean"); }

    public TripletMarginLoss(double margin, double p, double eps, boolean swap, String reduction) {
        super(F.checkReduction(reduction));
        if (margin <= 0) throw new IllegalArgumentException("TripletMarginLoss: expected margin to be greater than 0, got " + margin + " instead");
        this.margin = margin;
        this.p = p;
        this.eps = eps;
        this.swap = swap;
    }

    public double margin() { return margin; }

    @Override
    public Tensor forward(Tensor anchor, Tensor positive, Tensor negative) {
        return F.tripletMarginLoss(anchor, positive, negative, margin, p, eps, swap, reduction);
    }
}
