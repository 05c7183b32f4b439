package dev.kindling.kernel.spi;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Provides a dataset. The kernel only registers and lists these; the bundle that implements the kind
 * defines what {@code T} is.
 */
@ConsumerType
public interface DatasetProvider<T> extends Provider<T> {}
