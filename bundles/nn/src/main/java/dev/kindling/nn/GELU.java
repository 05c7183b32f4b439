package dev.kindling.nn;

import dev.kindling.api.Tensor;
import dev.kindling.nn.functional.F;
import dev.kindling.nn.internal.Py;

/** Gaussian error linear unit, exact ({@code approximate = "none"}) or with the tanh approximation ({@code "tanh"}). */
public class GELU extends Module {
    private final String approximate;

    public GELU() { this("none"); }

    public GELU(String approximate) {
        if (!approximate.equals("none") && !approximate.equals("tanh")) throw new IllegalArgumentException("approximate argument must be either none or tanh.");
        this.approximate = approximate;
    }

    public String approximate() { return approximate; }

    @Override
    public Tensor forward(Tensor x) { return F.gelu(x, approximate); }

    @Override
    public String extraRepr() { return "approximate=" + Py.repr(approximate); }
}
