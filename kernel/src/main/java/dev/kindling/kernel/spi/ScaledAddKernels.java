package dev.kindling.kernel.spi;

import dev.kindling.api.DType;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Optionally implemented by a {@link TensorBackend}: PyTorch's {@code add(a, b, alpha=α)} (and {@code sub}, which is
 * add with −α) in one pass, {@code out = a + α·b} as one fused multiply-add per element, as PyTorch's vectorised CPU
 * kernel computes it. Backends without it get {@code b·α} first, in a temporary tensor, then the add: two passes, a
 * tensor allocated, and a second rounding. SGD's {@code p.add_(d_p, alpha=-lr)} runs it once per parameter per step.
 */
@ConsumerType
public interface ScaledAddKernels {
    /**
     * {@code out = a + alpha·b} in {@code computeType}, α rounded to it first. Shapes are equal (inputs may broadcast
     * with 0-strides); {@code out} may be {@code a} itself (in place). Returns false, having written nothing, for views
     * or dtypes this backend has no fused path for; the caller then scales {@code b} first.
     */
    boolean addScaled(View a, View b, double alpha, View out, DType computeType);
}
