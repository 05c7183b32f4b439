package dev.kindling.data;

import dev.kindling.api.Generator;
import dev.kindling.api.Torch;

import java.util.function.Supplier;

/**
 * Where random transforms (RandomCrop, RandomHorizontalFlip, ...) get their random numbers.
 *
 * <p>Inside a {@link DataLoader}, each sample gets its own generator, seeded from the loader's generator (a
 * per-epoch base seed drawn as PyTorch draws its {@code base_seed}) and the sample's position in the epoch. So a
 * seeded loader gives the same augmented batches on every run whatever {@code numWorkers} is and whichever thread
 * loads a sample. The generator is created only when a transform asks for it.
 *
 * <p>Outside a loader, transforms draw from {@link Torch#defaultGenerator()}, as torchvision's transforms draw from
 * the global torch generator (so {@code Torch.manualSeed(s)} then a transform gives torchvision's result for
 * {@code torch.manual_seed(s)}). {@link #with(Generator, Supplier)} lends a generator explicitly.
 */
public final class DataRandom {
    private DataRandom() {}

    private static final class Context {
        long seed;
        Generator generator;
        Context previous;
    }

    private static final ThreadLocal<Context> CURRENT = new ThreadLocal<>();

    /** The generator for the current sample (see the class comment). */
    public static Generator generator() {
        Context c = CURRENT.get();
        if (c == null) return Torch.defaultGenerator();
        if (c.generator == null) c.generator = new Generator(c.seed);
        return c.generator;
    }

    /** Runs {@code body} with {@link #generator()} returning {@code generator}. */
    public static <R> R with(Generator generator, Supplier<R> body) {
        Context c = push();
        c.generator = generator;
        try {
            return body.get();
        } finally {
            pop(c);
        }
    }

    /** Runs {@code body} with a fresh generator seeded with {@code seed} (created only if a transform asks). */
    public static <R> R withSeed(long seed, Supplier<R> body) {
        Context c = push();
        c.seed = seed;
        try {
            return body.get();
        } finally {
            pop(c);
        }
    }

    private static Context push() {
        Context c = new Context();
        c.previous = CURRENT.get();
        CURRENT.set(c);
        return c;
    }

    private static void pop(Context c) {
        if (c.previous == null) CURRENT.remove();
        else CURRENT.set(c.previous);
    }

    /** The seed of the sample at {@code position} of an epoch whose base seed is {@code base} (SplitMix64). */
    static long sampleSeed(long base, long position) {
        long z = base + (position + 1) * 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
