package dev.kindling.distributed.spi;

import dev.kindling.distributed.ReduceOp;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * One rank's connection to its group, as a backend provides it. Buffers are Java primitive arrays ({@code float[]},
 * {@code double[]}, {@code long[]} or {@code int[]}), reduced or filled in place; all ranks pass arrays of the same
 * type and length (the process group has checked). Calls come from one thread at a time, in the same order on all
 * ranks. Failures are {@link dev.kindling.distributed.DistributedException}s (a timeout a
 * {@link dev.kindling.distributed.DistributedTimeoutException}); after one the group calls {@link #close()}.
 * {@link ReduceOp#AVG} never reaches a backend: it is a SUM followed by a division.
 */
@ConsumerType
public interface Collectives {
    void allReduce(Object buffer, ReduceOp op);

    void broadcast(Object buffer, int root);

    /** {@code out} holds {@code in} of every rank, in rank order. */
    void allGather(Object in, Object out);

    void barrier();

    /** Releases the connections; peers blocked on this rank then fail instead of waiting for their timeout. */
    void close();
}
