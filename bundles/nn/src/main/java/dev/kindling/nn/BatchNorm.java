package dev.kindling.nn;

import dev.kindling.api.GradMode;
import dev.kindling.api.Tensor;
import dev.kindling.api.Torch;
import dev.kindling.nn.functional.F;
import dev.kindling.nn.internal.Py;

import org.osgi.annotation.versioning.ProviderType;

/**
 * What BatchNorm1d and BatchNorm2d share (PyTorch's {@code _BatchNorm}): affine weight and bias, running statistics
 * ({@code running_mean}, {@code running_var}, {@code num_batches_tracked}) updated in training with {@code momentum}
 * (null: a cumulative average), batch statistics in training, running statistics in evaluation.
 */
// The shared base of this bundle's BatchNorm1d/2d (PyTorch's _BatchNorm); new layers extend Module.
@ProviderType
@SuppressWarnings("try") // try-with-resources for grad mode: the resource is not referenced in the body
public abstract class BatchNorm extends Module {
    private final int numFeatures;
    private final double eps;
    private final Double momentum;
    private final boolean affine;
    private final boolean trackRunningStats;

    protected BatchNorm(int numFeatures, double eps, Double momentum, boolean affine, boolean trackRunningStats) {
        this.numFeatures = numFeatures;
        this.eps = eps;
        this.momentum = momentum;
        this.affine = affine;
        this.trackRunningStats = trackRunningStats;
        registerParameter("weight", affine ? Torch.ones(numFeatures) : null);
        registerParameter("bias", affine ? Torch.zeros(numFeatures) : null);
        registerBuffer("running_mean", trackRunningStats ? Torch.zeros(numFeatures) : null);
        registerBuffer("running_var", trackRunningStats ? Torch.ones(numFeatures) : null);
        registerBuffer("num_batches_tracked", trackRunningStats ? Torch.tensor(0L) : null);
    }

    /** Checks the input's number of dimensions. */
    protected abstract void checkInputDim(Tensor x);

    /** Running statistics back to mean 0, variance 1, no batches; weight 1, bias 0. */
    public void resetParameters() {
        try (GradMode ignored = Torch.noGrad()) {
            if (trackRunningStats) {
                runningMean().zero_();
                runningVar().fill_(1);
                numBatchesTracked().zero_();
            }
            if (affine) {
                weight().fill_(1);
                bias().zero_();
            }
        }
    }

    public Tensor weight() { return parameter("weight"); }

    public Tensor bias() { return parameter("bias"); }

    public Tensor runningMean() { return buffer("running_mean"); }

    public Tensor runningVar() { return buffer("running_var"); }

    /** INT64, 0-dim. */
    public Tensor numBatchesTracked() { return buffer("num_batches_tracked"); }

    public int numFeatures() { return numFeatures; }

    public double eps() { return eps; }

    public boolean affine() { return affine; }

    public boolean trackRunningStats() { return trackRunningStats; }

    /** The momentum, or null for a cumulative moving average. */
    public Double momentum() { return momentum; }

    @Override
    public Tensor forward(Tensor x) {
        checkInputDim(x);
        double factor = momentum == null ? 0.0 : momentum;
        if (isTraining() && trackRunningStats) {
            Tensor n = numBatchesTracked();
            try (GradMode ignored = Torch.noGrad()) {
                n.add_(1L);
            }
            if (momentum == null) factor = 1.0 / n.item();
        }
        boolean useBatchStats = isTraining() || runningMean() == null;
        boolean passRunning = !isTraining() || trackRunningStats;
        return F.batchNorm(x, passRunning ? runningMean() : null, passRunning ? runningVar() : null, weight(), bias(), useBatchStats, factor, eps);
    }

    @Override
    public String extraRepr() {
        return numFeatures + ", eps=" + Py.repr(eps) + ", momentum=" + (momentum == null ? "None" : Py.repr(momentum)) + ", affine=" + Py.repr(affine)
                + ", track_running_stats=" + Py.repr(trackRunningStats);
    }

}
