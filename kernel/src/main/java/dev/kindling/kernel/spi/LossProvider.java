package dev.kindling.kernel.spi;

/**
 * Provides a loss function (an nn Module). The kernel only registers and lists these; the bundle that implements the kind
 * defines what {@code T} is.
 */
public interface LossProvider<T> extends Provider<T> {}
