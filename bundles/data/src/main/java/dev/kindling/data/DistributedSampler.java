package dev.kindling.data;

import dev.kindling.api.Generator;
import dev.kindling.api.Torch;

/**
 * Gives each rank of a data-parallel job its own share of a dataset, as PyTorch's
 * {@code torch.utils.data.distributed.DistributedSampler}: every rank builds the same epoch order (a
 * {@code randperm(n)} seeded with {@code seed + epoch} when shuffling, else {@code 0..n-1}), pads it by repeating
 * indices from its start up to a multiple of the world size (or truncates it, with {@code dropLast}), and takes every
 * {@code numReplicas}-th index starting at its rank. The indices are PyTorch 1.13's, rank by rank and epoch by epoch.
 *
 * <p>Call {@link #setEpoch(int)} before each epoch, or every epoch has the same order. The seed must be the same on
 * every rank. The loader's generator is not used: the order depends on seed and epoch only.
 */
public final class DistributedSampler implements Sampler {
    private final int datasetSize;
    private final int numReplicas;
    private final int rank;
    private final boolean shuffle;
    private final long seed;
    private final boolean dropLast;
    private final int numSamples;
    private final int totalSize;
    private volatile int epoch;

    /** Shuffled, seed 0, padded: PyTorch's defaults. */
    public DistributedSampler(int datasetSize, int numReplicas, int rank) {
        this(datasetSize, numReplicas, rank, true, 0, false);
    }

    public DistributedSampler(int datasetSize, int numReplicas, int rank, boolean shuffle, long seed, boolean dropLast) {
        if (datasetSize < 0) throw new IllegalArgumentException("DistributedSampler: datasetSize must not be negative, got " + datasetSize);
        if (numReplicas < 1) throw new IllegalArgumentException("DistributedSampler: numReplicas must be at least 1, got " + numReplicas);
        if (rank < 0 || rank >= numReplicas) {
            throw new IllegalArgumentException("Invalid rank " + rank + ", rank should be in the interval [0, " + (numReplicas - 1) + "]");
        }
        this.datasetSize = datasetSize;
        this.numReplicas = numReplicas;
        this.rank = rank;
        this.shuffle = shuffle;
        this.seed = seed;
        this.dropLast = dropLast;
        // With dropLast and a remainder, the tail is dropped so that every rank gets the same number of samples.
        this.numSamples = dropLast && datasetSize % numReplicas != 0
                ? ceilDiv(datasetSize - numReplicas, numReplicas)
                : ceilDiv(datasetSize, numReplicas);
        this.totalSize = numSamples * numReplicas;
    }

    private static int ceilDiv(int a, int b) { return a <= 0 ? 0 : (a + b - 1) / b; }

    /** Chooses the epoch whose order {@link #epoch(Generator)} gives next. */
    public void setEpoch(int epoch) { this.epoch = epoch; }

    public int getEpoch() { return epoch; }

    public int numReplicas() { return numReplicas; }

    public int rank() { return rank; }

    /** {@code len(sampler)}: the indices this rank gets per epoch. */
    @Override
    public int size() { return numSamples; }

    /** This rank's indices for the epoch set by {@link #setEpoch(int)}; {@code generator} is ignored. */
    @Override
    public int[] epoch(Generator generator) {
        int[] order = new int[datasetSize];
        if (shuffle && datasetSize > 0) {
            long[] p = Torch.randperm(datasetSize, new Generator(seed + epoch)).toLongArray();
            for (int i = 0; i < datasetSize; i++) order[i] = (int) p[i];
        } else {
            for (int i = 0; i < datasetSize; i++) order[i] = i;
        }
        int[] out = new int[numSamples];
        for (int j = 0; j < numSamples; j++) {
            int position = rank + j * numReplicas; // position in the padded (or truncated) order of totalSize
            out[j] = order[position % datasetSize];
        }
        return out;
    }
}
