package dev.kindling.train;

import dev.kindling.api.Tensor;
import dev.kindling.api.Torch;

/** {@code torch.nn.utils.clip_grad_norm_} and {@code clip_grad_value_}. */
public final class GradClip {
    private GradClip() {}

    /** Scales all gradients so that their joint 2-norm is at most {@code maxNorm}; returns the norm before clipping. */
    public static double clipGradNorm(Iterable<Tensor> parameters, double maxNorm) {
        if (!(maxNorm > 0)) throw new IllegalArgumentException("maxNorm must be positive, got " + maxNorm);
        try (var g = Torch.noGrad()) {
            double sq = 0;
            for (Tensor p : parameters) {
                if (p.grad() == null) continue;
                double n = p.grad().norm().item();
                sq += n * n;
            }
            double total = Math.sqrt(sq);
            double coef = maxNorm / (total + 1e-6);
            if (coef < 1) {
                for (Tensor p : parameters) if (p.grad() != null) p.grad().mul_(coef);
            }
            return total;
        }
    }

    public static void clipGradValue(Iterable<Tensor> parameters, double clipValue) {
        try (var g = Torch.noGrad()) {
            for (Tensor p : parameters) if (p.grad() != null) p.grad().clamp_(-clipValue, clipValue);
        }
    }
}
