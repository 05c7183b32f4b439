package dev.kindling.api.autograd;

/** Returned by hook registrations; {@link #remove()} unregisters the hook. */
@FunctionalInterface
public interface RemovableHandle extends AutoCloseable {
    void remove();

    @Override
    default void close() { remove(); }
}
