package dev.kindling.kernel.spi;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Optionally implemented by a {@link TensorBackend}: optimizer steps in one pass over a parameter and its state, where
 * the unfused step makes one pass per op (SGD with momentum: a mul_ and two add_s, each reading and writing 800 KB for
 * an MLP's 256 x 784 weight). Each must round exactly as the ops it replaces, so a checkpoint resumes bit for bit
 * whichever path ran.
 */
@ConsumerType
public interface FusedOptimizerKernels {
    /**
     * SGD's momentum step, in place: {@code buffer = buffer * momentum}, then {@code buffer = fma(grad, 1 - dampening,
     * buffer)}, then {@code param = fma(buffer, -lr, param)}, in the tensors' dtype, each scalar rounded to it first
     * (the mul_ and the two add-with-alphas). Shapes and dtypes are equal. Returns false, having written nothing, for
     * views or dtypes this backend has no fused path for; the caller then runs the three ops.
     */
    boolean sgd(View param, View buffer, View grad, double lr, double momentum, double dampening);

    /**
     * Adam's step without amsgrad, in place: {@code expAvg = fma(grad, 1 - beta1, expAvg * beta1)}, {@code expAvgSq =
     * fma(grad * grad, 1 - beta2, expAvgSq * beta2)}, {@code denom = sqrt(expAvgSq) / biasCorrection2Sqrt + eps},
     * {@code param = fma(expAvg / denom, -stepSize, param)}, each operation rounded to the tensors' dtype and each scalar
     * rounded to it first (the mul_, add_, addcmul_, sqrt, div, add_ and addcdiv_ it replaces). Returns false, having
     * written nothing, where this backend has no fused path.
     */
    boolean adam(View param, View expAvg, View expAvgSq, View grad, double beta1, double beta2, double stepSize, double biasCorrection2Sqrt,
                 double eps);
}
