package dev.kindling.distributed.hazelcast;

import dev.kindling.distributed.Store;
import dev.kindling.distributed.spi.RendezvousHandler;

import org.osgi.service.component.annotations.Component;

import java.net.URI;
import java.time.Duration;
import java.util.Map;

/** The {@code hazelcast://host:port} init method (and {@code env://} with {@code KINDLING_RENDEZVOUS=hazelcast}). */
@Component(service = RendezvousHandler.class)
public class HazelcastRendezvous implements RendezvousHandler {
    @Override
    public String scheme() { return "hazelcast"; }

    @Override
    public Store open(URI initMethod, int rank, int worldSize, Duration timeout, Map<String, String> environment) {
        if (initMethod.getHost() == null || initMethod.getPort() < 0) {
            throw new IllegalArgumentException("init method " + initMethod + ": expected hazelcast://host:port");
        }
        return new HazelcastStore(initMethod.getHost(), initMethod.getPort(), rank, timeout);
    }
}
