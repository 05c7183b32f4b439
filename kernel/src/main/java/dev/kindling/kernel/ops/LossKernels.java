package dev.kindling.kernel.ops;

import dev.kindling.api.Tensor;

/**
 * Forwards of the fused losses (nll_loss, mse_loss) and of dropout's masked scale: one node each in the autograd
 * graph, with PyTorch's node names, instead of the several ops they are computed with. The forwards are written
 * with tensor ops; they run below autograd, so only the op itself is recorded. Argument checks with PyTorch's
 * wording are the caller's (nn's functional layer), which knows the public argument names.
 */
final class LossKernels {
    private LossKernels() {}

    static final int NONE = 0;
    static final int MEAN = 1;
    static final int SUM = 2;

    /** Class dim of nll_loss's input: 0 for one sample {@code [C]}, else 1. */
    static int classDim(Tensor input) { return input.dim() == 1 ? 0 : 1; }

    /** The per-target weights, zero where the target is ignore_index. */
    static Tensor targetWeights(Tensor target, Tensor weight, long ignoreIndex) {
        Tensor ignored = target.eq((double) ignoreIndex);
        Tensor safe = target.maskedFill(ignored, 0.0);
        return weight.indexSelect(0, safe.reshape(-1)).view(target.shape()).maskedFill(ignored, 0.0);
    }

    /** The targets with ignore_index replaced by class 0 (their weight is zero). */
    static Tensor safeTargets(Tensor target, long ignoreIndex) { return target.maskedFill(target.eq((double) ignoreIndex), 0.0); }

    static Tensor nllLoss(Tensor input, Tensor target, Tensor weight, int reduction, long ignoreIndex) {
        int classDim = classDim(input);
        Tensor picked = input.gather(classDim, safeTargets(target, ignoreIndex).unsqueeze(classDim)).squeeze(classDim);
        Tensor w = targetWeights(target, weight, ignoreIndex);
        Tensor loss = picked.mul(w).neg();
        switch (reduction) {
            case NONE: return loss;
            case SUM: return loss.sum();
            case MEAN: return loss.sum().div(w.sum());
            default: throw new IllegalArgumentException(reduction + " is not a valid value for reduction (0 none, 1 mean, 2 sum)");
        }
    }

    static Tensor mseLoss(Tensor input, Tensor target, int reduction) {
        if (!java.util.Arrays.equals(input.shape(), target.shape())) {
            throw new IllegalArgumentException("mse_loss needs input and target of one shape (broadcast them first), got "
                    + java.util.Arrays.toString(input.shape()) + " and " + java.util.Arrays.toString(target.shape()));
        }
        Tensor squared = input.sub(target).square();
        switch (reduction) {
            case NONE: return squared;
            case SUM: return squared.sum();
            case MEAN: return squared.mean();
            default: throw new IllegalArgumentException(reduction + " is not a valid value for reduction (0 none, 1 mean, 2 sum)");
        }
    }
}
