package dev.kindling.nn;

import dev.kindling.api.DType;
import dev.kindling.api.Generator;
import dev.kindling.api.Tensor;
import dev.kindling.api.Torch;
import dev.kindling.nn.functional.F;

/**
 * Multi-head scaled dot-product attention as PyTorch's {@code nn.MultiheadAttention} (query, key and value of the same
 * embedding size): packed input projection {@code in_proj_weight [3E, E]}, {@code in_proj_bias [3E]}, output projection
 * {@code out_proj}; inputs {@code [L, N, E]} ({@code [N, L, E]} batch-first) or unbatched {@code [L, E]}.
 * Masks: {@code attnMask} {@code [L, S]} or {@code [N·heads, L, S]}, boolean (true = not allowed) or float (added);
 * {@code keyPaddingMask} {@code [N, S]} (true = ignore that key).
 */
public class MultiheadAttention extends Module {
    private final int embedDim;
    private final int numHeads;
    private final double dropout;
    private final boolean batchFirst;
    private final int headDim;

    /** The output projection's class, named as PyTorch's (it prints as such). */
    public static class NonDynamicallyQuantizableLinear extends Linear {
        public NonDynamicallyQuantizableLinear(int in, int out, boolean bias) { super(in, out, bias); }
    }

    public MultiheadAttention(int embedDim, int numHeads) { this(embedDim, numHeads, 0.0, true, false); }

    public MultiheadAttention(int embedDim, int numHeads, double dropout, boolean bias, boolean batchFirst) {
        if (numHeads <= 0 || embedDim % numHeads != 0) throw new IllegalArgumentException("embed_dim must be divisible by num_heads");
        this.embedDim = embedDim;
        this.numHeads = numHeads;
        this.dropout = dropout;
        this.batchFirst = batchFirst;
        this.headDim = embedDim / numHeads;
        registerParameter("in_proj_weight", Torch.empty(3L * embedDim, embedDim));
        registerParameter("in_proj_bias", bias ? Torch.empty(3L * embedDim) : null);
        registerModule("out_proj", new NonDynamicallyQuantizableLinear(embedDim, embedDim, bias));
        resetParameters(null);
    }

    /** As PyTorch: Xavier-uniform input projection, zero biases (the output projection's weight keeps Linear's init). */
    public void resetParameters(Generator generator) {
        init.xavierUniform_(inProjWeight(), 1.0, generator);
        if (inProjBias() != null) {
            init.constant_(inProjBias(), 0);
            init.constant_(outProj().bias(), 0);
        }
    }

    public Tensor inProjWeight() { return parameter("in_proj_weight"); }

    public Tensor inProjBias() { return parameter("in_proj_bias"); }

    public Linear outProj() { return (Linear) childMap().get("out_proj"); }

    public int embedDim() { return embedDim; }

    public int numHeads() { return numHeads; }

    /** The dropout probability of the attention weights (in training). */
    public double dropout() { return dropout; }

    public boolean batchFirst() { return batchFirst; }

    /** Self-attention ({@code query = key = value = x}); returns the output only, so it can sit in a Sequential. */
    @Override
    public Tensor forward(Tensor x) { return forward(x, x, x, null, false, null, true).output(); }

    @Override
    public Tensor forward(Tensor... inputs) {
        if (inputs.length == 1) return forward(inputs[0]);
        if (inputs.length == 3) return forward(inputs[0], inputs[1], inputs[2]).output();
        throw new IllegalArgumentException("MultiheadAttention.forward() takes query, key and value, got " + inputs.length + " tensors");
    }

    /** Attention output and head-averaged weights. */
    public AttentionOutput forward(Tensor query, Tensor key, Tensor value) { return forward(query, key, value, null, true, null, true); }

    /**
     * PyTorch's {@code forward(query, key, value, key_padding_mask, need_weights, attn_mask, average_attn_weights)};
     * masks may be null.
     */
    public AttentionOutput forward(Tensor query, Tensor key, Tensor value, Tensor keyPaddingMask, boolean needWeights, Tensor attnMask,
                                   boolean averageAttnWeights) {
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
        if (query.size(2) != embedDim) throw new IllegalArgumentException("was expecting embedding dimension of " + embedDim + ", but got " + query.size(2));
        if (key.size(0) != value.size(0) || key.size(1) != value.size(1)) {
            throw new IllegalArgumentException("key shape " + java.util.Arrays.toString(key.shape()) + " does not match value shape "
                    + java.util.Arrays.toString(value.shape()));
        }
        Tensor w = inProjWeight();
        Tensor b = inProjBias();
        Tensor q = F.linear(query, w.narrow(0, 0, embedDim), b == null ? null : b.narrow(0, 0, embedDim));
        Tensor k = F.linear(key, w.narrow(0, embedDim, embedDim), b == null ? null : b.narrow(0, embedDim, embedDim));
        Tensor v = F.linear(value, w.narrow(0, 2L * embedDim, embedDim), b == null ? null : b.narrow(0, 2L * embedDim, embedDim));
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
        if (dropout > 0 && isTraining()) weights = F.dropout(weights, dropout, true);
        Tensor out = weights.bmm(v).transpose(0, 1).reshape(tgtLen * bsz, embedDim);
        out = outProj().forward(out).view(tgtLen, bsz, embedDim);
        Tensor outWeights = null;
        if (needWeights) {
            outWeights = weights.view(bsz, numHeads, tgtLen, srcLen);
            if (averageAttnWeights) outWeights = outWeights.sum(1).div((double) numHeads);
            if (!batched) outWeights = outWeights.squeeze(0);
        }
        if (!batched) out = out.squeeze(1);
        else if (batchFirst) out = out.transpose(0, 1);
        return new AttentionOutput(out, outWeights);
    }

    /** A boolean mask (true = masked) as an additive -inf/0 mask; a float mask as it is. */
    private static Tensor additive(Tensor mask, DType dtype) {
        if (mask.dtype() == DType.BOOL) return Torch.zeros(mask.shape(), dtype, mask.device()).maskedFill(mask, Double.NEGATIVE_INFINITY);
        if (!mask.dtype().isFloatingPoint()) throw new IllegalArgumentException("only bool and floating types of masks are supported");
        return mask.to(dtype);
    }
}
