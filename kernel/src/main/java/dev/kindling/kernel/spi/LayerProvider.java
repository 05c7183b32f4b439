package dev.kindling.kernel.spi;

/**
 * Provides a layer (an nn Module). The kernel only registers and lists these; the bundle that implements the kind
 * defines what {@code T} is.
 */
public interface LayerProvider<T> extends Provider<T> {}
