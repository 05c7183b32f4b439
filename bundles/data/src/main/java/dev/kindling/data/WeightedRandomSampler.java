package dev.kindling.data;

import dev.kindling.api.Generator;
import dev.kindling.api.Torch;

import java.util.Arrays;

/**
 * Indices drawn with probability proportional to their weights ({@code WeightedRandomSampler}), by the same
 * algorithm and random draws as PyTorch's CPU {@code torch.multinomial}: with replacement, a binary search of the
 * normalised cumulative weights per uniform double; without replacement (or for a single draw), the largest
 * {@code weight / Exp(1)} ("exponential race").
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
        int n = weights.length;
        int[] out = new int[numSamples];
        if (!replacement || numSamples == 1) {
            double[] key = new double[n];
            for (int i = 0; i < n; i++) key[i] = weights[i] / -Math.log(1.0 - g.nextDouble());
            Integer[] order = new Integer[n];
            for (int i = 0; i < n; i++) order[i] = i;
            Arrays.sort(order, (a, b) -> Double.compare(key[b], key[a]));
            for (int i = 0; i < numSamples; i++) out[i] = order[i];
            return out;
        }
        double[] cum = new double[n];
        double sum = 0;
        for (int i = 0; i < n; i++) {
            sum += weights[i];
            cum[i] = sum;
        }
        for (int i = 0; i < n; i++) cum[i] /= sum;
        cum[n - 1] = 1;
        for (int s = 0; s < numSamples; s++) {
            double u = g.nextDouble();
            int lo = 0, hi = n;
            while (hi - lo > 0) {
                int mid = lo + (hi - lo) / 2;
                if (cum[mid] < u) lo = mid + 1;
                else hi = mid;
            }
            out[s] = lo;
        }
        return out;
    }
}
