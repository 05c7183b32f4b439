package dev.kindling.data;

import dev.kindling.api.Generator;
import dev.kindling.api.Torch;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/** Helpers over datasets ({@code torch.utils.data.random_split} and friends). */
public final class Datasets {
    private Datasets() {}

    /**
     * Splits a dataset into non-overlapping random subsets of the given lengths, as
     * {@code torch.utils.data.random_split(dataset, lengths, generator)}: the same permutation
     * ({@code randperm(n, generator)}) and so the same subsets as PyTorch for the same seed.
     *
     * @param generator the random stream; null for the default generator
     */
    public static <T> List<Subset<T>> randomSplit(Dataset<T> dataset, int[] lengths, Generator generator) {
        long sum = 0;
        for (int i = 0; i < lengths.length; i++) {
            if (lengths[i] < 0) throw new IllegalArgumentException("random_split: length at index " + i + " is negative (" + lengths[i] + ")");
            sum += lengths[i];
        }
        if (sum != dataset.size()) {
            throw new IllegalArgumentException("Sum of input lengths does not equal the length of the input dataset! (lengths sum to "
                    + sum + ", the dataset has " + dataset.size() + " samples)");
        }
        long[] perm = (generator == null ? Torch.randperm(sum) : Torch.randperm(sum, generator)).toLongArray();
        List<Subset<T>> out = new ArrayList<>(lengths.length);
        int offset = 0;
        for (int length : lengths) {
            int[] idx = new int[length];
            for (int j = 0; j < length; j++) idx[j] = (int) perm[offset + j];
            out.add(new Subset<>(dataset, idx));
            offset += length;
        }
        return out;
    }

    /** {@link #randomSplit(Dataset, int[], Generator)} with the default generator. */
    public static <T> List<Subset<T>> randomSplit(Dataset<T> dataset, int... lengths) {
        return randomSplit(dataset, lengths, null);
    }

    /**
     * Splits by fractions that sum to 1, as PyTorch 1.13: each length is {@code floor(n * fraction)} and the remainder
     * is handed out one by one, round-robin from the first split.
     */
    public static <T> List<Subset<T>> randomSplit(Dataset<T> dataset, double[] fractions, Generator generator) {
        return randomSplit(dataset, lengthsOf(dataset.size(), fractions), generator);
    }

    static int[] lengthsOf(int n, double[] fractions) {
        double total = 0;
        for (double f : fractions) total += f;
        if (Math.abs(total - 1) > 1e-9 || total > 1 + 1e-12) {
            throw new IllegalArgumentException("random_split: fractions must sum to 1, got " + total);
        }
        int[] lengths = new int[fractions.length];
        long assigned = 0;
        for (int i = 0; i < fractions.length; i++) {
            if (!(fractions[i] >= 0 && fractions[i] <= 1)) throw new IllegalArgumentException("Fraction at index " + i + " is not between 0 and 1");
            lengths[i] = (int) Math.floor(n * fractions[i]);
            assigned += lengths[i];
        }
        long remainder = n - assigned;
        for (int i = 0; i < remainder; i++) lengths[i % lengths.length]++;
        return lengths;
    }

    /**
     * A view of {@code dataset} with {@code fn} applied to each sample as it is read, e.g. to give a
     * {@link Subset} from {@link #randomSplit} its own transform.
     */
    public static <T, R> Dataset<R> map(Dataset<T> dataset, Function<? super T, ? extends R> fn) {
        return new Dataset<>() {
            @Override
            public int size() { return dataset.size(); }

            @Override
            public R get(int index) { return fn.apply(dataset.get(index)); }
        };
    }
}
