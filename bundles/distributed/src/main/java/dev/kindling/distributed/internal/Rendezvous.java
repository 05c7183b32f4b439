package dev.kindling.distributed.internal;

import dev.kindling.distributed.DistributedException;
import dev.kindling.distributed.DistributedTimeoutException;
import dev.kindling.distributed.FileStore;
import dev.kindling.distributed.InitOptions;
import dev.kindling.distributed.PrefixStore;
import dev.kindling.distributed.ProcessGroup;
import dev.kindling.distributed.Store;
import dev.kindling.distributed.TcpStore;
import dev.kindling.distributed.spi.Collectives;
import dev.kindling.distributed.spi.ProcessGroupBackend;
import dev.kindling.distributed.spi.RendezvousHandler;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.function.Supplier;

/**
 * Turns {@link InitOptions} into a process group: finds the store (explicit, {@code env://}, {@code tcp://},
 * {@code file://}), lets the ranks meet through it while checking that they agree (same world size, each rank once),
 * then has the backend connect them. Any disagreement is written to the store, so that every rank fails with the
 * same message instead of waiting.
 */
public final class Rendezvous {
    private static final long POLL_MILLIS = 5;

    private Rendezvous() {}

    public static ProcessGroup initProcessGroup(InitOptions o) {
        ProcessGroupBackend backend = Backends.INSTANCE.get(o.backend());
        String unavailable = backend.unavailableReason();
        if (unavailable != null) throw new DistributedException("backend '" + backend.name() + "' cannot run here: " + unavailable);

        int[] assigned = backend.launcherRankAndSize();
        if (assigned != null) return launcherAssigned(backend, o, assigned);
        Map<String, String> env = new HashMap<>(o.environment());
        String method = o.initMethod() != null ? o.initMethod() : o.store() != null ? null : "env://";
        Map<String, String> query = new HashMap<>();
        URI uri = null;
        if (method != null) {
            // "env://" has no authority, which java.net.URI rejects: parse it as "env:///"
            uri = URI.create(method.equals("env://") ? "env:///" : method);
            if (uri.getRawQuery() != null) {
                for (String kv : uri.getRawQuery().split("&")) {
                    int eq = kv.indexOf('=');
                    if (eq > 0) query.put(kv.substring(0, eq), kv.substring(eq + 1));
                }
            }
        }
        int rank = o.rank() >= 0 ? o.rank() : intSetting("rank", query, env, "RANK", method);
        int size = o.worldSize() >= 0 ? o.worldSize() : intSetting("world_size", query, env, "WORLD_SIZE", method);
        if (size < 1) throw new IllegalArgumentException("world size must be at least 1, got " + size);
        if (rank < 0 || rank >= size) throw new IllegalArgumentException("rank " + rank + " is not in [0, " + (size - 1) + "] for world size " + size);
        Duration timeout = o.timeout();

        Store root;
        boolean owned = method != null;
        if (method == null) {
            root = o.store();
        } else {
            String scheme = String.valueOf(uri.getScheme());
            String via = env.get("KINDLING_RENDEZVOUS");
            if (scheme.equals("env") && via != null && !via.isBlank() && !via.equals("tcp")) {
                String addr = required(env, "MASTER_ADDR", method);
                int port = parsePort(required(env, "MASTER_PORT", method), "MASTER_PORT");
                uri = URI.create(via + "://" + addr + ":" + port);
                scheme = via;
            }
            RendezvousHandler handler = scheme.equals("env") || scheme.equals("tcp") || scheme.equals("file") ? null : Backends.INSTANCE.handler(scheme);
            switch (scheme) {
                case "env" -> {
                    String addr = required(env, "MASTER_ADDR", method);
                    int port = parsePort(required(env, "MASTER_PORT", method), "MASTER_PORT");
                    root = new TcpStore(addr, port, rank == 0, rank, timeout);
                }
                case "tcp" -> {
                    if (uri.getHost() == null || uri.getPort() < 0) throw new IllegalArgumentException("init method " + method + ": expected tcp://host:port");
                    root = new TcpStore(uri.getHost(), uri.getPort(), rank == 0, rank, timeout);
                }
                case "file" -> root = new FileStore(Path.of(uri.getPath()));
                default -> {
                    if (handler == null) {
                        throw new IllegalArgumentException("unknown init method '" + uri + "' (env://, tcp://host:port, file:///dir, a scheme of an "
                                + "installed RendezvousHandler, or an explicit store)");
                    }
                    root = handler.open(uri, rank, size, timeout, env);
                }
            }
            root.setTimeout(timeout);
        }
        Store group = new PrefixStore(o.groupName(), root);
        Supplier<OptionalInt> lost = root::lostRank;
        Collectives collectives;
        try {
            join(group, rank, size, timeout);
            collectives = backend.connect(new PrefixStore("backend/" + backend.name(), group), rank, size, timeout);
        } catch (RuntimeException e) {
            if (owned) root.close();
            throw e;
        }
        Runnable onClose = () -> leave(group, root, owned, size, timeout);
        return new DefaultProcessGroup(backend.name(), rank, size, timeout, o.checkCollectives(), collectives, lost, onClose);
    }

    /** The ranks came from the engine's launcher (mpirun): nothing to meet through. */
    private static ProcessGroup launcherAssigned(ProcessGroupBackend backend, InitOptions o, int[] assigned) {
        int rank = assigned[0], size = assigned[1];
        if ((o.rank() >= 0 && o.rank() != rank) || (o.worldSize() >= 0 && o.worldSize() != size)) {
            throw new IllegalArgumentException("backend '" + backend.name() + "' runs as rank " + rank + " of " + size + " (from its launcher), but rank "
                    + o.rank() + " of world size " + o.worldSize() + " was asked for");
        }
        Collectives collectives = backend.connect(null, rank, size, o.timeout());
        return new DefaultProcessGroup(backend.name(), rank, size, o.timeout(), o.checkCollectives(), collectives, OptionalInt::empty, () -> { });
    }

    private static String required(Map<String, String> env, String name, String method) {
        String v = env.get(name);
        if (v == null || v.isBlank()) {
            throw new IllegalArgumentException("Error initializing the process group using " + method + " rendezvous: environment variable "
                    + name + " expected, but not set");
        }
        return v;
    }

    private static int intSetting(String queryName, Map<String, String> query, Map<String, String> env, String envName, String method) {
        String v = query.getOrDefault(queryName, env.get(envName));
        if (v == null) {
            throw new IllegalArgumentException("the " + queryName.replace('_', ' ') + " is not given: set InitOptions." + (queryName.equals("rank") ? "rank" : "worldSize")
                    + "(...), the environment variable " + envName + (method != null && !method.startsWith("env") ? ", or ?" + queryName + "= in " + method : ""));
        }
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(envName + " must be an integer, got '" + v + "'");
        }
    }

    private static int parsePort(String v, String name) {
        try {
            int p = Integer.parseInt(v.trim());
            if (p < 0 || p > 65535) throw new NumberFormatException();
            return p;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a port number, got '" + v + "'");
        }
    }

    private static byte[] utf8(String s) { return s.getBytes(StandardCharsets.UTF_8); }

    /** The rendezvous proper: every rank checks in once, with the same world size; then all wait for all. */
    static void join(Store store, int rank, int size, Duration timeout) {
        byte[] agreed = store.compareSet("world_size", new byte[0], utf8(Integer.toString(size)));
        String agreedSize = new String(agreed, StandardCharsets.UTF_8);
        if (!agreedSize.equals(Integer.toString(size))) {
            fail(store, "mismatched world sizes: rank " + rank + " was started with world size " + size
                    + " but the ranks before it with world size " + agreedSize);
        }
        if (store.add("rank/" + rank, 1) > 1) {
            fail(store, "rank " + rank + " joined twice: two processes were started with rank " + rank + " (of world size " + size + ")");
        }
        store.add("joined", 1);
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            if (store.check(List.of("error"))) throw new DistributedException("rendezvous failed on rank " + rank + ": " + store.getString("error"));
            if (store.add("joined", 0) >= size) return;
            if (System.nanoTime() > deadline) {
                List<Integer> missing = new ArrayList<>();
                for (int r = 0; r < size; r++) if (!store.check(List.of("rank/" + r))) missing.add(r);
                throw new DistributedTimeoutException("rendezvous: rank " + rank + " waited " + timeout.toMillis() + " ms for rank(s) " + missing
                        + " of world size " + size + " to join");
            }
            try {
                Thread.sleep(POLL_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new DistributedException("rendezvous: rank " + rank + " was interrupted", e);
            }
        }
    }

    private static void fail(Store store, String message) {
        store.compareSet("error", new byte[0], utf8(message));
        throw new DistributedException("rendezvous failed: " + message);
    }

    /**
     * Checks out of the store; the master keeps serving until every rank has checked out (or a short while has
     * passed), so that no rank loses the store while it still finishes.
     */
    private static void leave(Store group, Store root, boolean owned, int size, Duration timeout) {
        try {
            group.add("finished", 1);
            if (owned && root instanceof TcpStore ts && ts.isMaster()) {
                long deadline = System.nanoTime() + Math.min(timeout.toNanos(), 10_000_000_000L);
                while (group.add("finished", 0) < size && System.nanoTime() < deadline) Thread.sleep(POLL_MILLIS);
            }
        } catch (RuntimeException | InterruptedException e) {
            if (e instanceof InterruptedException) Thread.currentThread().interrupt();
            // the store is gone already: nothing to check out of
        } finally {
            if (owned) root.close();
        }
    }
}
