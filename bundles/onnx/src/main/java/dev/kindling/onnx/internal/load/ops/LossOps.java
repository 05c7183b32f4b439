package dev.kindling.onnx.internal.load.ops;

import dev.kindling.api.Tensor;
import dev.kindling.api.Torch;
import dev.kindling.onnx.internal.load.OpContext;
import dev.kindling.onnx.internal.load.OpTable;

import static dev.kindling.onnx.internal.load.ops.Util.one;

/** NegativeLogLikelihoodLoss and SoftmaxCrossEntropyLoss (training graphs end in them). */
public final class LossOps {
    private LossOps() {}

    public static void register(OpTable t) {
        t.put("NegativeLogLikelihoodLoss", c -> one(nll(c, c.in(0), c.in(1), c.opt(2))));
        t.put("SoftmaxCrossEntropyLoss", c -> {
            Tensor logp = c.in(0).logSoftmax(1);
            return new Tensor[] {nll(c, logp, c.in(1), c.opt(2)), logp};
        });
    }

    /**
     * {@code -input[n, target[n, ...], ...] * weight[target]}, zero where target is ignore_index; "mean" divides by the
     * summed weights of the counted elements.
     */
    private static Tensor nll(OpContext c, Tensor input, Tensor target, Tensor weight) {
        if (input.dim() < 2) throw c.error("input must be [N, C, ...], got rank " + input.dim());
        String reduction = c.s("reduction", "mean");
        Tensor t = target.toLong();
        Tensor valid = c.has("ignore_index") ? t.ne((double) c.i("ignore_index", 0)) : null;
        Tensor safe = valid == null ? t : t.where(valid, 0.0).toLong();
        long classes = input.size(1);
        if (safe.numel() > 0 && (safe.min().itemLong() < 0 || safe.max().itemLong() >= classes)) {
            throw c.error("a target is outside [0, " + classes + ")");
        }
        Tensor picked = input.gather(1, safe.unsqueeze(1)).squeeze(1);
        Tensor w = weight == null ? Torch.onesLike(picked) : weight.indexSelect(0, safe.reshape(-1)).reshape(safe.shape());
        if (valid != null) w = w.mul(valid.to(w.dtype()));
        Tensor loss = picked.mul(w).neg();
        switch (reduction) {
            case "none": return loss;
            case "sum": return loss.sum();
            case "mean": return loss.sum().div(w.sum());
            default: throw c.error("reduction '" + reduction + "' is not one of none, sum, mean");
        }
    }
}
