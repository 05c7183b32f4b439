package dev.kindling.api.autograd;

import dev.kindling.api.Tensor;
import dev.kindling.api.spi.TensorRuntimes;

import java.util.List;

/** {@code torch.autograd}: gradients of outputs with respect to inputs, and the finite-difference check. */
public final class Autograd {
    private Autograd() {}

    /** Gradients of scalar outputs with respect to inputs; the graph is freed afterwards. */
    public static List<Tensor> grad(List<Tensor> outputs, List<Tensor> inputs) {
        return grad(outputs, inputs, null, false, false, false);
    }

    /**
     * @param gradOutputs one gradient per output, or null for ones (scalar outputs only)
     * @param allowUnused if true an input that does not reach the outputs gets null; otherwise that is an error
     */
    public static List<Tensor> grad(List<Tensor> outputs, List<Tensor> inputs, List<Tensor> gradOutputs,
                                    boolean retainGraph, boolean createGraph, boolean allowUnused) {
        return TensorRuntimes.get().autograd().grad(outputs, inputs, gradOutputs, retainGraph, createGraph, allowUnused);
    }

    /** As {@code torch.autograd.gradcheck} with its defaults (eps 1e-6, atol 1e-5, rtol 1e-3), in FLOAT64. */
    public static boolean gradcheck(java.util.function.Function<Tensor[], Tensor> fn, Tensor... inputs) {
        return gradcheck(fn, 1e-6, 1e-5, 1e-3, inputs);
    }

    public static boolean gradcheck(java.util.function.Function<Tensor[], Tensor> fn, double eps, double atol,
                                    double rtol, Tensor... inputs) {
        return TensorRuntimes.get().autograd().gradcheck(fn, inputs, eps, atol, rtol);
    }
}
