package dev.kindling.nn;

import dev.kindling.api.Generator;
import dev.kindling.api.GradMode;
import dev.kindling.api.Tensor;
import dev.kindling.api.Torch;
import dev.kindling.nn.functional.F;

/**
 * A lookup table {@code [numEmbeddings, embeddingDim]} (initialised N(0, 1)) indexed by INT64 tensors; the optional
 * {@code paddingIdx} row starts at zero and receives no gradient.
 */
@SuppressWarnings("try") // try-with-resources for grad mode: the resource is not referenced in the body
public class Embedding extends Module {
    private final int numEmbeddings;
    private final int embeddingDim;
    private final Long paddingIdx;

    public Embedding(int numEmbeddings, int embeddingDim) { this(numEmbeddings, embeddingDim, null); }

    /** {@code paddingIdx} may be negative (counted from the end) or null. */
    public Embedding(int numEmbeddings, int embeddingDim, Integer paddingIdx) {
        this.numEmbeddings = numEmbeddings;
        this.embeddingDim = embeddingDim;
        if (paddingIdx != null) {
            if (paddingIdx >= numEmbeddings || paddingIdx < -numEmbeddings) throw new IllegalArgumentException("Padding_idx must be within num_embeddings");
            this.paddingIdx = (long) (paddingIdx < 0 ? paddingIdx + numEmbeddings : paddingIdx);
        } else {
            this.paddingIdx = null;
        }
        registerParameter("weight", Torch.empty(numEmbeddings, embeddingDim));
        resetParameters(null);
    }

    /** Re-initialises as PyTorch: N(0, 1), padding row zero. */
    public void resetParameters(Generator generator) {
        init.normal_(weight(), 0, 1, generator);
        if (paddingIdx != null) {
            try (GradMode ignored = Torch.noGrad()) {
                weight().get(paddingIdx).fill_(0);
            }
        }
    }

    public Tensor weight() { return parameter("weight"); }

    public int numEmbeddings() { return numEmbeddings; }

    public int embeddingDim() { return embeddingDim; }

    /** The padding index (non-negative), or null. */
    public Long paddingIdx() { return paddingIdx; }

    @Override
    public Tensor forward(Tensor input) { return paddingIdx == null ? F.embedding(input, weight()) : F.embedding(input, weight(), paddingIdx); }

    @Override
    public String extraRepr() { return numEmbeddings + ", " + embeddingDim + (paddingIdx != null ? ", padding_idx=" + paddingIdx : ""); }
}
