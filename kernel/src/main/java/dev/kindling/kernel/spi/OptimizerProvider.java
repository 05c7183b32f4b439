package dev.kindling.kernel.spi;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Provides an optimizer over the parameters given as the 'params' entry. The kernel only registers and lists these; the bundle that implements the kind
 * defines what {@code T} is.
 */
@ConsumerType
public interface OptimizerProvider<T> extends Provider<T> {}
