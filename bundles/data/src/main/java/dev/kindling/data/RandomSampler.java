package dev.kindling.data;

import dev.kindling.api.Generator;
import dev.kindling.api.Torch;

/**
 * Random order ({@code RandomSampler}): without replacement a random permutation per epoch, with replacement
 * {@code numSamples} uniform draws. It draws exactly what PyTorch 1.13's RandomSampler draws, so a DataLoader seeded
 * like {@code DataLoader(ds, shuffle=True, generator=torch.Generator().manual_seed(s))} visits the samples in the same
 * order, epoch after epoch.
 */
public final class RandomSampler implements Sampler {
    private final int n;
    private final boolean replacement;
    private final int numSamples;
    private final Generator generator;

    public RandomSampler(int n) { this(n, false, n, null); }

    /**
     * @param n the dataset size
     * @param replacement draw with replacement
     * @param numSamples indices per epoch (PyTorch's {@code num_samples}; n by default)
     * @param generator this sampler's own stream, or null to use the loader's
     */
    public RandomSampler(int n, boolean replacement, int numSamples, Generator generator) {
        if (n < 0) throw new IllegalArgumentException("RandomSampler: n must not be negative, got " + n);
        if (numSamples <= 0) throw new IllegalArgumentException("num_samples should be a positive integer value, but got num_samples=" + numSamples);
        this.n = n;
        this.replacement = replacement;
        this.numSamples = numSamples;
        this.generator = generator;
    }

    public boolean replacement() { return replacement; }

    @Override
    public int size() { return numSamples; }

    @Override
    public int[] epoch(Generator loaderGenerator) {
        Generator g = generator != null ? generator : loaderGenerator != null ? loaderGenerator
                : new Generator(Sampler.drawSeed(Torch.defaultGenerator()));
        int[] out = new int[numSamples];
        if (n == 0) return new int[0];
        if (replacement) {
            // torch.randint(high=n, size=(32,)) chunks: one 32-bit (or 64-bit for huge n) draw per index, in order.
            for (int i = 0; i < numSamples; i++) out[i] = (int) g.nextLong(n);
            return out;
        }
        int pos = 0;
        for (int r = 0; r < numSamples / n; r++) pos = permutation(g, out, pos, n);
        // PyTorch draws one more permutation for the remainder (possibly empty) once the epoch is read to the end.
        permutation(g, out, pos, numSamples % n);
        return out;
    }

    private int permutation(Generator g, int[] out, int pos, int count) {
        long[] p = Torch.randperm(n, g).toLongArray();
        for (int i = 0; i < count; i++) out[pos + i] = (int) p[i];
        return pos + count;
    }
}
