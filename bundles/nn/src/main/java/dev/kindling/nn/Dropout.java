package dev.kindling.nn;

import dev.kindling.api.Generator;
import dev.kindling.api.Tensor;
import dev.kindling.nn.functional.F;
import dev.kindling.nn.internal.Py;

/**
 * In training, zeroes each element with probability {@code p} and scales the others by {@code 1/(1-p)}; in evaluation
 * the identity. Draws from the default generator, or the one given.
 */
public class Dropout extends Module {
    private final double p;
    private final Generator generator;

    public Dropout() { this(0.5); }

    public Dropout(double p) { this(p, null); }

    public Dropout(double p, Generator generator) {
        if (p < 0 || p > 1) throw new IllegalArgumentException("dropout probability has to be between 0 and 1, but got " + Py.repr(p));
        this.p = p;
        this.generator = generator;
    }

    public double p() { return p; }

    @Override
    public Tensor forward(Tensor x) { return F.dropout(x, p, isTraining(), generator); }

    @Override
    public String extraRepr() { return "p=" + Py.repr(p) + ", inplace=False"; }
}
