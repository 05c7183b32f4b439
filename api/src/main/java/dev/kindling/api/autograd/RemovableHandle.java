package dev.kindling.api.autograd;

import org.osgi.annotation.versioning.ProviderType;

/** Returned by hook registrations; {@link #remove()} unregisters the hook. */
// Returned by the platform's hook registrations; users only call remove().
@ProviderType
@FunctionalInterface
public interface RemovableHandle extends AutoCloseable {
    void remove();

    @Override
    default void close() { remove(); }
}
