package dev.kindling.serving;

import dev.kindling.serving.internal.EmbeddedJetty;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;

/**
 * A model server on a plain class path (no OSGi framework): the same endpoints, repository, batching and reload as
 * {@code kindling:serve}, on an embedded Jetty 12 ({@code org.eclipse.jetty.ee10:jetty-ee10-servlet}, which the
 * application puts on its class path; inside OSGi use {@code kindling:serve}, which runs on the Servlet Whiteboard).
 * <pre>{@code
 * try (ModelServing server = ModelServing.builder(Path.of("models")).port(8080).start()) {
 *     ... server.uri() ...
 * }
 * }</pre>
 */
public final class ModelServing implements AutoCloseable {
    private final EmbeddedJetty jetty;

    private ModelServing(EmbeddedJetty jetty) { this.jetty = jetty; }

    public static Builder builder(Path repository) { return new Builder(repository); }

    /** Where it listens, e.g. {@code http://127.0.0.1:8080/} (with the real port when 0 was asked for). */
    public URI uri() { return jetty.uri(); }

    /** Stops accepting requests, then unloads the models. */
    @Override
    public void close() { jetty.close(); }

    /** Settings; the defaults are those of {@code kindling:serve} (127.0.0.1:8080, no tokens, 64 MiB bodies, 1 s rescans). */
    public static final class Builder {
        private final Path repository;
        private String host = "127.0.0.1";
        private int port = 8080;
        private String token, adminToken;
        private long maxRequestBytes = 64L << 20;
        private long pollMillis = 1000;

        private Builder(Path repository) { this.repository = repository; }

        public Builder host(String host) {
            this.host = host;
            return this;
        }

        /** 0 picks a free port. */
        public Builder port(int port) {
            this.port = port;
            return this;
        }

        /** Requires {@code Authorization: Bearer <token>} on inference, metadata and metrics. */
        public Builder token(String token) {
            this.token = token;
            return this;
        }

        /** Enables the repository API (index, load, unload) behind this token. */
        public Builder adminToken(String adminToken) {
            this.adminToken = adminToken;
            return this;
        }

        public Builder maxRequestBytes(long maxRequestBytes) {
            this.maxRequestBytes = maxRequestBytes;
            return this;
        }

        /** How often the repository is rescanned for new or changed versions; 0 turns reloading off. */
        public Builder pollMillis(long pollMillis) {
            this.pollMillis = pollMillis;
            return this;
        }

        /** Loads the repository (waiting for it) and starts listening. */
        public ModelServing start() throws IOException {
            return new ModelServing(EmbeddedJetty.start(repository, host, port, token, adminToken, maxRequestBytes, pollMillis));
        }
    }
}
