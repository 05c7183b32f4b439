package dev.kindling.distributed.internal;

import dev.kindling.distributed.DistributedException;
import dev.kindling.distributed.DistributedTimeoutException;
import dev.kindling.distributed.ReduceOp;
import dev.kindling.distributed.Store;
import dev.kindling.distributed.spi.Collectives;
import dev.kindling.distributed.spi.ProcessGroupBackend;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The {@code local} backend: the ranks are threads of one JVM that exchange copies of their buffers in memory. Each
 * rank reduces all ranks' copies in rank order, so results are bitwise equal on all ranks. For tests of everything
 * above the transport (DDP, samplers, checkpoints); never across processes.
 */
public final class LocalBackend implements ProcessGroupBackend {
    /** Identifies this JVM (and this backend instance) in the store, to reject ranks that are elsewhere. */
    private final String instanceId = UUID.randomUUID().toString();
    private final Map<String, World> worlds = new ConcurrentHashMap<>();

    @Override
    public String name() { return "local"; }

    @Override
    public Collectives connect(Store store, int rank, int worldSize, Duration timeout) {
        byte[] mine = (instanceId + "/" + UUID.randomUUID()).getBytes(StandardCharsets.UTF_8);
        String worldId = new String(store.compareSet("local_world", new byte[0], mine), StandardCharsets.UTF_8);
        if (!worldId.startsWith(instanceId + "/")) {
            throw new DistributedException("local backend: rank " + rank + " is not in the JVM of the group's other ranks; "
                    + "the local backend runs ranks as threads of one JVM (use gloo across processes)");
        }
        World world = worlds.computeIfAbsent(worldId, id -> new World(id, worldSize));
        return new LocalCollectives(world, rank, timeout);
    }

    /** The ranks of one group: a sequence of rounds, each collecting one deposit per rank. */
    private final class World {
        final String id;
        final int size;
        Round current;
        String brokenReason;
        int brokenBy = -1;
        int open;

        World(String id, int size) {
            this.id = id;
            this.size = size;
            this.current = new Round(size);
            this.open = size;
        }

        synchronized Object[] exchange(int rank, Object deposit, Duration timeout) {
            if (brokenReason != null) throw broken(rank);
            Round round = current;
            round.slots[rank] = deposit;
            round.arrived[rank] = true;
            if (++round.count == size) {
                round.done = true;
                current = new Round(size);
                notifyAll();
                return round.slots;
            }
            long deadline = System.nanoTime() + timeout.toNanos();
            while (!round.done && brokenReason == null) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    List<Integer> missing = new ArrayList<>();
                    for (int r = 0; r < size; r++) if (!round.arrived[r]) missing.add(r);
                    String why = "rank " + rank + " timed out after " + timeout.toMillis() + " ms waiting for rank(s) " + missing;
                    breakWorld(why, missing.size() == 1 ? missing.get(0) : -1);
                    throw new DistributedTimeoutException("local backend: " + why, brokenBy, null);
                }
                try {
                    wait(Math.max(1, left / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    breakWorld("rank " + rank + " was interrupted", rank);
                    throw new DistributedException("local backend: rank " + rank + " was interrupted", rank, e);
                }
            }
            if (!round.done) throw broken(rank);
            return round.slots;
        }

        private DistributedException broken(int rank) {
            return new DistributedException("local backend: rank " + rank + ": the group is broken: " + brokenReason, brokenBy, null);
        }

        synchronized void breakWorld(String reason, int byRank) {
            if (brokenReason == null) {
                brokenReason = reason;
                brokenBy = byRank;
            }
            notifyAll();
        }

        synchronized void leave(int rank) {
            if (!current.done && current.count > 0 && !current.arrived[rank]) {
                breakWorld("rank " + rank + " left the group while others were waiting for it", rank);
            }
            if (--open == 0) worlds.remove(id, this);
        }
    }

    private static final class Round {
        final Object[] slots;
        final boolean[] arrived;
        int count;
        boolean done;

        Round(int size) {
            slots = new Object[size];
            arrived = new boolean[size];
        }
    }

    private static final class LocalCollectives implements Collectives {
        private final World world;
        private final int rank;
        private final Duration timeout;
        private boolean closed;

        LocalCollectives(World world, int rank, Duration timeout) {
            this.world = world;
            this.rank = rank;
            this.timeout = timeout;
        }

        private static Object copy(Object a) {
            if (a instanceof float[] f) return f.clone();
            if (a instanceof double[] d) return d.clone();
            if (a instanceof long[] l) return l.clone();
            if (a instanceof int[] i) return i.clone();
            throw new IllegalArgumentException("not a collective buffer: " + a);
        }

        @Override
        public void allReduce(Object buffer, ReduceOp op) {
            Object[] all = world.exchange(rank, copy(buffer), timeout);
            int n = HostArrays.length(buffer);
            if (buffer instanceof float[] out) {
                for (int i = 0; i < n; i++) {
                    float acc = ((float[]) all[0])[i];
                    for (int r = 1; r < all.length; r++) acc = combine(op, acc, ((float[]) all[r])[i]);
                    out[i] = acc;
                }
            } else if (buffer instanceof double[] out) {
                for (int i = 0; i < n; i++) {
                    double acc = ((double[]) all[0])[i];
                    for (int r = 1; r < all.length; r++) acc = combine(op, acc, ((double[]) all[r])[i]);
                    out[i] = acc;
                }
            } else if (buffer instanceof long[] out) {
                for (int i = 0; i < n; i++) {
                    long acc = ((long[]) all[0])[i];
                    for (int r = 1; r < all.length; r++) acc = combine(op, acc, ((long[]) all[r])[i]);
                    out[i] = acc;
                }
            } else {
                int[] out = (int[]) buffer;
                for (int i = 0; i < n; i++) {
                    long acc = ((int[]) all[0])[i];
                    for (int r = 1; r < all.length; r++) acc = combine(op, acc, ((int[]) all[r])[i]);
                    out[i] = (int) acc;
                }
            }
        }

        private static float combine(ReduceOp op, float a, float b) {
            return switch (op) {
                case SUM, AVG -> a + b;
                case PRODUCT -> a * b;
                case MIN -> Math.min(a, b);
                case MAX -> Math.max(a, b);
            };
        }

        private static double combine(ReduceOp op, double a, double b) {
            return switch (op) {
                case SUM, AVG -> a + b;
                case PRODUCT -> a * b;
                case MIN -> Math.min(a, b);
                case MAX -> Math.max(a, b);
            };
        }

        private static long combine(ReduceOp op, long a, long b) {
            return switch (op) {
                case SUM, AVG -> a + b;
                case PRODUCT -> a * b;
                case MIN -> Math.min(a, b);
                case MAX -> Math.max(a, b);
            };
        }

        @Override
        public void broadcast(Object buffer, int root) {
            Object[] all = world.exchange(rank, rank == root ? copy(buffer) : null, timeout);
            if (rank != root) System.arraycopy(all[root], 0, buffer, 0, HostArrays.length(buffer));
        }

        @Override
        public void allGather(Object in, Object out) {
            Object[] all = world.exchange(rank, copy(in), timeout);
            int n = HostArrays.length(in);
            for (int r = 0; r < all.length; r++) System.arraycopy(all[r], 0, out, r * n, n);
        }

        @Override
        public void barrier() { world.exchange(rank, null, timeout); }

        @Override
        public synchronized void close() {
            if (closed) return;
            closed = true;
            world.leave(rank);
        }
    }
}
