package dev.kindling.kernel.ops;

import dev.kindling.api.Tensor;
import dev.kindling.api.autograd.Function;
import dev.kindling.api.autograd.GradFn;
import dev.kindling.api.autograd.RemovableHandle;
import dev.kindling.api.spi.AutogradService;

/**
 * The autograd SPI. The kernel routes every {@link OpDef.Kind#DIFFERENTIABLE} op through {@link #dispatch} when an
 * engine is installed; the engine keeps its per-tensor state in {@link DenseTensor#autogradMeta()}. Without an engine
 * tensors compute normally and the gradient methods fail with a clear error.
 */
public interface GradientEngine extends AutogradService {
    /** Runs {@code op.forward} and, where needed, records a node with the op's derivative. */
    Tensor[] dispatch(OpDef op, Tensor[] inputs, Attrs attrs);

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

    Tensor apply(Function function, Tensor[] inputs);
}
