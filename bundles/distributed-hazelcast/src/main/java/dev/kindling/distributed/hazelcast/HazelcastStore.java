package dev.kindling.distributed.hazelcast;

import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.NetworkConfig;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.EntryProcessor;
import com.hazelcast.map.IMap;
import dev.kindling.distributed.DistributedException;
import dev.kindling.distributed.DistributedTimeoutException;
import dev.kindling.distributed.Store;

import java.io.IOException;
import java.io.Serializable;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A {@link Store} on an embedded Hazelcast member per rank (AP structures only: one IMap, entry processors for
 * counters; the CP subsystem is Enterprise-only since 5.5). Rank 0's member listens on {@code host:port}; the
 * others join it over TCP-IP (multicast off). A member that leaves without checking out (a killed process) is
 * reported by Hazelcast's membership events, usually within half a second, and {@link #lostRank()} names its rank.
 */
public final class HazelcastStore implements Store {
    private static final String RANK_ATTRIBUTE = "kindling.rank";
    private static final long POLL_MILLIS = 5;

    private final HazelcastInstance hz;
    private final IMap<String, byte[]> map;
    private final int rank;
    private final List<Integer> removedRanks = new CopyOnWriteArrayList<>();
    private volatile Duration timeout;

    public HazelcastStore(String host, int port, int rank, Duration timeout) {
        this.rank = rank;
        this.timeout = timeout;
        if (rank != 0) awaitMaster(host, port, timeout);
        Config c = new Config();
        c.setClassLoader(HazelcastStore.class.getClassLoader());
        c.setClusterName("kindling-" + host + "-" + port);
        // measured: joining takes 7-9 s with Hazelcast's defaults and under 3 s with these
        c.setProperty("hazelcast.wait.seconds.before.join", "0");
        c.setProperty("hazelcast.phone.home.enabled", "false");
        c.setProperty("hazelcast.shutdownhook.enabled", "false");
        c.setProperty("hazelcast.logging.type", "none");
        c.getMemberAttributeConfig().setAttribute(RANK_ATTRIBUTE, Integer.toString(rank));
        NetworkConfig n = c.getNetworkConfig();
        n.setPort(rank == 0 ? port : port + 1);
        n.setPortAutoIncrement(rank != 0);
        n.setPortCount(1000);
        if (host.startsWith("127.") || host.equals("localhost")) c.setProperty("hazelcast.local.localAddress", "127.0.0.1");
        JoinConfig join = n.getJoin();
        join.getMulticastConfig().setEnabled(false);
        join.getAutoDetectionConfig().setEnabled(false);
        join.getTcpIpConfig().setEnabled(true).setConnectionTimeoutSeconds(1).addMember(host + ":" + port);
        try {
            hz = Hazelcast.newHazelcastInstance(c);
        } catch (RuntimeException e) {
            throw new DistributedException("HazelcastStore: rank " + rank + " could not start its member for " + host + ":" + port + ": " + e.getMessage(), e);
        }
        hz.getCluster().addMembershipListener(new MembershipListener() {
            @Override
            public void memberAdded(MembershipEvent e) {}

            @Override
            public void memberRemoved(MembershipEvent e) {
                String r = e.getMember().getAttribute(RANK_ATTRIBUTE);
                if (r != null) removedRanks.add(Integer.parseInt(r));
            }
        });
        map = hz.getMap("kindling-store");
    }

    /** Rank 0's member must be up before the others start theirs, or they would form clusters of their own. */
    private static void awaitMaster(String host, int port, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(host, port), 500);
                return;
            } catch (IOException e) {
                if (System.nanoTime() > deadline) {
                    throw new DistributedTimeoutException("HazelcastStore: rank 0's member at " + host + ":" + port + " did not come up within "
                            + timeout.toMillis() + " ms", 0, e);
                }
                try {
                    Thread.sleep(20);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw new DistributedException("HazelcastStore: interrupted while waiting for rank 0", ie);
                }
            }
        }
    }

    /** The Hazelcast member (for membership listeners of one's own). */
    public HazelcastInstance instance() { return hz; }

    @Override
    public void set(String key, byte[] value) { map.set(key, value.clone()); }

    @Override
    public byte[] get(String key) {
        wait(List.of(key));
        return map.get(key);
    }

    /** Adds in place on the key's owner, so concurrent adds from several ranks never lose one. */
    private static final class Add implements EntryProcessor<String, byte[], Long>, Serializable {
        private static final long serialVersionUID = 1L;
        private final long delta;

        Add(long delta) { this.delta = delta; }

        @Override
        public Long process(Map.Entry<String, byte[]> entry) {
            byte[] v = entry.getValue();
            long n = (v == null ? 0 : Long.parseLong(new String(v, StandardCharsets.UTF_8))) + delta;
            entry.setValue(Long.toString(n).getBytes(StandardCharsets.UTF_8));
            return n;
        }
    }

    @Override
    public long add(String key, long delta) { return map.executeOnKey(key, new Add(delta)); }

    @Override
    public byte[] compareSet(String key, byte[] expected, byte[] desired) {
        if (expected.length == 0) {
            byte[] previous = map.putIfAbsent(key, desired.clone());
            return previous == null ? desired.clone() : previous;
        }
        if (map.replace(key, expected, desired.clone())) return desired.clone();
        byte[] current = map.get(key);
        return current == null ? expected.clone() : current;
    }

    @Override
    public boolean check(List<String> keys) {
        for (String k : keys) if (!map.containsKey(k)) return false;
        return true;
    }

    @Override
    public void wait(List<String> keys, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!check(keys)) {
            if (System.nanoTime() > deadline) {
                List<String> missing = new ArrayList<>();
                for (String k : keys) if (!map.containsKey(k)) missing.add(k);
                throw new DistributedTimeoutException("HazelcastStore: timed out after " + timeout.toMillis() + " ms waiting for keys " + missing);
            }
            try {
                Thread.sleep(POLL_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new DistributedException("HazelcastStore: interrupted while waiting for keys " + keys, e);
            }
        }
    }

    @Override
    public boolean deleteKey(String key) { return map.remove(key) != null; }

    @Override
    public Duration timeout() { return timeout; }

    @Override
    public void setTimeout(Duration timeout) { this.timeout = timeout; }

    /** The first rank whose member vanished without checking out (see {@link #close()}). */
    @Override
    public OptionalInt lostRank() {
        for (int r : removedRanks) {
            try {
                if (!map.containsKey("kindling/left/" + r)) return OptionalInt.of(r);
            } catch (RuntimeException e) {
                return OptionalInt.of(r); // the map is gone with it
            }
        }
        return OptionalInt.empty();
    }

    /** Checks out (so this member's departure is not taken for a loss) and leaves the cluster. */
    @Override
    public void close() {
        try {
            map.set("kindling/left/" + rank, new byte[] {1});
        } catch (RuntimeException ignored) {
            // the cluster is gone already
        }
        hz.shutdown();
    }
}
