package dev.kindling.distributed.spi;

import java.nio.FloatBuffer;

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

    /**
     * {@link #allReduce(Object, ReduceOp)} of a direct buffer's {@code capacity()} floats, in place (DDP's buckets). A
     * backend that hands memory to native code overrides this to reduce the buffer where it is: staging a Java array
     * for the native call and back took a 1 MB gloo all-reduce between two JVMs on a 2-core machine from 2.4–2.6 ms to
     * 2.8–2.9. This default goes through an array.
     */
    default void allReduce(FloatBuffer direct, ReduceOp op) {
        float[] a = new float[direct.capacity()];
        direct.get(0, a);
        allReduce(a, op);
        direct.put(0, a);
    }

    void broadcast(Object buffer, int root);

    /** {@code out} holds {@code in} of every rank, in rank order. */
    void allGather(Object in, Object out);

    void barrier();

    /** Releases the connections; peers blocked on this rank then fail instead of waiting for their timeout. */
    void close();
}
