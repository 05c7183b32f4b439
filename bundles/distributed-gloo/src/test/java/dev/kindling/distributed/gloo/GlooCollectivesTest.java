package dev.kindling.distributed.gloo;

import dev.kindling.api.Tensor;
import dev.kindling.api.Torch;
import dev.kindling.distributed.DistributedException;
import dev.kindling.distributed.Dist;
import dev.kindling.distributed.HashStore;
import dev.kindling.distributed.InitOptions;
import dev.kindling.distributed.ProcessGroup;
import dev.kindling.distributed.ReduceOp;
import dev.kindling.distributed.Store;
import dev.kindling.distributed.gloo.jni.GlooNative;
import dev.kindling.distributed.internal.DefaultProcessGroup;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Gloo with the ranks as threads of this JVM, each with its own TCP mesh on 127.0.0.1. */
class GlooCollectivesTest {
    @BeforeAll
    static void glooIsAvailable() {
        if (GlooNative.unavailableReason() != null) System.out.println("[gloo] tests skipped: " + GlooNative.unavailableReason());
        assumeTrue(GlooNative.unavailableReason() == null, "gloo tests skipped: " + GlooNative.unavailableReason());
    }

    static ProcessGroup gloo(Store store, int rank, int size, Duration timeout) {
        return Dist.newProcessGroup(InitOptions.builder().backend("gloo").store(store).rank(rank).worldSize(size).timeout(timeout).build());
    }

    static <T> List<Object> run(int n, IntFunction<T> body) {
        ExecutorService pool = Executors.newFixedThreadPool(n);
        try {
            List<Future<T>> fs = new ArrayList<>();
            for (int r = 0; r < n; r++) {
                int rank = r;
                fs.add(pool.submit(() -> body.apply(rank)));
            }
            List<Object> out = new ArrayList<>();
            for (Future<T> f : fs) {
                try {
                    out.add(f.get(60, TimeUnit.SECONDS));
                } catch (ExecutionException e) {
                    out.add(e.getCause());
                } catch (Exception e) {
                    throw new AssertionError("a rank hung", e);
                }
            }
            return out;
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void collectivesOnThreeRanks() {
        HashStore store = new HashStore();
        List<Object> out = run(3, rank -> {
            try (ProcessGroup pg = gloo(store, rank, 3, Duration.ofSeconds(20))) {
                Tensor t = Torch.tensor(new float[] {rank + 1, -rank, 0.25f * rank}, 3);
                pg.allReduce(t, ReduceOp.SUM).await();
                Tensor m = Torch.tensor(new double[] {rank, -rank}, 2);
                pg.allReduce(m, ReduceOp.MAX).await();
                Tensor a = Torch.full(new long[] {2}, rank + 1.0);
                pg.allReduce(a, ReduceOp.AVG).await();
                Tensor b = Torch.tensor(new long[] {rank, rank}, 2);
                pg.broadcast(b, 2).await();
                List<Tensor> g = new ArrayList<>();
                for (int r = 0; r < 3; r++) g.add(Torch.zeros(2));
                pg.allGather(g, Torch.full(new long[] {2}, rank * 10.0)).await();
                pg.barrier().await();
                return new float[][] {t.toFloatArray(), {(float) m.toDoubleArray()[0], (float) m.toDoubleArray()[1]}, a.toFloatArray(),
                        {b.toLongArray()[0], b.toLongArray()[1]}, {g.get(0).toFloatArray()[0], g.get(1).toFloatArray()[0], g.get(2).toFloatArray()[1]}};
            }
        });
        for (Object o : out) {
            if (o instanceof Throwable t) throw new AssertionError(t);
            float[][] r = (float[][]) o;
            assertArrayEquals(new float[] {6, -3, 0.75f}, r[0]);
            assertArrayEquals(new float[] {2, 0}, r[1]);
            assertArrayEquals(new float[] {2, 2}, r[2]);
            assertArrayEquals(new float[] {2, 2}, r[3]);
            assertArrayEquals(new float[] {0, 10, 20}, r[4]);
        }
    }

    @Test
    void largeSumsAreBitwiseEqualOnAllRanks() {
        HashStore store = new HashStore();
        List<Object> out = run(2, rank -> {
            try (ProcessGroup pg = gloo(store, rank, 2, Duration.ofSeconds(20))) {
                float[] buf = new float[1 << 20];
                for (int i = 0; i < buf.length; i++) buf[i] = (float) Math.sin(i * 0.001 + rank) / 3;
                pg.allReduce(buf, ReduceOp.SUM).await();
                return buf;
            }
        });
        assertArrayEquals((float[]) out.get(0), (float[]) out.get(1));
    }

    /**
     * DDP's buckets are direct buffers that gloo reduces where they are: the same sums, bit for bit, as the array path
     * (which stages through native memory), on every rank; a heap buffer is refused with the reason.
     */
    @Test
    void directBuffersReduceInPlaceAsArraysDo() {
        HashStore store = new HashStore();
        int n = 300_001;
        List<Object> out = run(2, rank -> {
            try (ProcessGroup pg = gloo(store, rank, 2, Duration.ofSeconds(20))) {
                DefaultProcessGroup d = (DefaultProcessGroup) pg;
                float[] array = new float[n];
                FloatBuffer direct = ByteBuffer.allocateDirect(4 * n).order(ByteOrder.nativeOrder()).asFloatBuffer();
                for (int i = 0; i < n; i++) {
                    array[i] = (float) Math.cos(i * 0.01 + rank) / 7;
                    direct.put(i, array[i]);
                }
                d.allReduceUnchecked(array, ReduceOp.SUM).await();
                d.allReduceUnchecked(direct, ReduceOp.SUM).await();
                float[] reduced = new float[n];
                direct.get(0, reduced);
                IllegalArgumentException heap = assertThrows(IllegalArgumentException.class, () -> d.allReduceUnchecked(FloatBuffer.allocate(4), ReduceOp.SUM));
                return new Object[] {array, reduced, heap.getMessage()};
            }
        });
        for (Object o : out) if (o instanceof Throwable t) throw new AssertionError(t);
        Object[] r0 = (Object[]) out.get(0), r1 = (Object[]) out.get(1);
        assertArrayEquals((float[]) r0[0], (float[]) r0[1], "direct against array, rank 0");
        assertArrayEquals((float[]) r0[1], (float[]) r1[1], "rank 0 against rank 1");
        assertTrue(((String) r0[2]).contains("direct buffer"), (String) r0[2]);
    }

    @Test
    void mismatchedShapesFailOnEveryRank() {
        HashStore store = new HashStore();
        List<Object> out = run(2, rank -> {
            try (ProcessGroup pg = gloo(store, rank, 2, Duration.ofSeconds(20))) {
                pg.allReduce(rank == 0 ? Torch.zeros(4) : Torch.zeros(2, 2), ReduceOp.SUM).await();
                return null;
            }
        });
        for (Object o : out) {
            assertInstanceOf(DistributedException.class, o);
            String m = ((Throwable) o).getMessage();
            assertTrue(m.contains("rank 0: allReduce float32[4] SUM; rank 1: allReduce float32[2, 2] SUM"), m);
        }
    }

    @Test
    void aPeerThatLeavesMidCollectiveFailsTheOthersFast() {
        HashStore store = new HashStore();
        List<Object> out = run(3, rank -> {
            ProcessGroup pg = gloo(store, rank, 3, Duration.ofSeconds(30));
            pg.barrier().await();
            if (rank == 1) {
                pg.close(); // leaves without joining the next collective
                return 0L;
            }
            long t0 = System.nanoTime();
            try {
                pg.allReduce(new float[1000], ReduceOp.SUM).await();
                return -1L;
            } catch (DistributedException e) {
                return (System.nanoTime() - t0) / 1_000_000;
            } finally {
                pg.close();
            }
        });
        for (int r : new int[] {0, 2}) {
            assertNotNull(out.get(r));
            long ms = (Long) out.get(r);
            assertTrue(ms >= 0 && ms < 2000, "rank " + r + " failed after " + ms + " ms (-1: did not fail)");
        }
    }
}
