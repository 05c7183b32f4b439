package dev.kindling.nn.functional;

import dev.kindling.api.Tensor;
import dev.kindling.api.Torch;

/** {@link F}'s activations that are more than one tensor method. */
final class Activations {
    private Activations() {}

    static Tensor leakyRelu(Tensor x, double negativeSlope) { return Torch.where(x.gt(0.0), x, x.mul(negativeSlope)); }

    static Tensor gelu(Tensor x, String approximate) {
        switch (approximate) {
            case "none":
                return x.mul(0.5).mul(x.mul(Math.sqrt(0.5)).erf().add(1.0));
            case "tanh": {
                Tensor inner = x.add(x.mul(x).mul(x).mul(0.044715)).mul(Math.sqrt(2.0 / Math.PI));
                return x.mul(0.5).mul(inner.tanh().add(1.0));
            }
            default:
                throw new IllegalArgumentException("approximate argument must be either none or tanh.");
        }
    }
}
