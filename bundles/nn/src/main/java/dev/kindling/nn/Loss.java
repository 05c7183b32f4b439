package dev.kindling.nn;

import dev.kindling.api.Tensor;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * The base of the losses (PyTorch's {@code _Loss}): a Module called with {@code forward(input, target)} (or three
 * tensors), holding its {@code reduction} ("mean", "sum" or "none").
 */
// Users subclass it for custom losses.
@ConsumerType
public abstract class Loss extends Module {
    protected final String reduction;

    protected Loss(String reduction) { this.reduction = reduction; }

    /**
     * A custom loss, as PyTorch users write one ({@code class MyLoss(nn.Module): def forward(self, input, target)}):
     * <pre>{@code
     * class SmoothedNll extends Loss {
     *     @Override
     *     public Tensor forward(Tensor logits, Tensor target) { ... }
     * }
     * }</pre>
     * Its {@link #reduction()} is {@code "mean"}.
     */
    protected Loss() { this("mean"); }

    public String reduction() { return reduction; }

    /** The loss of {@code input} against {@code target}. */
    public Tensor forward(Tensor input, Tensor target) {
        throw new UnsupportedOperationException(typeName() + ".forward() takes three tensors");
    }

    /** The loss of three tensors (TripletMarginLoss: anchor, positive, negative; CosineEmbeddingLoss: x1, x2, y). */
    public Tensor forward(Tensor a, Tensor b, Tensor c) {
        throw new UnsupportedOperationException(typeName() + ".forward() takes an input and a target");
    }

    @Override
    public Tensor forward(Tensor x) {
        throw new UnsupportedOperationException(typeName() + " needs more than one tensor: call forward(input, target)");
    }

    @Override
    public Tensor forward(Tensor... inputs) {
        switch (inputs.length) {
            case 2: return forward(inputs[0], inputs[1]);
            case 3: return forward(inputs[0], inputs[1], inputs[2]);
            default: throw new IllegalArgumentException(typeName() + ".forward() takes 2 or 3 tensors but " + inputs.length + " were given");
        }
    }
}
