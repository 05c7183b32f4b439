package dev.kindling.nn;

import dev.kindling.api.Tensor;

/** Batch normalisation of {@code [N, C, H, W]} over batch and space for each of C channels. */
public class BatchNorm2d extends BatchNorm {
    public BatchNorm2d(int numFeatures) { this(numFeatures, 1e-5, 0.1, true, true); }

    /** {@code momentum} null: cumulative moving average. */
    public BatchNorm2d(int numFeatures, double eps, Double momentum, boolean affine, boolean trackRunningStats) {
        super(numFeatures, eps, momentum, affine, trackRunningStats);
    }

    @Override
    protected void checkInputDim(Tensor x) {
        if (x.dim() != 4) throw new IllegalArgumentException("expected 4D input (got " + x.dim() + "D input)");
    }
}
