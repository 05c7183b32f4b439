package dev.kindling.nn;

import dev.kindling.api.Tensor;
import dev.kindling.nn.functional.F;

/** {@code 0.5·d²/beta} for {@code |d| < beta}, else {@code |d| - 0.5·beta} (default beta 1). */
public class SmoothL1Loss extends Loss {
    private final double beta;

    public SmoothL1Loss() { this("mean", 1.0); }

    public SmoothL1Loss(String reduction) { this(reduction, 1.0); }

    public SmoothL1Loss(String reduction, double beta) {
        super(F.checkReduction(reduction));
        this.beta = beta;
    }

    public double beta() { return beta; }

    @Override
    public Tensor forward(Tensor input, Tensor target) { return F.smoothL1Loss(input, target, reduction, beta); }
}
