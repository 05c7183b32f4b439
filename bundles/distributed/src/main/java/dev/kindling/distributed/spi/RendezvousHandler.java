package dev.kindling.distributed.spi;

import dev.kindling.distributed.Store;

import java.net.URI;
import java.time.Duration;
import java.util.Map;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Serves an init-method scheme ({@code torch.distributed.register_rendezvous_handler}): opens the store through which
 * the ranks meet. Registered as an OSGi service or a {@code ServiceLoader} provider. {@code env://} uses the handler
 * named by the environment variable {@code KINDLING_RENDEZVOUS} (with {@code MASTER_ADDR:MASTER_PORT} as host and
 * port), else the built-in {@code TcpStore}.
 */
@ConsumerType
public interface RendezvousHandler {
    /** The scheme, e.g. {@code hazelcast} for {@code hazelcast://host:port}. */
    String scheme();

    /** The store rank {@code rank} of {@code worldSize} meets the others through; the group closes it at the end. */
    Store open(URI initMethod, int rank, int worldSize, Duration timeout, Map<String, String> environment);
}
