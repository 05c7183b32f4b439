package dev.kindling.nn.functional;

import dev.kindling.api.DType;
import dev.kindling.api.Tensor;
import dev.kindling.api.Torch;
import dev.kindling.nn.internal.Py;

import java.util.Arrays;

/** {@link F}'s losses, with PyTorch's argument checks and messages; {@code reduce} applies the reduction. */
final class Losses {
    private Losses() {}

    private static Tensor reduce(Tensor loss, String reduction) {
        switch (reduction) {
            case "mean": return loss.mean();
            case "sum": return loss.sum();
            case "none": return loss;
            default: throw badReduction(reduction);
        }
    }

    private static IllegalArgumentException badReduction(String reduction) {
        return new IllegalArgumentException(reduction + " is not a valid value for reduction");
    }

    /** Checks a reduction name ("mean", "sum", "none"); returns it. */
    static String checkReduction(String reduction) {
        if (!"mean".equals(reduction) && !"sum".equals(reduction) && !"none".equals(reduction)) throw badReduction(reduction);
        return reduction;
    }

    /** PyTorch's Reduction enum, as the fused loss ops take it. */
    private static int reductionCode(String reduction) {
        switch (checkReduction(reduction)) {
            case "none": return 0;
            case "mean": return 1;
            default: return 2;
        }
    }

    /** One fused op (MseLossBackward0); inputs of two shapes are broadcast first, as PyTorch does after its warning. */
    static Tensor mseLoss(Tensor input, Tensor target, String reduction) {
        int code = reductionCode(reduction);
        if (!Arrays.equals(input.shape(), target.shape())) {
            long[] shape = broadcastShape(input.shape(), target.shape());
            input = input.expand(shape);
            target = target.expand(shape);
        }
        return input.callOp("mse_loss", new Tensor[] {input, target}, code)[0];
    }

    private static long[] broadcastShape(long[] a, long[] b) {
        long[] out = new long[Math.max(a.length, b.length)];
        for (int i = 0; i < out.length; i++) {
            long x = i < out.length - a.length ? 1 : a[i - (out.length - a.length)];
            long y = i < out.length - b.length ? 1 : b[i - (out.length - b.length)];
            if (x != y && x != 1 && y != 1) {
                throw new IllegalArgumentException("The size of tensor a (" + x + ") must match the size of tensor b (" + y
                        + ") at non-singleton dimension " + i);
            }
            out[i] = x == 1 ? y : x;
        }
        return out;
    }

    static Tensor l1Loss(Tensor input, Tensor target, String reduction) { return reduce(input.sub(target).abs(), reduction); }

    static Tensor smoothL1Loss(Tensor input, Tensor target, String reduction, double beta) {
        if (beta < 0) throw new IllegalArgumentException("smooth_l1_loss does not support negative values for beta.");
        Tensor d = input.sub(target).abs();
        if (beta == 0) return reduce(d, reduction);
        return reduce(Torch.where(d.lt(beta), d.square().mul(0.5 / beta), d.sub(0.5 * beta)), reduction);
    }

    static Tensor huberLoss(Tensor input, Tensor target, String reduction, double delta) {
        if (delta <= 0) throw new IllegalArgumentException("huber_loss does not support non-positive values for delta.");
        Tensor d = input.sub(target).abs();
        return reduce(Torch.where(d.lt(delta), d.square().mul(0.5), d.sub(0.5 * delta).mul(delta)), reduction);
    }

    static Tensor nllLoss(Tensor input, Tensor target, Tensor weight, long ignoreIndex, String reduction) {
        checkReduction(reduction);
        int classDim = input.dim() == 1 ? 0 : 1;
        long classes = input.size(classDim);
        checkClassTarget(input, target, classDim, "nll_loss");
        if (weight != null && (weight.dim() != 1 || weight.size(0) != classes)) {
            throw new IllegalArgumentException("weight tensor should be defined either for all " + classes + " classes or no classes but got weight tensor of shape: "
                    + Arrays.toString(weight.shape()));
        }
        Tensor ignored = target.eq((double) ignoreIndex);
        Tensor safe = target.maskedFill(ignored, 0.0);
        Tensor outOfRange = safe.lt(0.0).logicalOr(safe.ge((double) classes));
        if (outOfRange.any().item() != 0) {
            throw new IllegalArgumentException("Target " + safe.maskedSelect(outOfRange).get(0).itemLong() + " is out of bounds.");
        }
        // One fused op (NllLossBackward0), as PyTorch's; the checks above keep PyTorch's argument errors.
        Tensor w = weight != null ? weight : Torch.ones(new long[] {classes}, input.dtype(), input.device());
        return input.callOp("nll_loss", new Tensor[] {input, target, w}, reductionCode(reduction), ignoreIndex)[0];
    }

    private static void checkClassTarget(Tensor input, Tensor target, int classDim, String op) {
        if (target.dtype() != DType.INT64) {
            throw new IllegalArgumentException(op + ": expected target of class indices with dtype torch.int64 (Long), but got " + target.dtype().torchName());
        }
        long[] expected = new long[input.dim() - 1];
        for (int d = 0, j = 0; d < input.dim(); d++) if (d != classDim) expected[j++] = input.size(d);
        if (input.dim() == 1 ? target.dim() != 0 : !Arrays.equals(expected, target.shape())) {
            throw new IllegalArgumentException(op + ": expected target of size " + Arrays.toString(expected) + " for input of size "
                    + Arrays.toString(input.shape()) + ", got " + Arrays.toString(target.shape()));
        }
    }

    static Tensor crossEntropy(Tensor input, Tensor target, Tensor weight, long ignoreIndex, String reduction, double labelSmoothing) {
        checkReduction(reduction);
        if (labelSmoothing < 0 || labelSmoothing > 1) {
            throw new IllegalArgumentException("label_smoothing must be between 0.0 and 1.0. Got: " + Py.repr(labelSmoothing));
        }
        int classDim = input.dim() == 1 ? 0 : 1;
        long classes = input.size(classDim);
        Tensor logp = input.logSoftmax(classDim);
        Tensor weightView = null;
        if (weight != null) {
            long[] shape = new long[input.dim()];
            Arrays.fill(shape, 1);
            shape[classDim] = classes;
            weightView = weight.view(shape);
        }
        if (Arrays.equals(input.shape(), target.shape())) {
            if (!target.dtype().isFloatingPoint()) throw new IllegalArgumentException("Expected floating point type for target with class probabilities, got "
                    + target.dtype().torchName());
            if (ignoreIndex >= 0) throw new IllegalArgumentException("ignore_index is not supported for floating point target");
            Tensor t = labelSmoothing > 0 ? target.mul(1 - labelSmoothing).add(labelSmoothing / classes) : target;
            Tensor prod = logp.mul(t);
            if (weightView != null) prod = prod.mul(weightView);
            switch (reduction) {
                case "none": return prod.sum(classDim).neg();
                case "sum": return prod.sum().neg();
                default: return prod.sum().neg().div((double) (input.numel() / classes));
            }
        }
        Tensor nll = nllLoss(logp, target, weight, ignoreIndex, reduction);
        if (labelSmoothing == 0) return nll;
        Tensor ignored = target.eq((double) ignoreIndex);
        Tensor smooth = (weightView == null ? logp : logp.mul(weightView)).sum(classDim).neg().maskedFill(ignored, 0.0);
        Tensor ret;
        switch (reduction) {
            case "none":
                ret = smooth;
                break;
            case "sum":
                ret = smooth.sum();
                break;
            default:
                if (weight != null) {
                    Tensor safe = target.maskedFill(ignored, 0.0);
                    ret = smooth.sum().div(weight.indexSelect(0, safe.reshape(-1)).view(target.shape()).maskedFill(ignored, 0.0).sum());
                } else {
                    ret = smooth.sum().div(ignored.logicalNot().sum().to(input.dtype()));
                }
        }
        return nll.mul(1 - labelSmoothing).add(ret.mul(labelSmoothing / classes));
    }

    static Tensor binaryCrossEntropy(Tensor input, Tensor target, Tensor weight, String reduction) {
        checkReduction(reduction);
        if (!Arrays.equals(input.shape(), target.shape())) {
            throw new IllegalArgumentException("Using a target size (" + Py.size(target.shape()) + ") that is different to the input size ("
                    + Py.size(input.shape()) + ") is deprecated. Please ensure they have the same size.");
        }
        if (input.lt(0.0).logicalOr(input.gt(1.0)).any().item() != 0) {
            throw new IllegalArgumentException("all elements of input should be between 0 and 1");
        }
        Tensor logX = input.log().clampMin(-100);
        Tensor log1mX = input.neg().log1p().clampMin(-100);
        Tensor loss = target.sub(1.0).mul(log1mX).sub(target.mul(logX));
        if (weight != null) loss = loss.mul(weight);
        return reduce(loss, reduction);
    }

    static Tensor binaryCrossEntropyWithLogits(Tensor input, Tensor target, Tensor weight, String reduction, Tensor posWeight) {
        checkReduction(reduction);
        if (!Arrays.equals(input.shape(), target.shape())) {
            throw new IllegalArgumentException("Target size (" + Py.size(target.shape()) + ") must be the same as input size (" + Py.size(input.shape()) + ")");
        }
        Tensor maxVal = input.neg().clampMin(0);
        // log(1 + exp(-x)) = log(exp(-m) + exp(-x - m)) + m
        Tensor softplusNeg = maxVal.neg().exp().add(input.neg().sub(maxVal).exp()).log().add(maxVal);
        Tensor oneMinusT = target.neg().add(1.0);
        Tensor loss;
        if (posWeight != null) {
            Tensor logWeight = posWeight.sub(1.0).mul(target).add(1.0);
            loss = oneMinusT.mul(input).add(logWeight.mul(softplusNeg));
        } else {
            loss = oneMinusT.mul(input).add(softplusNeg);
        }
        if (weight != null) loss = loss.mul(weight);
        return reduce(loss, reduction);
    }

    static Tensor klDiv(Tensor input, Tensor target, String reduction, boolean logTarget) {
        Tensor out;
        if (logTarget) {
            out = target.exp().mul(target.sub(input));
        } else {
            Tensor positive = target.gt(0.0);
            Tensor xlogx = Torch.where(positive, target.mul(Torch.where(positive, target, Torch.onesLike(target)).log()), Torch.zerosLike(target));
            out = xlogx.sub(target.mul(input));
        }
        if ("batchmean".equals(reduction)) return input.dim() == 0 ? out.sum() : out.sum().div((double) input.size(0));
        return reduce(out, reduction);
    }

    static Tensor pairwiseDistance(Tensor x1, Tensor x2, double p, double eps) {
        int dim = Math.max(x1.dim(), x2.dim()) - 1;
        return x1.sub(x2).add(eps).norm(p, dim, false);
    }

    static Tensor tripletMarginLoss(Tensor anchor, Tensor positive, Tensor negative, double margin, double p, double eps, boolean swap,
            String reduction) {
        checkReduction(reduction);
        if (anchor.dim() != positive.dim() || anchor.dim() != negative.dim()) {
            throw new IllegalArgumentException("The anchor, positive, and negative tensors are expected to have the same number of dimensions, but got: anchor "
                    + anchor.dim() + "D, positive " + positive.dim() + "D, and negative " + negative.dim() + "D inputs");
        }
        Tensor dPos = pairwiseDistance(anchor, positive, p, eps);
        Tensor dNeg = pairwiseDistance(anchor, negative, p, eps);
        if (swap) dNeg = dNeg.minimum(pairwiseDistance(positive, negative, p, eps));
        return reduce(dPos.sub(dNeg).add(margin).clampMin(0), reduction);
    }

    static Tensor cosineEmbeddingLoss(Tensor x1, Tensor x2, Tensor target, double margin, String reduction) {
        checkReduction(reduction);
        int dim = target.dim();
        if (dim > 1) throw new IllegalArgumentException("0D or 1D target tensor expected, multi-target not supported");
        if (x1.dim() != dim + 1 || x2.dim() != dim + 1) {
            throw new IllegalArgumentException(dim + "D target tensor expects " + (dim + 1) + "D input tensors, but found inputs with sizes "
                    + Arrays.toString(x1.shape()) + " and " + Arrays.toString(x2.shape()) + ".");
        }
        final double epsilon = 1e-12;
        Tensor prodSum = x1.mul(x2).sum(dim);
        Tensor mag1 = x1.mul(x1).sum(dim).add(epsilon);
        Tensor mag2 = x2.mul(x2).sum(dim).add(epsilon);
        Tensor cos = prodSum.div(mag1.mul(mag2).sqrt());
        Tensor zeros = Torch.zerosLike(cos);
        Tensor pos = cos.neg().add(1.0);
        Tensor neg = cos.sub(margin).clampMin(0);
        Tensor out = Torch.where(target.eq(1.0), pos, zeros).add(Torch.where(target.eq(-1.0), neg, zeros));
        return reduce(out, reduction);
    }
}
