package dev.kindling.nn.functional;

import dev.kindling.api.DType;
import dev.kindling.api.Tensor;
import dev.kindling.api.Torch;

/** {@link F}'s multi-head attention (PyTorch's {@code F.multi_head_attention_forward}), one functional op. */
final class Attention {
    private Attention() {}

    /** Returns {output, weights}; weights is null unless {@code needWeights}. */
    static Tensor[] multiHeadAttention(Tensor query, Tensor key, Tensor value, Tensor inProjWeight, Tensor inProjBias, Tensor outProjWeight,
            Tensor outProjBias, Tensor keyPaddingMask, Tensor attnMask, int numHeads, double dropoutP, boolean training, boolean needWeights,
            boolean averageAttnWeights, boolean batchFirst) {
        boolean batched = query.dim() == 3;
        if (query.dim() != 2 && query.dim() != 3) throw new IllegalArgumentException("query should be unbatched 2D or batched 3D tensor but received "
                + query.dim() + "-D query tensor");
        if (key.dim() != query.dim() || value.dim() != query.dim()) {
            throw new IllegalArgumentException("For " + (batched ? "batched (3-D)" : "unbatched (2-D)") + " `query`, expected `key` and `value` to be "
                    + query.dim() + "-D but found " + key.dim() + "-D and " + value.dim() + "-D tensors respectively");
        }
        if (batchFirst && batched) {
            query = query.transpose(0, 1);
            key = key.transpose(0, 1);
            value = value.transpose(0, 1);
        }
        if (!batched) {
            query = query.unsqueeze(1);
            key = key.unsqueeze(1);
            value = value.unsqueeze(1);
            if (keyPaddingMask != null) keyPaddingMask = keyPaddingMask.unsqueeze(0);
        }
        long tgtLen = query.size(0), bsz = query.size(1), srcLen = key.size(0);
        if (query.size(2) != inProjWeight.size(1)) throw new IllegalArgumentException("was expecting embedding dimension of " + inProjWeight.size(1) + ", but got " + query.size(2));
        if (key.size(0) != value.size(0) || key.size(1) != value.size(1)) {
            throw new IllegalArgumentException("key shape " + java.util.Arrays.toString(key.shape()) + " does not match value shape "
                    + java.util.Arrays.toString(value.shape()));
        }
        Tensor w = inProjWeight;
        Tensor b = inProjBias;
        long embedDim = w.size(1);
        if (embedDim % numHeads != 0) throw new IllegalArgumentException("embed_dim must be divisible by num_heads");
        long headDim = embedDim / numHeads;
        Tensor q = Convolutions.linear(query, w.narrow(0, 0, embedDim), b == null ? null : b.narrow(0, 0, embedDim));
        Tensor k = Convolutions.linear(key, w.narrow(0, embedDim, embedDim), b == null ? null : b.narrow(0, embedDim, embedDim));
        Tensor v = Convolutions.linear(value, w.narrow(0, 2L * embedDim, embedDim), b == null ? null : b.narrow(0, 2L * embedDim, embedDim));
        // [L, N, E] -> [N*heads, L, headDim]
        q = q.reshape(tgtLen, bsz * numHeads, headDim).transpose(0, 1);
        k = k.reshape(srcLen, bsz * numHeads, headDim).transpose(0, 1);
        v = v.reshape(srcLen, bsz * numHeads, headDim).transpose(0, 1);

        Tensor mask = null;
        if (attnMask != null) {
            mask = additive(attnMask, q.dtype());
            if (mask.dim() == 2) {
                if (mask.size(0) != tgtLen || mask.size(1) != srcLen) {
                    throw new IllegalArgumentException("The shape of the 2D attn_mask is " + java.util.Arrays.toString(attnMask.shape()) + ", but should be ["
                            + tgtLen + ", " + srcLen + "].");
                }
                mask = mask.unsqueeze(0);
            } else if (mask.dim() != 3 || mask.size(0) != bsz * numHeads || mask.size(1) != tgtLen || mask.size(2) != srcLen) {
                throw new IllegalArgumentException("The shape of the 3D attn_mask is " + java.util.Arrays.toString(attnMask.shape()) + ", but should be ["
                        + bsz * numHeads + ", " + tgtLen + ", " + srcLen + "].");
            }
        }
        if (keyPaddingMask != null) {
            if (keyPaddingMask.dim() != 2 || keyPaddingMask.size(0) != bsz || keyPaddingMask.size(1) != srcLen) {
                throw new IllegalArgumentException("expecting key_padding_mask shape of [" + bsz + ", " + srcLen + "], but got "
                        + java.util.Arrays.toString(keyPaddingMask.shape()));
            }
            Tensor kpm = additive(keyPaddingMask, q.dtype()).view(bsz, 1, 1, srcLen).expand(bsz, numHeads, 1, srcLen).reshape(bsz * numHeads, 1, srcLen);
            mask = mask == null ? kpm : mask.add(kpm);
        }
        Tensor scores = q.div(Math.sqrt(headDim)).bmm(k.transpose(1, 2));
        if (mask != null) scores = scores.add(mask);
        Tensor weights = scores.softmax(-1);
        if (dropoutP > 0 && training) weights = Normalization.dropout(weights, dropoutP, true, null);
        Tensor out = weights.bmm(v).transpose(0, 1).reshape(tgtLen * bsz, embedDim);
        out = Convolutions.linear(out, outProjWeight, outProjBias).view(tgtLen, bsz, embedDim);
        Tensor outWeights = null;
        if (needWeights) {
            outWeights = weights.view(bsz, numHeads, tgtLen, srcLen);
            if (averageAttnWeights) outWeights = outWeights.sum(1).div((double) numHeads);
            if (!batched) outWeights = outWeights.squeeze(0);
        }
        if (!batched) out = out.squeeze(1);
        else if (batchFirst) out = out.transpose(0, 1);
        return new Tensor[] {out, outWeights};
    }

    /** A boolean mask (true = masked) as an additive -inf/0 mask; a float mask as it is. */
    private static Tensor additive(Tensor mask, DType dtype) {
        if (mask.dtype() == DType.BOOL) return Torch.zeros(mask.shape(), dtype, mask.device()).maskedFill(mask, Double.NEGATIVE_INFINITY);
        if (!mask.dtype().isFloatingPoint()) throw new IllegalArgumentException("only bool and floating types of masks are supported");
        return mask.to(dtype);
    }
}
