package dev.kindling.data;

import dev.kindling.api.DType;
import dev.kindling.api.Generator;
import dev.kindling.api.Torch;

/**
 * Indices drawn with probability proportional to their weights ({@code WeightedRandomSampler}): PyTorch's sampler
 * draws them with {@code torch.multinomial} on float64 weights, and so does this one ({@link Torch#multinomial}).
 */
public final class WeightedRandomSampler implements Sampler {
    private final double[] weights;
    private final int numSamples;
    private final boolean replacement;
    private final Generator generator;

    public WeightedRandomSampler(double[] weights, int numSamples) { this(weights, numSamples, true, null); }

    public WeightedRandomSampler(double[] weights, int numSamples, boolean replacement) { this(weights, numSamples, replacement, null); }

    public WeightedRandomSampler(double[] weights, int numSamples, boolean replacement, Generator generator) {
        if (numSamples <= 0) throw new IllegalArgumentException("num_samples should be a positive integer value, but got num_samples=" + numSamples);
        if (weights.length == 0) throw new IllegalArgumentException("WeightedRandomSampler needs at least one weight");
        double sum = 0;
        for (int i = 0; i < weights.length; i++) {
            double w = weights[i];
            if (!(w >= 0)) throw new IllegalArgumentException("invalid multinomial distribution (encountering probability entry < 0): weight " + i + " is " + w);
            if (Double.isInfinite(w)) throw new IllegalArgumentException("invalid multinomial distribution (encountering probability entry = infinity or NaN): weight " + i);
            sum += w;
        }
        if (!(sum > 0)) throw new IllegalArgumentException("invalid multinomial distribution (sum of probabilities <= 0)");
        if (!replacement && numSamples > weights.length) {
            throw new IllegalArgumentException("cannot sample n_sample > prob_dist.size(-1) samples without replacement ("
                    + numSamples + " > " + weights.length + ")");
        }
        this.weights = weights.clone();
        this.numSamples = numSamples;
        this.replacement = replacement;
        this.generator = generator;
    }

    @Override
    public int size() { return numSamples; }

    @Override
    public int[] epoch(Generator loaderGenerator) {
        Generator g = generator != null ? generator : loaderGenerator != null ? loaderGenerator : Torch.defaultGenerator();
        // torch.multinomial itself, on float64 weights, as PyTorch's sampler calls it.
        long[] drawn = Torch.multinomial(Torch.tensor(weights, DType.FLOAT64), numSamples, replacement, g).toLongArray();
        int[] out = new int[numSamples];
        for (int i = 0; i < numSamples; i++) out[i] = (int) drawn[i];
        return out;
    }
}
