package dev.kindling.kernel.spi;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Optionally implemented by a {@link TensorBackend}: GradScaler's fused pass (PyTorch's
 * {@code _amp_foreach_non_finite_check_and_unscale_} kernel) for one gradient. Backends without it get the same result
 * from their elementwise primitives, in more passes.
 */
@ConsumerType
public interface GradScalingKernels {
    /**
     * Multiplies every element of {@code grad} by {@code invScale} in place, in the gradient's compute type (float32 for
     * float32 and 16-bit gradients, float64 for float64 ones), and sets {@code foundInf} to 1 when an element was inf or
     * NaN before; leaves {@code foundInf} as it is otherwise. {@code foundInf} and {@code invScale} are one-element
     * float32 views on the gradient's device; nothing is read back to the host.
     */
    void nonFiniteCheckAndUnscale(View grad, View foundInf, View invScale);
}
