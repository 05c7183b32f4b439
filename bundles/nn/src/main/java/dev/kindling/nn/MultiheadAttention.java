package dev.kindling.nn;

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
        Tensor[] r = F.multiHeadAttention(query, key, value, inProjWeight(), inProjBias(), outProj().weight(), outProj().bias(), keyPaddingMask,
                attnMask, numHeads, dropout, isTraining(), needWeights, averageAttnWeights, batchFirst);
        return new AttentionOutput(r[0], r[1]);
    }
}
