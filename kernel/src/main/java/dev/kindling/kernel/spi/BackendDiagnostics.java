package dev.kindling.kernel.spi;

import java.util.List;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Optionally implemented by a {@link TensorBackend}: lines about its state that {@code kindling:backends} prints under
 * the table, e.g. each GPU's name and the device memory allocated and reserved by the backend's caching allocator.
 */
@ConsumerType
public interface BackendDiagnostics {
    /** Short human-readable lines; empty when there is nothing to say. Must not throw. */
    List<String> diagnostics();
}
