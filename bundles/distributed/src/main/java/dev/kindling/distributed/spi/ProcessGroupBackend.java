package dev.kindling.distributed.spi;

import dev.kindling.distributed.Store;

import java.time.Duration;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * A collectives engine ({@code gloo}, {@code mpi}, {@code local}, ...), registered as an OSGi service or, on a plain
 * classpath, as a {@code ServiceLoader} provider of this interface.
 */
@ConsumerType
public interface ProcessGroupBackend {
    /** The name {@code InitOptions.backend(...)} selects it by. */
    String name();

    /** Why this backend cannot run here (missing native library, ...), or null when it can. */
    default String unavailableReason() { return null; }

    /**
     * For engines whose launcher assigns the ranks ({@code mpirun}): this process's {@code {rank, worldSize}}, and
     * then no store is used ({@link #connect} gets null). Null (the default) for engines that meet through a store.
     */
    default int[] launcherRankAndSize() { return null; }

    /**
     * Connects rank {@code rank} of {@code worldSize} through {@code store} (a store private to this group; the
     * rendezvous has already checked that rank and world size agree). Blocks until all ranks are connected or
     * {@code timeout} passes.
     */
    Collectives connect(Store store, int rank, int worldSize, Duration timeout);
}
