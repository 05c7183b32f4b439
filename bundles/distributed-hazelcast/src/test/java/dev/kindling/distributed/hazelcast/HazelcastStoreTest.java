package dev.kindling.distributed.hazelcast;

import dev.kindling.api.Tensor;
import dev.kindling.api.Torch;
import dev.kindling.distributed.Dist;
import dev.kindling.distributed.DistributedTimeoutException;
import dev.kindling.distributed.InitOptions;
import dev.kindling.distributed.ProcessGroup;
import dev.kindling.distributed.ReduceOp;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Two Hazelcast members in this JVM on 127.0.0.1. */
class HazelcastStoreTest {
    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    static HazelcastStore[] pair(int port) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Future<HazelcastStore> a = pool.submit(() -> new HazelcastStore("127.0.0.1", port, 0, Duration.ofSeconds(30)));
            Future<HazelcastStore> b = pool.submit(() -> new HazelcastStore("127.0.0.1", port, 1, Duration.ofSeconds(30)));
            return new HazelcastStore[] {a.get(60, TimeUnit.SECONDS), b.get(60, TimeUnit.SECONDS)};
        } finally {
            pool.shutdown();
        }
    }

    @Test
    void storeOperationsAndALostMemberIsNamed() throws Exception {
        HazelcastStore[] s = pair(freePort());
        try {
            assertEquals(2, s[0].instance().getCluster().getMembers().size(), "one cluster of two members");
            s[0].set("k", "v");
            assertEquals("v", s[1].getString("k"));
            assertEquals(2, s[0].add("n", 2));
            assertEquals(5, s[1].add("n", 3));
            byte[] one = "1".getBytes(StandardCharsets.UTF_8);
            assertArrayEquals(one, s[0].compareSet("c", new byte[0], one));
            assertArrayEquals(one, s[1].compareSet("c", new byte[0], "2".getBytes(StandardCharsets.UTF_8)));
            assertArrayEquals("3".getBytes(StandardCharsets.UTF_8), s[1].compareSet("c", one, "3".getBytes(StandardCharsets.UTF_8)));
            assertThrows(DistributedTimeoutException.class, () -> s[0].wait(List.of("never"), Duration.ofMillis(200)));
            assertTrue(s[0].deleteKey("k"));
            assertFalse(s[1].check(List.of("k")));
            assertTrue(s[0].lostRank().isEmpty());
            long t0 = System.nanoTime();
            s[1].instance().getLifecycleService().terminate(); // as a killed process would vanish
            while (s[0].lostRank().isEmpty() && System.nanoTime() - t0 < 5_000_000_000L) Thread.sleep(10);
            long ms = (System.nanoTime() - t0) / 1_000_000;
            System.out.println("HazelcastStore: the lost member was reported after " + ms + " ms");
            assertEquals(1, s[0].lostRank().orElse(-1));
            assertTrue(ms < 2000, ms + " ms");
        } finally {
            s[0].close();
        }
    }

    @Test
    void aMemberThatChecksOutIsNotLost() throws Exception {
        HazelcastStore[] s = pair(freePort());
        s[1].close();
        Thread.sleep(500);
        assertTrue(s[0].lostRank().isEmpty());
        s[0].close();
    }

    @Test
    void ranksRendezvousThroughTheHazelcastInitMethod() throws Exception {
        int port = freePort();
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Future<float[]>> fs = new ArrayList<>();
            long t0 = System.nanoTime();
            for (int r = 0; r < 2; r++) {
                int rank = r;
                fs.add(pool.submit(() -> {
                    try (ProcessGroup pg = Dist.newProcessGroup(InitOptions.builder().backend("local").initMethod("hazelcast://127.0.0.1:" + port)
                            .rank(rank).worldSize(2).timeout(Duration.ofSeconds(30)).build())) {
                        Tensor t = Torch.full(new long[] {2}, rank + 1.0);
                        pg.allReduce(t, ReduceOp.SUM).await();
                        return t.toFloatArray();
                    }
                }));
            }
            for (Future<float[]> f : fs) assertArrayEquals(new float[] {3, 3}, f.get(60, TimeUnit.SECONDS));
            System.out.println("HazelcastStore: rendezvous, all-reduce and shutdown of 2 ranks took " + (System.nanoTime() - t0) / 1_000_000 + " ms");
        } finally {
            pool.shutdownNow();
        }
    }
}
