package dev.kindling.kernel.spi;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Provides a learning-rate scheduler over the optimizer given as the 'optimizer' entry. The kernel only registers and lists these; the bundle that implements the kind
 * defines what {@code T} is.
 */
@ConsumerType
public interface SchedulerProvider<T> extends Provider<T> {}
