package dev.kindling.data;

import java.util.Iterator;

import org.osgi.annotation.versioning.ProviderType;

/**
 * One epoch of a {@link DataLoader}. Its workers stop when the epoch is read to the end, when it is closed, when it
 * becomes unreachable (abandoned in the middle of a for-each loop), or when its loader is closed; idle worker
 * threads also end by themselves after a few seconds.
 */
// Made by DataLoader; users iterate it.
@ProviderType
public interface BatchIterator extends Iterator<Batch>, AutoCloseable {
    /** Stops this epoch's workers; later {@link #hasNext()} calls return false. Idempotent. */
    @Override
    void close();
}
