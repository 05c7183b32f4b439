package dev.kindling.data;

import java.util.ArrayList;
import java.util.List;

/**
 * Several datasets one after the other ({@code torch.utils.data.ConcatDataset}).
 *
 * @param <T> the sample type
 */
public final class ConcatDataset<T> implements Dataset<T> {
    private final List<Dataset<? extends T>> datasets;
    private final long[] cumulative;

    @SafeVarargs
    public ConcatDataset(Dataset<? extends T>... datasets) {
        List<Dataset<? extends T>> list = new ArrayList<>(datasets.length);
        for (Dataset<? extends T> d : datasets) list.add(d);
        this.datasets = List.copyOf(list);
        this.cumulative = cumulative(this.datasets);
    }

    public ConcatDataset(List<? extends Dataset<? extends T>> datasets) {
        this.datasets = List.copyOf(datasets);
        this.cumulative = cumulative(this.datasets);
    }

    private static long[] cumulative(List<? extends Dataset<?>> datasets) {
        if (datasets.isEmpty()) throw new IllegalArgumentException("datasets should not be an empty iterable");
        long[] cumulative = new long[datasets.size()];
        long sum = 0;
        for (int i = 0; i < datasets.size(); i++) {
            sum += datasets.get(i).size();
            cumulative[i] = sum;
        }
        if (sum > Integer.MAX_VALUE) throw new IllegalArgumentException("ConcatDataset is limited to 2^31-1 samples, got " + sum);
        return cumulative;
    }

    public List<Dataset<? extends T>> datasets() { return datasets; }

    /** The running totals of the sizes ({@code cumulative_sizes}). */
    public long[] cumulativeSizes() { return cumulative.clone(); }

    @Override
    public int size() { return (int) cumulative[cumulative.length - 1]; }

    /** Negative indices count from the end, as in PyTorch. */
    @Override
    public T get(int index) {
        int n = size();
        if (index < 0) {
            if (-index > n) throw new IndexOutOfBoundsException("absolute value of index should not exceed dataset length (index "
                    + index + ", length " + n + ")");
            index += n;
        }
        if (index >= n) throw Dataset.outOfRange(index, n);
        int d = upperBound(index);
        long start = d == 0 ? 0 : cumulative[d - 1];
        return datasets.get(d).get((int) (index - start));
    }

    /** The first dataset whose cumulative size exceeds index (bisect_right). */
    private int upperBound(int index) {
        int lo = 0, hi = cumulative.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (cumulative[mid] <= index) lo = mid + 1;
            else hi = mid;
        }
        return lo;
    }
}
