package dev.kindling.serving.internal;

import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;

/** The plain-class-path server: {@link ServingServlet} on an embedded Jetty 12 (EE10), one connector, no Server header. */
public final class EmbeddedJetty implements AutoCloseable {
    private final Server jetty;
    private final ModelServer server;
    private final URI uri;

    private EmbeddedJetty(Server jetty, ModelServer server, URI uri) {
        this.jetty = jetty;
        this.server = server;
        this.uri = uri;
    }

    public static EmbeddedJetty start(Path repository, String host, int port, String token, String adminToken, long maxRequestBytes,
                                      long pollMillis) throws IOException {
        ServingOptions d = ServingOptions.defaults();
        ServingOptions options = d.withAddress(host, port).withTokens(token, adminToken)
                .withLimits(maxRequestBytes, d.maxElements(), d.maxJsonDepth()).withPollMillis(pollMillis);
        ModelServer server = new ModelServer(repository, options, "embedded", new ModelRepository.Listener() {
            @Override public void ready(LoadedVersion v) {}

            @Override public void gone(LoadedVersion v) {}
        });
        Server jetty = new Server();
        try {
            server.start();
            HttpConfiguration http = new HttpConfiguration();
            http.setSendServerVersion(false);
            ServerConnector connector = new ServerConnector(jetty, new HttpConnectionFactory(http));
            connector.setHost(host);
            connector.setPort(port);
            jetty.addConnector(connector);
            ServletContextHandler context = new ServletContextHandler("/");
            ServletHolder servlet = new ServletHolder("kindling-serving", new ServingServlet(() -> server.protocol));
            servlet.setAsyncSupported(true);
            context.addServlet(servlet, "/*");
            jetty.setHandler(context);
            jetty.start();
            return new EmbeddedJetty(jetty, server, URI.create("http://" + host + ":" + connector.getLocalPort() + "/"));
        } catch (Exception e) {
            server.close();
            try {
                jetty.stop();
            } catch (Exception ignored) {
                // it did not start either
            }
            if (e instanceof IOException io) throw io;
            throw new IOException("cannot start the HTTP server on " + host + ":" + port + ": " + e.getMessage(), e);
        }
    }

    public URI uri() { return uri; }

    @Override
    public void close() {
        try {
            jetty.stop();
        } catch (Exception e) {
            // stopping is best effort; the models are unloaded either way
        }
        server.close();
    }
}
