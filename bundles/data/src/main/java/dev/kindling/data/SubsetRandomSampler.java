package dev.kindling.data;

import dev.kindling.api.Generator;
import dev.kindling.api.Torch;

/** The given indices in a random order each epoch ({@code SubsetRandomSampler}). */
public final class SubsetRandomSampler implements Sampler {
    private final int[] indices;
    private final Generator generator;

    public SubsetRandomSampler(int[] indices) { this(indices, null); }

    public SubsetRandomSampler(int[] indices, Generator generator) {
        this.indices = indices.clone();
        this.generator = generator;
    }

    @Override
    public int size() { return indices.length; }

    @Override
    public int[] epoch(Generator loaderGenerator) {
        Generator g = generator != null ? generator : loaderGenerator != null ? loaderGenerator : Torch.defaultGenerator();
        int[] out = new int[indices.length];
        if (indices.length == 0) return out;
        long[] p = Torch.randperm(indices.length, g).toLongArray();
        for (int i = 0; i < out.length; i++) out[i] = indices[(int) p[i]];
        return out;
    }
}
