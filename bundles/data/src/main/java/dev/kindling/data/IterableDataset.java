package dev.kindling.data;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * A stream-style data set ({@code torch.utils.data.IterableDataset}): samples come from an iterator, in the
 * dataset's own order; a {@link DataLoader} over it cannot shuffle or use a sampler. Each call of
 * {@link #iterator()} starts a new pass (an epoch).
 *
 * @param <T> the sample type
 */
@ConsumerType
@FunctionalInterface
public interface IterableDataset<T> extends Iterable<T> {}
