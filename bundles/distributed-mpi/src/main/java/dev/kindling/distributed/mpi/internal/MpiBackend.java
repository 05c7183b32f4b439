package dev.kindling.distributed.mpi.internal;

import dev.kindling.distributed.DistributedException;
import dev.kindling.distributed.ReduceOp;
import dev.kindling.distributed.Store;
import dev.kindling.distributed.mpi.jni.MpiNative;
import dev.kindling.distributed.spi.Collectives;
import dev.kindling.distributed.spi.ProcessGroupBackend;

import org.osgi.service.component.annotations.Component;

import java.io.IOException;
import java.time.Duration;

/**
 * The {@code mpi} backend: MPI_COMM_WORLD of the processes {@code mpirun} started (ranks and world size come from
 * it; no store, no MASTER_ADDR). MPI has no timeouts: a hung peer hangs the job, and a dead one makes mpirun abort
 * all ranks, fail-stop. One group per process; MPI cannot start again after the group is closed.
 */
@Component(service = ProcessGroupBackend.class)
public class MpiBackend implements ProcessGroupBackend {
    @Override
    public String name() { return "mpi"; }

    @Override
    public String unavailableReason() {
        if (MpiNative.unavailableReason() != null) return MpiNative.unavailableReason();
        if (System.getenv("OMPI_COMM_WORLD_SIZE") == null && System.getenv("PMIX_RANK") == null) {
            return "this process was not started by mpirun (OMPI_COMM_WORLD_SIZE is not set)";
        }
        return null;
    }

    @Override
    public int[] launcherRankAndSize() {
        try {
            return MpiNative.init();
        } catch (IOException e) {
            throw new DistributedException("mpi: " + e.getMessage(), e);
        }
    }

    @Override
    public Collectives connect(Store store, int rank, int worldSize, Duration timeout) {
        return new Collectives() {
            private void call(String what, IoCall c) {
                try {
                    c.run();
                } catch (IOException e) {
                    throw new DistributedException("mpi: rank " + rank + ": " + what + ": " + e.getMessage(), e);
                }
            }

            @Override
            public void allReduce(Object buffer, ReduceOp op) {
                int o = switch (op) {
                    case SUM -> MpiNative.SUM;
                    case PRODUCT -> MpiNative.PRODUCT;
                    case MIN -> MpiNative.MIN;
                    case MAX -> MpiNative.MAX;
                    case AVG -> throw new IllegalArgumentException("AVG is reduced as SUM by the process group");
                };
                call("allReduce", () -> MpiNative.allReduce(buffer, dtype(buffer), o));
            }

            @Override
            public void broadcast(Object buffer, int root) { call("broadcast", () -> MpiNative.broadcast(buffer, dtype(buffer), root)); }

            @Override
            public void allGather(Object in, Object out) { call("allGather", () -> MpiNative.allGather(in, out, dtype(in))); }

            @Override
            public void barrier() { call("barrier", MpiNative::barrier); }

            private boolean closed;

            @Override
            public void close() {
                if (closed) return;
                closed = true;
                call("finalize", MpiNative::finalizeMpi);
            }
        };
    }

    private interface IoCall {
        void run() throws IOException;
    }

    static int dtype(Object buffer) {
        if (buffer instanceof float[]) return MpiNative.FLOAT32;
        if (buffer instanceof double[]) return MpiNative.FLOAT64;
        if (buffer instanceof long[]) return MpiNative.INT64;
        if (buffer instanceof int[]) return MpiNative.INT32;
        throw new IllegalArgumentException("mpi: not a collective buffer: " + buffer);
    }
}
