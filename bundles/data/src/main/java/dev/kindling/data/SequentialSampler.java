package dev.kindling.data;

import dev.kindling.api.Generator;

/** 0, 1, ..., n-1 ({@code SequentialSampler}). */
public final class SequentialSampler implements Sampler {
    private final int n;

    public SequentialSampler(int n) {
        if (n < 0) throw new IllegalArgumentException("SequentialSampler: n must not be negative, got " + n);
        this.n = n;
    }

    @Override
    public int size() { return n; }

    @Override
    public int[] epoch(Generator generator) {
        int[] out = new int[n];
        for (int i = 0; i < n; i++) out[i] = i;
        return out;
    }
}
