package dev.kindling.amp.internal;

/** What autocast does to an op's floating-point inputs (PyTorch's {@code CastPolicy}). */
enum CastPolicy {
    /** To the region's dtype (bfloat16 or float16): matrix products, convolutions, linear. */
    LOWER_PRECISION,
    /** To float32: ops that need range or precision (losses, exp/log, layer norm on CUDA). */
    FP32,
    /** To float32 unless the call asks for a dtype (softmax, sum, cumsum on CUDA); Kindling's ops take none. */
    FP32_SET_OPT_DTYPE,
    /** Refused inside a region (binary_cross_entropy on CUDA), with PyTorch's advice. */
    BANNED,
    /** To the widest eligible input type, float32 beating the lower one (cat, stack on CPU; dot on CUDA). */
    PROMOTE
}
