package dev.kindling.nn;

import dev.kindling.api.Generator;
import dev.kindling.api.Tensor;
import dev.kindling.api.Torch;
import dev.kindling.nn.functional.F;
import dev.kindling.nn.internal.Py;

/** {@code y = x·Wᵀ + b}: weight {@code [out, in]}, bias {@code [out]}; PyTorch's initialisation (Kaiming uniform, a=√5). */
public class Linear extends Module {
    private final int inFeatures;
    private final int outFeatures;

    public Linear(int inFeatures, int outFeatures) { this(inFeatures, outFeatures, true); }

    public Linear(int inFeatures, int outFeatures, boolean bias) {
        this.inFeatures = inFeatures;
        this.outFeatures = outFeatures;
        registerParameter("weight", Torch.empty(outFeatures, inFeatures));
        registerParameter("bias", bias ? Torch.empty(outFeatures) : null);
        resetParameters(null);
    }

    /** Re-initialises as PyTorch: weight Kaiming-uniform with a=√5, bias uniform in ±1/√in. */
    public void resetParameters(Generator generator) {
        init.kaimingUniform_(weight(), Math.sqrt(5), "fan_in", "leaky_relu", generator);
        if (bias() != null) {
            long fanIn = init.calculateFanInAndFanOut(weight())[0];
            double bound = fanIn > 0 ? 1 / Math.sqrt((double) fanIn) : 0;
            init.uniform_(bias(), -bound, bound, generator);
        }
    }

    public Tensor weight() { return parameter("weight"); }

    /** The bias, or null. */
    public Tensor bias() { return parameter("bias"); }

    public int inFeatures() { return inFeatures; }

    public int outFeatures() { return outFeatures; }

    @Override
    public Tensor forward(Tensor x) { return F.linear(x, weight(), bias()); }

    @Override
    public String extraRepr() {
        return "in_features=" + inFeatures + ", out_features=" + outFeatures + ", bias=" + Py.repr(bias() != null);
    }
}
