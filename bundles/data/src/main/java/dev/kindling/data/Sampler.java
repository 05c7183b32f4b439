package dev.kindling.data;

import dev.kindling.api.Generator;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Chooses the order of indices for one epoch ({@code torch.utils.data.Sampler}).
 */
@ConsumerType
public interface Sampler {
    /** How many indices one epoch yields ({@code len(sampler)}). */
    int size();

    /**
     * The indices of one epoch. A random sampler that was given its own generator draws from it; otherwise from
     * {@code generator} (the DataLoader's seeded generator), or, when that is null, from a generator seeded from the
     * default generator, as PyTorch's samplers do.
     */
    int[] epoch(Generator generator);

    /**
     * A seed drawn as PyTorch's {@code torch.empty((), dtype=torch.int64).random_(generator=g)}: 64 random bits
     * modulo 2^63.
     */
    static long drawSeed(Generator g) {
        return g.nextUInt64() & Long.MAX_VALUE;
    }
}
