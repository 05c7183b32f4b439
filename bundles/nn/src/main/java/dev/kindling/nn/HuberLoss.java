package dev.kindling.nn;

import dev.kindling.api.Tensor;
import dev.kindling.nn.functional.F;

/** {@code 0.5·d²} for {@code |d| < delta}, else {@code delta·(|d| - 0.5·delta)} (default delta 1). */
public class HuberLoss extends Loss {
    private final double delta;

    public HuberLoss() { this("mean", 1.0); }

    public HuberLoss(String reduction) { this(reduction, 1.0); }

    public HuberLoss(String reduction, double delta) {
        super(F.checkReduction(reduction));
        this.delta = delta;
    }

    public double delta() { return delta; }

    @Override
    public Tensor forward(Tensor input, Tensor target) { return F.huberLoss(input, target, reduction, delta); }
}
