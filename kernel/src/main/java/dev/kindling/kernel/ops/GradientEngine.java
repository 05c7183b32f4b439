package dev.kindling.kernel.ops;

import dev.kindling.api.Tensor;
import dev.kindling.api.autograd.Function;
import dev.kindling.api.autograd.GradFn;
import dev.kindling.api.autograd.RemovableHandle;
import dev.kindling.api.spi.AutogradService;

/**
 * The autograd SPI. The kernel routes every {@link OpDef.Kind#DIFFERENTIABLE} op through {@link #dispatch}, as a layer
 * of its dispatch chain, when an engine is installed; the engine keeps its per-tensor state in {@link DenseTensor#autogradMeta()}. Without an engine
 * tensors compute normally and the gradient methods fail with a clear error.
 */
// Implemented by the autograd bundle: a new method is a major change of this package.
@org.osgi.annotation.versioning.ConsumerType
public interface GradientEngine extends AutogradService, DispatchLayer {
    @Override
    default int rank() { return AUTOGRAD; }

    @Override
    default String name() { return "autograd"; }

    /** Differentiable ops only: composites are recorded op by op, non-differentiable ones never. */
    @Override
    default boolean intercepts(OpDef op) { return op.kind() == OpDef.Kind.DIFFERENTIABLE; }

    /** The engine runs the forward with grad mode off, which keeps nested calls from being recorded. */
    @Override
    default boolean excludedBelow() { return false; }

    /**
     * Runs the op {@code below} autograd (the rest of the dispatch chain, then the forward) and, where needed,
     * records a node with the op's derivative. The kernel puts the engine itself into its dispatch chain as the layer
     * of rank {@link DispatchLayer#AUTOGRAD}, for differentiable ops (one call less per op than a wrapper).
     */
    @Override
    Tensor[] dispatch(OpDef op, Tensor[] inputs, Attrs attrs, DispatchLayer.Below below);

    boolean requiresGrad(DenseTensor t);

    void setRequiresGrad(DenseTensor t, boolean requiresGrad);

    Tensor grad(DenseTensor t);

    void setGrad(DenseTensor t, Tensor grad);

    GradFn gradFn(DenseTensor t);

    boolean isLeaf(DenseTensor t);

    void retainGrad(DenseTensor t);

    boolean retainsGrad(DenseTensor t);

    void backward(DenseTensor t, Tensor gradient, boolean retainGraph, boolean createGraph);

    RemovableHandle registerHook(DenseTensor t, java.util.function.Function<Tensor, Tensor> hook);

    /** See {@link Tensor#registerPostAccumulateGradHook}; engines without it refuse. */
    default RemovableHandle registerPostAccumulateGradHook(DenseTensor t, java.util.function.Consumer<Tensor> hook) {
        throw new UnsupportedOperationException("this autograd engine (" + getClass().getName() + ") has no post-accumulate-grad hooks");
    }

    Tensor apply(Function function, Tensor[] inputs);
}
