package dev.kindling.distributed.gloo.internal;

import dev.kindling.distributed.DistributedException;
import dev.kindling.distributed.DistributedTimeoutException;
import dev.kindling.distributed.Store;
import dev.kindling.distributed.gloo.jni.GlooNative;
import dev.kindling.distributed.gloo.jni.GlooStore;
import dev.kindling.distributed.spi.Collectives;
import dev.kindling.distributed.spi.ProcessGroupBackend;

import org.osgi.service.component.annotations.Component;

import java.io.IOException;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.TimeoutException;

/**
 * The {@code gloo} backend: each rank opens a TCP full mesh to the others through gloo, meeting through the group's
 * store. The interface to bind is {@code KINDLING_GLOO_HOST} (PyTorch's {@code GLOO_SOCKET_IFNAME} analogue, as an
 * address), else 127.0.0.1 when {@code MASTER_ADDR} is a loopback address or unset, else the address of the
 * interface that routes to {@code MASTER_ADDR}.
 */
@Component(service = ProcessGroupBackend.class)
public class GlooBackend implements ProcessGroupBackend {
    @Override
    public String name() { return "gloo"; }

    @Override
    public String unavailableReason() { return GlooNative.unavailableReason(); }

    static String bindAddress() {
        String host = System.getenv("KINDLING_GLOO_HOST");
        if (host != null && !host.isBlank()) return host;
        String master = System.getenv("MASTER_ADDR");
        if (master == null || master.startsWith("127.") || master.equals("localhost")) return "127.0.0.1";
        // The address of the interface that routes to the master: the host name may resolve to 127.0.1.1 (Debian).
        try (java.net.DatagramSocket probe = new java.net.DatagramSocket()) {
            probe.connect(java.net.InetAddress.getByName(master), 9);
            java.net.InetAddress local = probe.getLocalAddress();
            if (local != null && !local.isAnyLocalAddress()) return local.getHostAddress();
        } catch (IOException e) {
            // fall through to the host name
        }
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "127.0.0.1";
        }
    }

    @Override
    public Collectives connect(Store store, int rank, int worldSize, Duration timeout) {
        GlooStore bridge = new GlooStore() {
            @Override public void set(String key, byte[] value) { store.set(key, value); }
            @Override public byte[] get(String key) { return store.get(key); }
            @Override public void waitKeys(String[] keys, long timeoutMillis) { store.wait(Arrays.asList(keys), Duration.ofMillis(timeoutMillis)); }
        };
        try {
            long handle = GlooNative.connect(bridge, rank, worldSize, bindAddress(), timeout.toMillis());
            return new GlooCollectives(handle, rank);
        } catch (IOException e) {
            throw new DistributedException("gloo: rank " + rank + " could not connect to its peers: " + e.getMessage(), e);
        } catch (TimeoutException e) {
            throw new DistributedTimeoutException("gloo: rank " + rank + " timed out connecting to its peers: " + e.getMessage(), -1, e);
        }
    }
}
