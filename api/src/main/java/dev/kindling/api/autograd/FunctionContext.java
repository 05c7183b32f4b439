package dev.kindling.api.autograd;

import dev.kindling.api.Tensor;

import java.util.List;

import org.osgi.annotation.versioning.ProviderType;

/** What a custom {@link Function}'s forward leaves for its backward ({@code ctx} in PyTorch). */
@ProviderType
public interface FunctionContext {
    /** Keeps tensors for backward; in-place changes to them before backward are detected. */
    void saveForBackward(Tensor... tensors);

    List<Tensor> savedTensors();

    /** Whether input {@code i} of forward needs a gradient. */
    boolean needsInputGrad(int i);

    /** Stores a non-tensor value for backward ({@code ctx.k = v}). */
    void put(String key, Object value);

    <T> T get(String key);

    /** Declares outputs that are not differentiable. */
    void markNonDifferentiable(Tensor... outputs);
}
