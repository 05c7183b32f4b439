package dev.kindling.data;

import java.util.List;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Turns the samples of one batch into a {@link Batch} ({@code collate_fn}). A {@link DataLoader} calls it on its
 * worker threads.
 *
 * @param <T> the sample type
 */
@ConsumerType
@FunctionalInterface
public interface Collate<T> {
    Batch collate(List<T> samples);

    /** PyTorch's {@code default_collate}, see {@link DefaultCollate}. */
    static <T> Collate<T> defaultCollate() { return DefaultCollate::batch; }
}
