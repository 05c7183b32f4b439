package dev.kindling.nn.functional;

import dev.kindling.api.Generator;
import dev.kindling.api.Tensor;

/**
 * {@code torch.nn.functional}: stateless layers and losses. Positional arguments follow PyTorch's order; every function
 * is written with differentiable tensor ops, so gradients come from autograd. Losses take {@code reduction} =
 * {@code "mean"}, {@code "sum"} or {@code "none"}.
 */
public final class F {
    private F() {}

    // =========================================================================================== activations

    public static Tensor relu(Tensor x) { return x.relu(); }

    /** {@code leaky_relu} with PyTorch's default slope 0.01. */
    public static Tensor leakyRelu(Tensor x) { return leakyRelu(x, 0.01); }

    public static Tensor leakyRelu(Tensor x, double negativeSlope) { return Functionals.call(Functionals.LEAKY_RELU, new Tensor[] {x}, negativeSlope); }

    /** Exact GELU: {@code x·Φ(x) = x·0.5·(1 + erf(x/√2))}. */
    public static Tensor gelu(Tensor x) { return gelu(x, "none"); }

    /** GELU; {@code approximate} is {@code "none"} (erf) or {@code "tanh"}. */
    public static Tensor gelu(Tensor x, String approximate) { return Functionals.call(Functionals.GELU, new Tensor[] {x}, approximate); }

    public static Tensor sigmoid(Tensor x) { return x.sigmoid(); }

    public static Tensor tanh(Tensor x) { return x.tanh(); }

    public static Tensor softmax(Tensor x, int dim) { return x.softmax(dim); }

    public static Tensor logSoftmax(Tensor x, int dim) { return x.logSoftmax(dim); }

    // =========================================================================================== linear and convolution

    /** {@code x·wᵀ}. */
    public static Tensor linear(Tensor x, Tensor weight) { return linear(x, weight, null); }

    /** {@code x·wᵀ + b}; x is {@code [..., in]}, w {@code [out, in]}, b {@code [out]} or null. */
    public static Tensor linear(Tensor x, Tensor weight, Tensor bias) {
        return Functionals.call(Functionals.LINEAR, new Tensor[] {x, weight, bias});
    }

    public static Tensor conv1d(Tensor x, Tensor weight) { return conv1d(x, weight, null, 1, 0, 1, 1); }

    public static Tensor conv1d(Tensor x, Tensor weight, Tensor bias) { return conv1d(x, weight, bias, 1, 0, 1, 1); }

    /** 1-d convolution of {@code [N, C, L]} (or unbatched {@code [C, L]}) with a {@code [out, C/groups, k]} weight. */
    public static Tensor conv1d(Tensor x, Tensor weight, Tensor bias, int stride, int padding, int dilation, int groups) {
        return Functionals.call(Functionals.CONV1D, new Tensor[] {x, weight, bias}, new int[] {stride}, new int[] {padding}, new int[] {dilation}, groups);
    }

    public static Tensor conv2d(Tensor x, Tensor weight) { return conv2d(x, weight, null, 1, 0, 1, 1); }

    public static Tensor conv2d(Tensor x, Tensor weight, Tensor bias) { return conv2d(x, weight, bias, 1, 0, 1, 1); }

    public static Tensor conv2d(Tensor x, Tensor weight, Tensor bias, int stride, int padding) {
        return conv2d(x, weight, bias, stride, padding, 1, 1);
    }

    public static Tensor conv2d(Tensor x, Tensor weight, Tensor bias, int stride, int padding, int dilation, int groups) {
        return conv2d(x, weight, bias, Args.pair(stride), Args.pair(padding), Args.pair(dilation), groups);
    }

    /**
     * 2-d convolution (cross-correlation, as PyTorch) of {@code [N, C, H, W]} (or unbatched {@code [C, H, W]}) with a
     * {@code [out, C/groups, kh, kw]} weight: im2col (the kernel's sliding windows) and one matmul, batched over samples and groups.
     */
    public static Tensor conv2d(Tensor x, Tensor weight, Tensor bias, int[] stride, int[] padding, int[] dilation, int groups) {
        return Functionals.call(Functionals.CONV2D, new Tensor[] {x, weight, bias}, stride, padding, dilation, groups);
    }

    /**
     * PyTorch's {@code F.unfold}: the sliding blocks of {@code [N, C, H, W]} (or unbatched {@code [C, H, W]}) as columns
     * {@code [N, C*kh*kw, L]}, zero padding included.
     */
    public static Tensor unfold(Tensor x, int[] kernelSize, int[] dilation, int[] padding, int[] stride) {
        return Convolutions.unfold(x, kernelSize, dilation, padding, stride);
    }

    public static Tensor unfold(Tensor x, int kernelSize, int dilation, int padding, int stride) {
        return unfold(x, Args.pair(kernelSize), Args.pair(dilation), Args.pair(padding), Args.pair(stride));
    }

    /**
     * PyTorch's {@code F.fold}, the adjoint of {@link #unfold}: columns {@code [N, C*kh*kw, L]} (or {@code [C*kh*kw, L]})
     * summed back into {@code [N, C, outH, outW]}; overlapping blocks add up.
     */
    public static Tensor fold(Tensor cols, int[] outputSize, int[] kernelSize, int[] dilation, int[] padding, int[] stride) {
        return Convolutions.fold(cols, outputSize, kernelSize, dilation, padding, stride);
    }

    // =========================================================================================== recurrent layers

    /**
     * One LSTM layer over a seq-first {@code [L, N, in]} input (PyTorch's layout and gate order): {@code weights} and
     * {@code reverseWeights} (null: one direction) are {@code {w_ih, w_hh, b_ih, b_hh}} (null biases allowed); null
     * initial states are zeros. Returns {@code {output [L, N, dirs*hidden], h_n, c_n [dirs, N, hidden]}}.
     */
    public static Tensor[] lstmLayer(Tensor input, Tensor h0, Tensor c0, Tensor[] weights, Tensor[] reverseWeights) {
        return Functionals.callAll(Functionals.LSTM_LAYER, layerInputs(input, new Tensor[] {h0, c0}, weights, reverseWeights));
    }

    /** One GRU layer, as {@link #lstmLayer}; returns {@code {output, h_n}}. */
    public static Tensor[] gruLayer(Tensor input, Tensor h0, Tensor[] weights, Tensor[] reverseWeights) {
        return Functionals.callAll(Functionals.GRU_LAYER, layerInputs(input, new Tensor[] {h0}, weights, reverseWeights));
    }

    /** One Elman RNN layer ({@code nonlinearity} "tanh" or "relu"), as {@link #lstmLayer}; returns {@code {output, h_n}}. */
    public static Tensor[] rnnLayer(Tensor input, Tensor h0, Tensor[] weights, Tensor[] reverseWeights, String nonlinearity) {
        return Functionals.callAll(Functionals.RNN_LAYER, layerInputs(input, new Tensor[] {h0}, weights, reverseWeights), nonlinearity);
    }

    /** One LSTM time step from the input projection {@code gi = x·W_ihᵀ + b_ih}: returns {@code {h', c'}}. */
    public static Tensor[] lstmStep(Tensor gi, Tensor h, Tensor c, Tensor wHh, Tensor bHh) { return Recurrent.lstmStep(gi, h, c, wHh, bHh); }

    /** One GRU time step from the input projection {@code gi}: returns {@code h'}. */
    public static Tensor gruStep(Tensor gi, Tensor h, Tensor wHh, Tensor bHh) { return Recurrent.gruStep(gi, h, wHh, bHh); }

    /** One Elman RNN time step from the input projection {@code gi}: returns {@code h'}. */
    public static Tensor rnnStep(Tensor gi, Tensor h, Tensor wHh, Tensor bHh, String nonlinearity) { return Recurrent.rnnStep(gi, h, wHh, bHh, nonlinearity); }

    private static Tensor[] layerInputs(Tensor input, Tensor[] states, Tensor[] weights, Tensor[] reverse) {
        if (weights.length != 4 || (reverse != null && reverse.length != 4)) {
            throw new IllegalArgumentException("a recurrent layer's weights are {w_ih, w_hh, b_ih, b_hh} (biases may be null)");
        }
        Tensor[] in = new Tensor[1 + states.length + 8];
        in[0] = input;
        System.arraycopy(states, 0, in, 1, states.length);
        System.arraycopy(weights, 0, in, 1 + states.length, 4);
        if (reverse != null) System.arraycopy(reverse, 0, in, 5 + states.length, 4);
        return in;
    }

    // =========================================================================================== attention

    /**
     * PyTorch's {@code F.multi_head_attention_forward}: {@code [L, N, E]} query/key/value ({@code [N, L, E]} when
     * {@code batchFirst}, {@code [L, E]} unbatched), the packed {@code [3E, E]} in-projection and its bias, the output
     * projection, optional key-padding and attention masks (boolean: true is masked; float: added). Returns
     * {@code {output, weights}}, weights null unless {@code needWeights} (averaged over heads when asked).
     */
    public static Tensor[] multiHeadAttention(Tensor query, Tensor key, Tensor value, Tensor inProjWeight, Tensor inProjBias, Tensor outProjWeight,
            Tensor outProjBias, Tensor keyPaddingMask, Tensor attnMask, int numHeads, double dropoutP, boolean training, boolean needWeights,
            boolean averageAttnWeights, boolean batchFirst) {
        return Functionals.callAll(Functionals.MULTI_HEAD_ATTENTION, new Tensor[] {query, key, value, inProjWeight, inProjBias, outProjWeight,
            outProjBias, keyPaddingMask, attnMask}, numHeads, dropoutP, training, needWeights, averageAttnWeights, batchFirst);
    }

    // =========================================================================================== pooling

    public static Tensor maxPool2d(Tensor x, int kernelSize) { return maxPool2d(x, kernelSize, kernelSize, 0); }

    public static Tensor maxPool2d(Tensor x, int kernelSize, int stride, int padding) {
        return maxPool2d(x, Args.pair(kernelSize), Args.pair(stride), Args.pair(padding), Args.pair(1), false);
    }

    /** Max pooling of {@code [N, C, H, W]} or {@code [C, H, W]}; padding counts as -inf; {@code ceilMode} as PyTorch's. */
    public static Tensor maxPool2d(Tensor x, int[] kernelSize, int[] stride, int[] padding, int[] dilation, boolean ceilMode) {
        return Functionals.call(Functionals.MAX_POOL2D, new Tensor[] {x}, kernelSize, stride, padding, dilation, ceilMode);
    }

    public static Tensor avgPool2d(Tensor x, int kernelSize) { return avgPool2d(x, kernelSize, kernelSize, 0); }

    public static Tensor avgPool2d(Tensor x, int kernelSize, int stride, int padding) {
        return avgPool2d(x, Args.pair(kernelSize), Args.pair(stride), Args.pair(padding), false, true, null);
    }

    /**
     * Average pooling as PyTorch's {@code avg_pool2d}: zero padding counts towards the divisor when
     * {@code countIncludePad} (windows reaching past the padding in {@code ceilMode} are clipped), a non-null
     * {@code divisorOverride} replaces the divisor.
     */
    public static Tensor avgPool2d(Tensor x, int[] kernelSize, int[] stride, int[] padding, boolean ceilMode, boolean countIncludePad,
                                   Integer divisorOverride) {
        return Functionals.call(Functionals.AVG_POOL2D, new Tensor[] {x}, kernelSize, stride, padding, ceilMode, countIncludePad, divisorOverride);
    }

    public static Tensor adaptiveAvgPool2d(Tensor x, int outputSize) { return adaptiveAvgPool2d(x, Args.pair(outputSize)); }

    /**
     * Adaptive average pooling: output cell {@code (i, j)} averages rows {@code [floor(i·H/oh), ceil((i+1)·H/oh))} and
     * the same for columns, computed as {@code Sh · x · Swᵀ} with 0/1 window matrices, divided by the window sizes.
     */
    public static Tensor adaptiveAvgPool2d(Tensor x, int[] outputSize) { return Functionals.call(Functionals.ADAPTIVE_AVG_POOL2D, new Tensor[] {x}, (Object) outputSize); }

    // =========================================================================================== dropout and normalisation

    /** Zeroes each element with probability {@code p} and scales the rest by {@code 1/(1-p)} when {@code training}. */
    public static Tensor dropout(Tensor x, double p, boolean training) { return dropout(x, p, training, null); }

    /** {@link #dropout(Tensor, double, boolean)} drawing from {@code generator} (null: the default generator). */
    public static Tensor dropout(Tensor x, double p, boolean training, Generator generator) {
        // A dropout with its own generator runs as its ops: the generator is no attribute an op can carry.
        if (generator != null && training) return Normalization.dropout(x, p, true, generator);
        return Functionals.call(Functionals.DROPOUT, new Tensor[] {x}, p, training);
    }

    /**
     * Batch normalisation over all dimensions but 1 (channels), as PyTorch's {@code batch_norm}: in training, batch
     * statistics (biased variance), and the running statistics (when given) updated in place with {@code momentum}
     * and the unbiased variance; otherwise the running statistics.
     */
    public static Tensor batchNorm(Tensor x, Tensor runningMean, Tensor runningVar, Tensor weight, Tensor bias, boolean training,
                                   double momentum, double eps) {
        return Functionals.call(Functionals.BATCH_NORM, new Tensor[] {x, weight, bias, runningMean, runningVar}, training, momentum, eps);
    }

    /** Batch normalisation with running statistics (PyTorch's default {@code training=False}), no affine part. */
    public static Tensor batchNorm(Tensor x, Tensor runningMean, Tensor runningVar) {
        return batchNorm(x, runningMean, runningVar, null, null, false, 0.1, 1e-5);
    }

    public static Tensor layerNorm(Tensor x, long[] normalizedShape) { return layerNorm(x, normalizedShape, null, null, 1e-5); }

    /** Normalises over the last {@code normalizedShape.length} dimensions (biased variance), then scales and shifts. */
    public static Tensor layerNorm(Tensor x, long[] normalizedShape, Tensor weight, Tensor bias, double eps) {
        return Functionals.call(Functionals.LAYER_NORM, new Tensor[] {x, weight, bias}, normalizedShape, eps);
    }

    // =========================================================================================== embedding and padding

    /** Rows of {@code weight} for INT64/INT32 indices of any shape: {@code [*, dim]}. */
    public static Tensor embedding(Tensor input, Tensor weight) { return Functionals.call(Functionals.EMBEDDING, new Tensor[] {weight, input}, (Object) null); }

    /** As {@link #embedding(Tensor, Tensor)}; the row {@code paddingIdx} (negative: from the end) receives no gradient. */
    public static Tensor embedding(Tensor input, Tensor weight, long paddingIdx) {
        return Functionals.call(Functionals.EMBEDDING, new Tensor[] {weight, input}, paddingIdx);
    }

    /** Constant zero padding; {@code pad} lists (before, after) pairs starting from the last dimension, as PyTorch's F.pad. */
    public static Tensor pad(Tensor x, long[] pad) { return pad(x, pad, "constant", 0.0); }

    public static Tensor pad(Tensor x, long[] pad, double value) { return pad(x, pad, "constant", value); }

    /** F.pad with {@code mode} "constant", "reflect", "replicate" or "circular". */
    public static Tensor pad(Tensor x, long[] pad, String mode, double value) { return Embeddings.pad(x, pad, mode, value); }

    // =========================================================================================== losses

    /** Checks a reduction name ("mean", "sum", "none"); returns it. */
    public static String checkReduction(String reduction) { return Losses.checkReduction(reduction); }

    public static Tensor mseLoss(Tensor input, Tensor target) { return mseLoss(input, target, "mean"); }

    /** Squared error {@code (input - target)²}, reduced. */
    public static Tensor mseLoss(Tensor input, Tensor target, String reduction) { return Losses.mseLoss(input, target, reduction); }

    public static Tensor l1Loss(Tensor input, Tensor target) { return l1Loss(input, target, "mean"); }

    /** Absolute error {@code |input - target|}, reduced. */
    public static Tensor l1Loss(Tensor input, Tensor target, String reduction) { return Functionals.call(Functionals.L1_LOSS, new Tensor[] {input, target}, reduction); }

    public static Tensor smoothL1Loss(Tensor input, Tensor target) { return smoothL1Loss(input, target, "mean", 1.0); }

    /** {@code 0.5·d²/beta} where {@code |d| < beta}, else {@code |d| - 0.5·beta}; {@code beta = 0} is the L1 loss. */
    public static Tensor smoothL1Loss(Tensor input, Tensor target, String reduction, double beta) {
        return Functionals.call(Functionals.SMOOTH_L1_LOSS, new Tensor[] {input, target}, reduction, beta);
    }

    public static Tensor huberLoss(Tensor input, Tensor target) { return huberLoss(input, target, "mean", 1.0); }

    /** {@code 0.5·d²} where {@code |d| < delta}, else {@code delta·(|d| - 0.5·delta)}. */
    public static Tensor huberLoss(Tensor input, Tensor target, String reduction, double delta) {
        return Functionals.call(Functionals.HUBER_LOSS, new Tensor[] {input, target}, reduction, delta);
    }

    public static Tensor nllLoss(Tensor input, Tensor target) { return nllLoss(input, target, null, -100, "mean"); }

    /**
     * Negative log likelihood of {@code input} log-probabilities ({@code [N, C]}, {@code [N, C, d1, ...]} or {@code [C]})
     * at the INT64 class indices {@code target} ({@code [N]}, {@code [N, d1, ...]} or 0-dim). Targets equal to
     * {@code ignoreIndex} contribute nothing; {@code weight} ({@code [C]}) weighs each class; "mean" divides by the total
     * weight of the counted targets.
     */
    public static Tensor nllLoss(Tensor input, Tensor target, Tensor weight, long ignoreIndex, String reduction) {
        return Losses.nllLoss(input, target, weight, ignoreIndex, reduction);
    }

    public static Tensor crossEntropy(Tensor input, Tensor target) { return crossEntropy(input, target, null, -100, "mean", 0.0); }

    /**
     * Cross entropy of unnormalised scores {@code input} ({@code [N, C]}, {@code [N, C, d1, ...]} or {@code [C]}) with
     * either INT64 class indices or class probabilities of input's shape, as PyTorch's {@code cross_entropy}:
     * {@code log_softmax} then NLL, with class {@code weight}, {@code ignoreIndex} (indices only) and
     * {@code labelSmoothing} mixing in the uniform distribution.
     */
    public static Tensor crossEntropy(Tensor input, Tensor target, Tensor weight, long ignoreIndex, String reduction, double labelSmoothing) {
        return Functionals.call(Functionals.CROSS_ENTROPY_LOSS, new Tensor[] {input, target, weight}, reduction, ignoreIndex, labelSmoothing);
    }

    public static Tensor binaryCrossEntropy(Tensor input, Tensor target) { return binaryCrossEntropy(input, target, null, "mean"); }

    /** {@code -w·(y·log x + (1-y)·log(1-x))} for probabilities {@code x}, with the logarithms clamped at -100 as PyTorch. */
    public static Tensor binaryCrossEntropy(Tensor input, Tensor target, Tensor weight, String reduction) {
        return Functionals.call(Functionals.BINARY_CROSS_ENTROPY, new Tensor[] {input, target, weight}, reduction);
    }

    public static Tensor binaryCrossEntropyWithLogits(Tensor input, Tensor target) {
        return binaryCrossEntropyWithLogits(input, target, null, "mean", null);
    }

    /**
     * Sigmoid + binary cross entropy in one numerically stable expression (PyTorch's form with
     * {@code max(-x, 0)}), with {@code posWeight} weighting the positive term per class.
     */
    public static Tensor binaryCrossEntropyWithLogits(Tensor input, Tensor target, Tensor weight, String reduction, Tensor posWeight) {
        return Functionals.call(Functionals.BINARY_CROSS_ENTROPY_WITH_LOGITS, new Tensor[] {input, target, weight, posWeight}, reduction);
    }

    public static Tensor klDiv(Tensor input, Tensor target) { return klDiv(input, target, "mean", false); }

    /**
     * Kullback-Leibler divergence of log-probabilities {@code input} from {@code target} (probabilities, or
     * log-probabilities with {@code logTarget}); reduction may also be "batchmean" (sum divided by the batch size).
     */
    public static Tensor klDiv(Tensor input, Tensor target, String reduction, boolean logTarget) {
        return Functionals.call(Functionals.KL_DIV, new Tensor[] {input, target}, reduction, logTarget);
    }

    /** {@code ‖x1 - x2 + eps‖_p} over the last dimension. */
    public static Tensor pairwiseDistance(Tensor x1, Tensor x2, double p, double eps) { return Losses.pairwiseDistance(x1, x2, p, eps); }

    public static Tensor tripletMarginLoss(Tensor anchor, Tensor positive, Tensor negative) {
        return tripletMarginLoss(anchor, positive, negative, 1.0, 2.0, 1e-6, false, "mean");
    }

    /** {@code max(d(a,p) - d(a,n) + margin, 0)} with the pairwise p-norm distance; {@code swap} uses min(d(a,n), d(p,n)). */
    public static Tensor tripletMarginLoss(Tensor anchor, Tensor positive, Tensor negative, double margin, double p, double eps, boolean swap,
                                           String reduction) {
        return Functionals.call(Functionals.TRIPLET_MARGIN_LOSS, new Tensor[] {anchor, positive, negative}, margin, p, eps, swap, reduction);
    }

    public static Tensor cosineEmbeddingLoss(Tensor x1, Tensor x2, Tensor target) { return cosineEmbeddingLoss(x1, x2, target, 0.0, "mean"); }

    /** {@code 1 - cos(x1, x2)} where {@code target = 1}, {@code max(0, cos(x1, x2) - margin)} where {@code target = -1}. */
    public static Tensor cosineEmbeddingLoss(Tensor x1, Tensor x2, Tensor target, double margin, String reduction) {
        return Functionals.call(Functionals.COSINE_EMBEDDING_LOSS, new Tensor[] {x1, x2, target}, margin, reduction);
    }
}
