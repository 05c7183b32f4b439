package dev.kindling.kernel.spi;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Provides a loss function (an nn Module). The kernel only registers and lists these; the bundle that implements the kind
 * defines what {@code T} is.
 */
@ConsumerType
public interface LossProvider<T> extends Provider<T> {}
