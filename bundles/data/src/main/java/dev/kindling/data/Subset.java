package dev.kindling.data;

/**
 * The samples of a dataset at the given indices, in that order ({@code torch.utils.data.Subset}).
 *
 * @param <T> the sample type
 */
public final class Subset<T> implements Dataset<T> {
    private final Dataset<T> dataset;
    private final int[] indices;

    public Subset(Dataset<T> dataset, int[] indices) {
        if (dataset == null) throw new IllegalArgumentException("Subset needs a dataset");
        this.dataset = dataset;
        this.indices = indices.clone();
        int n = dataset.size();
        for (int i = 0; i < this.indices.length; i++) {
            if (this.indices[i] < 0 || this.indices[i] >= n) {
                throw new IndexOutOfBoundsException("Subset index " + this.indices[i] + " (at position " + i
                        + ") is out of range for a dataset of size " + n);
            }
        }
    }

    public Dataset<T> dataset() { return dataset; }

    /** A copy of the indices. */
    public int[] indices() { return indices.clone(); }

    @Override
    public int size() { return indices.length; }

    @Override
    public T get(int index) {
        if (index < 0 || index >= indices.length) throw Dataset.outOfRange(index, indices.length);
        return dataset.get(indices[index]);
    }
}
