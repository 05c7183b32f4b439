package dev.kindling.distributed;

import dev.kindling.api.Tensor;
import dev.kindling.api.Torch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.DataOutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StoreTest {
    @TempDir
    Path dir;

    /** The c10d store contract, for any store; {@code other} is a second handle on the same store. */
    static void contract(Store store, Store other) throws Exception {
        store.setTimeout(Duration.ofSeconds(5));
        other.setTimeout(Duration.ofSeconds(5));
        store.set("a/b", "x");
        assertEquals("x", other.getString("a/b"));
        assertEquals(3, store.add("n", 3));
        assertEquals(5, other.add("n", 2));
        assertEquals("5", store.getString("n"));
        assertArrayEquals("v1".getBytes(StandardCharsets.UTF_8), store.compareSet("c", new byte[0], "v1".getBytes(StandardCharsets.UTF_8)));
        assertArrayEquals("v1".getBytes(StandardCharsets.UTF_8), other.compareSet("c", "zz".getBytes(StandardCharsets.UTF_8), "v2".getBytes(StandardCharsets.UTF_8)));
        assertTrue(store.check(List.of("a/b", "n")));
        assertFalse(store.check(List.of("a/b", "missing")));
        Thread setter = new Thread(() -> {
            try {
                Thread.sleep(100);
            } catch (InterruptedException ignored) {
                return;
            }
            other.set("late", "y");
        });
        setter.start();
        store.wait(List.of("late"));
        assertEquals("y", store.getString("late"));
        setter.join();
        long t0 = System.nanoTime();
        DistributedTimeoutException e = assertThrows(DistributedTimeoutException.class, () -> store.wait(List.of("never"), Duration.ofMillis(300)));
        assertTrue(e.getMessage().contains("never"), e.getMessage());
        assertTrue((System.nanoTime() - t0) / 1_000_000 >= 290);
        assertTrue(store.deleteKey("a/b"));
        assertFalse(other.check(List.of("a/b")));
        PrefixStore p = new PrefixStore("g", store);
        p.set("k", "1");
        assertEquals("1", other.getString("g/k"));
    }

    @Test
    void hashStore() throws Exception {
        HashStore s = new HashStore();
        contract(s, s);
    }

    @Test
    void fileStoreIsSharedThroughTheDirectory() throws Exception {
        contract(new FileStore(dir), new FileStore(dir));
    }

    @Test
    void tcpStoreServesClients() throws Exception {
        try (TcpStore master = new TcpStore("127.0.0.1", 0, true, 0, Duration.ofSeconds(5));
             TcpStore client = new TcpStore("127.0.0.1", master.port(), false, 1, Duration.ofSeconds(5))) {
            contract(client, master);
            assertTrue(client.lostRank().isEmpty());
        }
    }

    @Test
    void tcpStoreNamesARankWhoseConnectionDropsWithoutGoodbye() throws Exception {
        try (TcpStore master = new TcpStore("127.0.0.1", 0, true, 0, Duration.ofSeconds(5))) {
            TcpStore polite = new TcpStore("127.0.0.1", master.port(), false, 1, Duration.ofSeconds(5));
            polite.close();
            try (Socket s = new Socket("127.0.0.1", master.port()); DataOutputStream out = new DataOutputStream(s.getOutputStream())) {
                out.writeByte(8); // HELLO, as a rank's store client sends it
                out.writeInt(2);
                out.flush();
                s.getInputStream().read();
            } // closed without BYE: what a killed process leaves behind
            master.wait(List.of(TcpStore.LOST_RANK_KEY), Duration.ofSeconds(5));
            assertEquals(2, master.lostRank().orElse(-1));
        }
    }

    /**
     * The master's rank failing right after the lost one (its collectives broke too) must not take the answer with it:
     * while a survivor is connected, closing the master waits (up to TcpStore.LINGER) for it to hang up, so the
     * survivor still learns the lost rank from the store instead of "lost the master (rank 0)".
     */
    @Test
    void aMasterThatRecordedALostRankServesTheSurvivorsBeforeItCloses() throws Exception {
        TcpStore master = new TcpStore("127.0.0.1", 0, true, 0, Duration.ofSeconds(5));
        TcpStore survivor = new TcpStore("127.0.0.1", master.port(), false, 2, Duration.ofSeconds(5));
        try (Socket s = new Socket("127.0.0.1", master.port()); DataOutputStream out = new DataOutputStream(s.getOutputStream())) {
            out.writeByte(8); // HELLO from rank 1, which then vanishes without BYE
            out.writeInt(1);
            out.flush();
            s.getInputStream().read();
        }
        master.wait(List.of(TcpStore.LOST_RANK_KEY), Duration.ofSeconds(5));
        long t0 = System.nanoTime();
        Thread closing = new Thread(master::close);
        closing.start();
        Thread.sleep(200); // the master is closing (lingering) by now
        assertTrue(closing.isAlive(), "the master waits for the connected survivor");
        assertEquals(1, survivor.lostRank().orElse(-1), "the survivor names the lost rank, not the master");
        survivor.close();
        closing.join(5000);
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertFalse(closing.isAlive());
        assertTrue(ms < TcpStore.LINGER.toMillis(), "the master stops once the survivor hung up, not at the end of the linger: " + ms + " ms");

        // without a lost rank, closing does not wait
        TcpStore quiet = new TcpStore("127.0.0.1", 0, true, 0, Duration.ofSeconds(5));
        TcpStore peer = new TcpStore("127.0.0.1", quiet.port(), false, 1, Duration.ofSeconds(5));
        long t1 = System.nanoTime();
        quiet.close();
        assertTrue((System.nanoTime() - t1) / 1_000_000 < 500, "no linger without a lost rank");
        peer.close();
    }

    @Test
    void tcpStoreClientReportsAnUnreachableMaster() {
        DistributedTimeoutException e = assertThrows(DistributedTimeoutException.class,
                () -> new TcpStore("127.0.0.1", 1, false, 3, Duration.ofMillis(300)));
        assertTrue(e.getMessage().contains("rank 3 could not reach the master at 127.0.0.1:1"), e.getMessage());
    }

    @Test
    void envInitNamesTheMissingVariable() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Dist.newProcessGroup(InitOptions.builder()
                .backend("local").environment(Map.of("RANK", "0", "WORLD_SIZE", "1")).build()));
        assertTrue(e.getMessage().contains("environment variable MASTER_ADDR expected, but not set"), e.getMessage());
        IllegalArgumentException e2 = assertThrows(IllegalArgumentException.class, () -> Dist.newProcessGroup(InitOptions.builder()
                .backend("nope").build()));
        assertTrue(e2.getMessage().contains("unknown distributed backend 'nope'") && e2.getMessage().contains("local"), e2.getMessage());
    }

    @Test
    void envAndFileInitMethodsRendezvousRanks() {
        Supplier<Integer> freePort = () -> {
            try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
                return s.getLocalPort();
            } catch (java.io.IOException e) {
                throw new AssertionError(e);
            }
        };
        int port = freePort.get();
        String fileInit = dir.toUri().toString();
        for (String method : List.of("env://", fileInit)) {
            List<float[]> sums = Ranks.values(Ranks.run(2, rank -> {
                Map<String, String> env = Map.of("RANK", "" + rank, "WORLD_SIZE", "2", "MASTER_ADDR", "127.0.0.1", "MASTER_PORT", "" + port);
                try (ProcessGroup pg = Dist.newProcessGroup(InitOptions.builder().backend("local").initMethod(method).environment(env)
                        .groupName("g" + method.length()).build())) {
                    Tensor t = Torch.full(new long[] {2}, rank + 1.0);
                    pg.allReduce(t, ReduceOp.SUM).await();
                    return t.toFloatArray();
                }
            }));
            for (float[] s : sums) assertArrayEquals(new float[] {3, 3}, s, method);
        }
    }
}
