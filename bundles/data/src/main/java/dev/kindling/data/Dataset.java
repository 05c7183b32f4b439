package dev.kindling.data;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * A map-style data set ({@code torch.utils.data.Dataset}): a fixed number of samples, each reachable by index.
 * Implementations must allow {@link #get(int)} from several threads at once (the {@link DataLoader}'s workers call
 * it concurrently).
 *
 * @param <T> the sample type, e.g. {@link Sample}
 */
@ConsumerType
public interface Dataset<T> {
    /** The number of samples ({@code len(dataset)}). */
    int size();

    /** The sample at {@code index}, 0 &lt;= index &lt; size(). */
    T get(int index);

    /** An {@link IndexOutOfBoundsException} in PyTorch's words, for implementations. */
    static IndexOutOfBoundsException outOfRange(int index, int size) {
        return new IndexOutOfBoundsException("index " + index + " is out of range for a dataset of size " + size);
    }
}
