package dev.kindling.nn;

import dev.kindling.api.Tensor;
import dev.kindling.nn.functional.F;
import dev.kindling.nn.internal.Py;

/** {@code x} for positive x, {@code negativeSlope·x} otherwise (default slope 0.01). */
public class LeakyReLU extends Module {
    private final double negativeSlope;

    public LeakyReLU() { this(0.01); }

    public LeakyReLU(double negativeSlope) { this.negativeSlope = negativeSlope; }

    public double negativeSlope() { return negativeSlope; }

    @Override
    public Tensor forward(Tensor x) { return F.leakyRelu(x, negativeSlope); }

    @Override
    public String extraRepr() { return "negative_slope=" + Py.repr(negativeSlope); }
}
