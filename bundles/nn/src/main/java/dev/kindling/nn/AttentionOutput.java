package dev.kindling.nn;

import dev.kindling.api.Tensor;

/**
 * What {@link MultiheadAttention} returns: the attention output and the attention weights ({@code [N, L, S]} averaged
 * over heads, or {@code [N, heads, L, S]}; null when not requested).
 */
public record AttentionOutput(Tensor output, Tensor weights) {}
