package dev.kindling.distributed;

import dev.kindling.api.DType;
import dev.kindling.api.Tensor;
import dev.kindling.api.Torch;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LocalCollectivesTest {
    @Test
    void allReduceCombinesEveryRanksTensorWithEachOp() {
        HashStore store = new HashStore();
        List<float[][]> results = Ranks.values(Ranks.run(3, rank -> {
            try (ProcessGroup pg = Ranks.local(store, rank, 3)) {
                float[][] out = new float[ReduceOp.values().length][];
                for (ReduceOp op : ReduceOp.values()) {
                    Tensor t = Torch.tensor(new float[] {rank + 1, -rank, 0.5f * rank}, 3);
                    pg.allReduce(t, op).await();
                    out[op.ordinal()] = t.toFloatArray();
                }
                return out;
            }
        }));
        float[][] r0 = results.get(0);
        assertArrayEquals(new float[] {6, -3, 1.5f}, r0[ReduceOp.SUM.ordinal()]);
        assertArrayEquals(new float[] {2, -1, 0.5f}, r0[ReduceOp.AVG.ordinal()]);
        assertArrayEquals(new float[] {6, 0, 0}, r0[ReduceOp.PRODUCT.ordinal()]);
        assertArrayEquals(new float[] {1, -2, 0}, r0[ReduceOp.MIN.ordinal()]);
        assertArrayEquals(new float[] {3, 0, 1}, r0[ReduceOp.MAX.ordinal()]);
        for (float[][] r : results) for (int i = 0; i < r.length; i++) assertArrayEquals(r0[i], r[i]);
    }

    @Test
    void broadcastAllGatherBarrierAndAsyncWork() {
        HashStore store = new HashStore();
        List<List<long[]>> results = Ranks.values(Ranks.run(2, rank -> {
            try (ProcessGroup pg = Ranks.local(store, rank, 2)) {
                Tensor b = Torch.tensor(new long[] {rank * 10L, rank * 10L + 1}, 2);
                Work w = pg.broadcast(b, 1);
                w.await();
                assertTrue(w.isCompleted() && w.isSuccess());
                List<Tensor> gathered = new ArrayList<>();
                for (int r = 0; r < 2; r++) gathered.add(Torch.zeros(DType.FLOAT64, 2, 2));
                pg.allGather(gathered, Torch.full(new long[] {2, 2}, rank + 0.25, DType.FLOAT64)).await();
                pg.barrier().await();
                return List.of(b.toLongArray(), new long[] {(long) (gathered.get(0).toDoubleArray()[3] * 4), (long) (gathered.get(1).toDoubleArray()[0] * 4)});
            }
        }));
        for (List<long[]> r : results) {
            assertArrayEquals(new long[] {10, 11}, r.get(0));
            assertArrayEquals(new long[] {1, 5}, r.get(1));
        }
    }

    @Test
    void theDefaultGroupIsPerRankThreadWithTheLocalBackend() {
        HashStore store = new HashStore();
        List<Integer> ranks = Ranks.values(Ranks.run(2, rank -> {
            Dist.initProcessGroup(InitOptions.builder().backend("local").store(store).rank(rank).worldSize(2).build());
            try {
                Tensor t = Torch.ones(4);
                Dist.allReduce(t);
                assertArrayEquals(new float[] {2, 2, 2, 2}, t.toFloatArray());
                assertEquals(2, Dist.getWorldSize());
                return Dist.getRank();
            } finally {
                Dist.destroyProcessGroup();
            }
        }));
        assertEquals(List.of(0, 1), ranks);
        assertThrows(IllegalStateException.class, Dist::getRank);
    }

    @Test
    void differentShapesFailOnEveryRankNamingEachRanksTensor() {
        HashStore store = new HashStore();
        var outcomes = Ranks.run(2, rank -> {
            try (ProcessGroup pg = Ranks.local(store, rank, 2)) {
                Tensor t = rank == 0 ? Torch.zeros(2, 3) : Torch.zeros(3);
                pg.allReduce(t, ReduceOp.SUM).await();
                return null;
            }
        });
        for (var o : outcomes) {
            assertInstanceOf(DistributedException.class, o.error());
            String m = o.error().getMessage();
            assertTrue(m.contains("rank 0: allReduce float32[2, 3] SUM") && m.contains("rank 1: allReduce float32[3] SUM"), m);
        }
    }

    @Test
    void differentDtypesAndDifferentCollectivesFailOnEveryRank() {
        HashStore store = new HashStore();
        var outcomes = Ranks.run(2, rank -> {
            try (ProcessGroup pg = Ranks.local(store, rank, 2)) {
                Tensor t = rank == 0 ? Torch.zeros(3) : Torch.zeros(DType.FLOAT64, 3);
                DistributedException e = assertThrows(DistributedException.class, () -> pg.allReduce(t, ReduceOp.SUM).await());
                // the group is broken from then on, on every rank, without waiting
                DistributedException later = assertThrows(DistributedException.class, () -> pg.barrier().await());
                assertTrue(later.getMessage().contains("broken"), later.getMessage());
                return e.getMessage();
            }
        });
        for (var o : outcomes) assertTrue(o.get().contains("rank 0: allReduce float32[3] SUM; rank 1: allReduce float64[3] SUM"), o.get());

        HashStore store2 = new HashStore();
        var outcomes2 = Ranks.run(2, rank -> {
            try (ProcessGroup pg = Ranks.local(store2, rank, 2)) {
                Tensor t = Torch.zeros(3);
                Work w = rank == 0 ? pg.allReduce(t, ReduceOp.SUM) : pg.broadcast(t, 0);
                return assertThrows(DistributedException.class, w::await).getMessage();
            }
        });
        for (var o : outcomes2) assertTrue(o.get().contains("rank 1: broadcast float32[3] from rank 0"), o.get());
    }

    @Test
    void mismatchedWorldSizesFailOnEveryRank() {
        HashStore store = new HashStore();
        var outcomes = Ranks.run(2, rank -> Ranks.local(store, rank, rank == 0 ? 2 : 3));
        for (var o : outcomes) {
            assertInstanceOf(DistributedException.class, o.error());
            assertTrue(o.error().getMessage().contains("mismatched world sizes"), o.error().getMessage());
        }
    }

    @Test
    void aRankJoiningTwiceFailsOnEveryRank() {
        HashStore store = new HashStore();
        var outcomes = Ranks.run(3, thread -> Ranks.local(store, Math.min(thread, 1), 3));
        for (var o : outcomes) {
            assertNotNull(o.error(), "every rank must fail");
            assertTrue(o.error().getMessage().contains("rank 1 joined twice"), o.error().getMessage());
        }
    }

    @Test
    void aMissingPeerTimesOutAtTheGroupTimeoutNamingIt() {
        HashStore store = new HashStore();
        var outcomes = Ranks.run(2, rank -> {
            ProcessGroup pg = Dist.newProcessGroup(InitOptions.builder().backend("local").store(store).rank(rank).worldSize(2)
                    .timeout(Duration.ofMillis(700)).build());
            if (rank == 1) return 0L; // never joins the collective
            long t0 = System.nanoTime();
            DistributedTimeoutException e = assertThrows(DistributedTimeoutException.class, () -> pg.allReduce(Torch.ones(2), ReduceOp.SUM).await());
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(e.getMessage().contains("rank(s) [1]"), e.getMessage());
            assertEquals(1, e.lostRank().orElse(-1));
            return ms;
        });
        long ms = outcomes.get(0).get();
        assertTrue(ms >= 650 && ms < 3000, "timed out after " + ms + " ms");
    }

    @Test
    void unsupportedInputIsRejectedBeforeAnyRankWaits() {
        HashStore store = new HashStore();
        Ranks.values(Ranks.run(1, rank -> {
            try (ProcessGroup pg = Ranks.local(store, 0, 1)) {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                        () -> pg.allReduce(Torch.zeros(DType.INT64, 2), ReduceOp.AVG));
                assertTrue(e.getMessage().contains("floating-point"), e.getMessage());
                assertThrows(IllegalArgumentException.class, () -> pg.broadcast(Torch.zeros(2), 3));
                return null;
            }
        }));
    }
}
