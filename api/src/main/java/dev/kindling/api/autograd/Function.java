package dev.kindling.api.autograd;

import dev.kindling.api.Tensor;
import dev.kindling.api.spi.TensorRuntimes;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * A custom differentiable function ({@code torch.autograd.Function}): implement {@link #forward} and
 * {@link #backward}, then call {@code new MyFn().apply(x, y)}. Its node is named {@code <ClassName>Backward}.
 */
@ConsumerType
public abstract class Function {

    /** Computes the output; runs with gradient recording off. */
    public abstract Tensor forward(FunctionContext ctx, Tensor... inputs);

    /** Returns one gradient per input of forward (null where none). */
    public abstract Tensor[] backward(FunctionContext ctx, Tensor... gradOutputs);

    /** Runs forward and, where an input requires grad, records this function in the graph. */
    public final Tensor apply(Tensor... inputs) {
        return TensorRuntimes.get().applyFunction(this, inputs);
    }

    /** The node name shown by {@code gradFn().name()}. */
    public String nodeName() { return getClass().getSimpleName() + "Backward"; }
}
