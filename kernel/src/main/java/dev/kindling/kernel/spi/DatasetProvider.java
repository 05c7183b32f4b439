package dev.kindling.kernel.spi;

/**
 * Provides a dataset. The kernel only registers and lists these; the bundle that implements the kind
 * defines what {@code T} is.
 */
public interface DatasetProvider<T> extends Provider<T> {}
