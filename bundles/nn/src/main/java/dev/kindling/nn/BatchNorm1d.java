package dev.kindling.nn;

import dev.kindling.api.Tensor;

/** Batch normalisation of {@code [N, C]} or {@code [N, C, L]} over the batch (and length) for each of C features. */
public class BatchNorm1d extends BatchNorm {
    public BatchNorm1d(int numFeatures) { this(numFeatures, 1e-5, 0.1, true, true); }

    /** {@code momentum} null: cumulative moving average. */
    public BatchNorm1d(int numFeatures, double eps, Double momentum, boolean affine, boolean trackRunningStats) {
        super(numFeatures, eps, momentum, affine, trackRunningStats);
    }

    @Override
    protected void checkInputDim(Tensor x) {
        if (x.dim() != 2 && x.dim() != 3) throw new IllegalArgumentException("expected 2D or 3D input (got " + x.dim() + "D input)");
    }
}
