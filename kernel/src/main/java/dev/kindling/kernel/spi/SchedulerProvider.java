package dev.kindling.kernel.spi;

/**
 * Provides a learning-rate scheduler over the optimizer given as the 'optimizer' entry. The kernel only registers and lists these; the bundle that implements the kind
 * defines what {@code T} is.
 */
public interface SchedulerProvider<T> extends Provider<T> {}
