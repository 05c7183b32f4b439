package dev.kindling.serving.internal;

import dev.kindling.serving.ServedModel;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.ServiceRegistration;
import org.osgi.framework.startlevel.BundleStartLevel;
import org.osgi.framework.startlevel.FrameworkStartLevel;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The running server inside OSGi (at most one): a {@link ModelServer} whose servlet is registered with the Servlet Whiteboard
 * (so it runs on whatever whiteboard runtime is there: Felix HTTP in Kindling's distribution, Pax Web in Karaf), and whose
 * ready versions are registered as {@link ServedModel} services.
 *
 * <p>Configuration Admin (PID {@value #PID}, {@link Settings}) can start a server ({@code repository}) and sets its tokens
 * and limits; a change takes effect at once (the server restarts with the new settings), a value that is not allowed
 * is logged with PID, key and allowed values and the previous setting stays. Without a configuration the framework
 * properties {@code kindling.serve.repository}, {@code kindling.serve.token} and {@code kindling.serve.adminToken} do the
 * same, for a non-interactive {@code bin/kindling}. Tokens never come from a command line, where they would land in the
 * shell's history.
 */
@Component(service = ServingRuntime.class, immediate = true, configurationPid = ServingRuntime.PID, configurationPolicy = ConfigurationPolicy.OPTIONAL)
@Designate(ocd = ServingRuntime.Settings.class)
public class ServingRuntime {
    static final String PID = "dev.kindling.serving";
    private static final System.Logger LOG = System.getLogger(PID);

    @ObjectClassDefinition(id = PID, name = "Kindling model serving",
            description = "A model repository served over the HTTP whiteboard (Open Inference Protocol v2, /predictions, /metrics).")
    public @interface Settings {
        @AttributeDefinition(name = "Repository", required = false,
                description = "A model repository folder (<repo>/<model>/<version>/model.safetensors or model.onnx) to serve; empty: none (kindling:serve starts one).")
        String repository() default "";

        @AttributeDefinition(name = "Host", required = false,
                description = "The address to listen on where Kindling starts the HTTP runtime itself (Felix HTTP); elsewhere the runtime's own (Pax Web: PID org.ops4j.pax.web).")
        String host() default ServingOptions.DEFAULT_HOST;

        @AttributeDefinition(name = "Port", min = "0", max = "65535", required = false,
                description = "The port, under the same rule as the host; a runtime already running must listen on it.")
        int port() default ServingOptions.DEFAULT_PORT;

        @AttributeDefinition(name = "Inference token", required = false, type = org.osgi.service.metatype.annotations.AttributeType.PASSWORD,
                description = "When set, inference requests need 'Authorization: Bearer <token>'.")
        String token() default "";

        @AttributeDefinition(name = "Management token", required = false, type = org.osgi.service.metatype.annotations.AttributeType.PASSWORD,
                description = "When set, the management API (model load/unload) is on and needs 'Authorization: Bearer <token>'.")
        String adminToken() default "";

        @AttributeDefinition(name = "Repository scan (ms)", min = "100", max = "3600000", required = false,
                description = "How often the repository is scanned for new, changed or removed model versions.")
        long pollMillis() default 1000;
    }

    static final String FELIX_HTTP = "org.apache.felix.http.jetty12";
    static final String PORT = "org.osgi.service.http.port";
    static final String HOST = "org.apache.felix.http.host";

    private final BundleContext context;
    private Running running;
    private Bundle startedHttp;
    /** The settings in force (validated), and whether the running server was started by them rather than kindling:serve. */
    private ServingConfig config;
    private boolean startedByConfig;

    /** A started server and its registrations. */
    private final class Running implements ModelRepository.Listener {
        final ModelServer server;
        final String endpoint;
        ServiceRegistration<?> servlet;
        final Map<LoadedVersion, ServiceRegistration<ServedModel>> models = new ConcurrentHashMap<>();
        volatile boolean stopping;

        Running(Path repo, ServingOptions options, String endpoint) throws IOException {
            this.endpoint = endpoint;
            this.server = new ModelServer(repo, options, context.getBundle().getVersion().toString(), this);
        }

        @Override public void ready(LoadedVersion v) {
            if (stopping) return;
            Dictionary<String, Object> p = new Hashtable<>();
            p.put(ServedModel.NAME, v.name);
            p.put(ServedModel.VERSION, v.version);
            p.put(ServedModel.STATE, "READY");
            p.put(ServedModel.PLATFORM, v.platform);
            p.put(ServedModel.SOURCE, v.source.toString());
            p.put(ServedModel.ENDPOINT, endpoint);
            models.put(v, context.registerService(ServedModel.class, v, p));
        }

        @Override public void gone(LoadedVersion v) {
            ServiceRegistration<ServedModel> r = models.remove(v);
            if (r != null) {
                try {
                    r.unregister();
                } catch (IllegalStateException e) {
                    // already gone with the bundle
                }
            }
        }
    }

    @Activate
    public ServingRuntime(BundleContext context, Map<String, Object> properties) {
        this.context = context;
        this.config = ServingConfig.fromFramework(context::getProperty);
        configure(properties);
    }

    /** A new configuration: validated key by key against the one in force, then applied (restarting a server it started). */
    @Modified
    synchronized void configure(Map<String, Object> properties) {
        ServingConfig next = config.update(properties, ServingConfig.fromFramework(context::getProperty), (key, value, allowed, kept) -> LOG.log(System.Logger.Level.ERROR,
                PID + ": " + key + "=" + value + " rejected: allowed values are " + allowed + "; keeping " + key + "=" + kept));
        boolean changed = !next.equals(config);
        config = next;
        if (running != null && startedByConfig && (changed || next.repository() == null)) stop();
        if (running != null && !startedByConfig && changed) restartWithSettings();
        if (running == null && next.repository() != null) {
            try {
                start(next.repository(), next.host(), next.port());
                startedByConfig = true;
            } catch (IOException | IllegalStateException | IllegalArgumentException e) {
                LOG.log(System.Logger.Level.ERROR, PID + ": repository=" + next.repository() + ": not serving: " + e.getMessage());
            }
        }
    }

    /** kindling:serve's server, started again with new tokens and limits on the same repository and address. */
    private void restartWithSettings() {
        Path repo = running.server.repository.root();
        stop();
        try {
            start(repo, null, -1);
        } catch (IOException | IllegalStateException | IllegalArgumentException e) {
            LOG.log(System.Logger.Level.ERROR, PID + ": restarting the server of " + repo + " with the new settings failed: " + e.getMessage());
        }
    }

    /** A whiteboard runtime and the address it listens on, e.g. {@code http://127.0.0.1:8080/}. */
    record Endpoint(Whiteboard whiteboard, String url) {}

    /** The running whiteboard runtime (the Jakarta one first, when both run), or null without one. */
    Endpoint endpoint() {
        for (Whiteboard w : Whiteboard.values()) {
            try {
                ServiceReference<?>[] refs = context.getServiceReferences(w.runtimeService, null);
                if (refs == null) continue;
                for (ServiceReference<?> r : refs) {
                    Object e = r.getProperty("osgi.http.endpoint");
                    if (e instanceof String s) return new Endpoint(w, s);
                    if (e instanceof String[] a && a.length > 0) return new Endpoint(w, a[0]);
                    if (e instanceof java.util.Collection<?> c && !c.isEmpty()) return new Endpoint(w, c.iterator().next().toString());
                }
            } catch (org.osgi.framework.InvalidSyntaxException e) {
                throw new IllegalStateException(e);
            }
        }
        return null;
    }

    /**
     * Starts serving {@code repo} (loading what it holds before returning). The host and port belong to the whiteboard
     * runtime. When this class starts the runtime (see {@link #startHttp}) they are the ones given (default
     * 127.0.0.1:8080); when a runtime already runs, a {@code host}/{@code port} given here must match its own, so a server
     * is never silently somewhere else than asked.
     */
    synchronized String start(Path repo, String host, int port) throws IOException {
        if (running != null) throw new IllegalStateException("already serving " + running.server.repository.root() + " at " + running.endpoint + " (kindling:serve-stop first)");
        Endpoint found = endpoint();
        if (found == null) found = startHttp(host, port);
        if (found == null) {
            throw new IllegalStateException("no HTTP Whiteboard runtime is running: install an implementation (Kindling's distribution ships "
                    + "Felix HTTP Jetty 12; in Karaf, feature:install kindling-serving brings Pax Web)");
        }
        String endpoint = found.url();
        URI at = URI.create(endpoint);
        if (port >= 0 && at.getPort() != port) {
            throw new IllegalArgumentException("the HTTP runtime listens on port " + at.getPort() + ", not " + port
                    + ": the runtime was started before, with its own configuration (the framework property org.osgi.service.http.port)");
        }
        if (host != null && !host.equals(at.getHost())) {
            throw new IllegalArgumentException("the HTTP runtime listens on " + at.getHost() + ", not " + host
                    + ": the runtime was started before, with its own configuration (the framework property org.apache.felix.http.host)");
        }
        ServingOptions options = ServingOptions.defaults().withAddress(at.getHost(), at.getPort())
                .withTokens(config.token(), config.adminToken()).withPollMillis(config.pollMillis());
        Running r = new Running(repo, options, endpoint);
        r.server.start();
        Dictionary<String, Object> p = new Hashtable<>();
        p.put("osgi.http.whiteboard.servlet.pattern", "/*");
        p.put("osgi.http.whiteboard.servlet.name", "kindling-serving");
        // asynchronous, so a request waiting in a model's queue holds no container thread and a disconnect is reported
        p.put("osgi.http.whiteboard.servlet.asyncSupported", Boolean.TRUE);
        r.servlet = context.registerService(found.whiteboard().servletService, found.whiteboard().servlet(() -> r.stopping ? null : r.server.protocol), p);
        running = r;
        startedByConfig = false;
        return endpoint;
    }

    /**
     * Kindling's distribution installs Felix HTTP at a start level above the framework's, so no port is open until a
     * server starts. This brings it up on the host and port asked for (its properties are read from the framework, then
     * from system properties: set here unless the launch configuration fixed them); null when there is no such bundle.
     */
    private Endpoint startHttp(String host, int port) {
        Bundle jetty = null;
        for (Bundle b : context.getBundles()) if (FELIX_HTTP.equals(b.getSymbolicName())) jetty = b;
        if (jetty == null) return null;
        if (context.getProperty(PORT) == null || port >= 0) System.setProperty(PORT, Integer.toString(port >= 0 ? port : ServingOptions.DEFAULT_PORT));
        if (context.getProperty(HOST) == null || host != null) System.setProperty(HOST, host != null ? host : ServingOptions.DEFAULT_HOST);
        FrameworkStartLevel fw = context.getBundle(0).adapt(FrameworkStartLevel.class);
        BundleStartLevel level = jetty.adapt(BundleStartLevel.class);
        try {
            if (level.getStartLevel() > fw.getStartLevel()) level.setStartLevel(fw.getStartLevel());
            jetty.start();
        } catch (BundleException e) {
            throw new IllegalStateException("cannot start the HTTP runtime " + FELIX_HTTP + ": " + e.getMessage(), e);
        }
        startedHttp = jetty;
        long end = System.currentTimeMillis() + 15_000;
        Endpoint endpoint;
        while ((endpoint = endpoint()) == null && System.currentTimeMillis() < end) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        if (endpoint == null) throw new IllegalStateException("the HTTP runtime started but registered no endpoint within 15 s (is port " + System.getProperty(PORT) + " free?)");
        return endpoint;
    }

    /** Stops the HTTP runtime this class started, closing its port. */
    private void stopHttp() {
        Bundle b = startedHttp;
        startedHttp = null;
        if (b == null) return;
        try {
            b.stop();
        } catch (BundleException | IllegalStateException e) {
            // it is going away with the framework
        }
    }

    /** Stops serving: the servlet goes first, then the models (requests in flight finish), then the services. */
    synchronized boolean stop() {
        Running r = running;
        if (r == null) return false;
        running = null;
        r.stopping = true;
        try {
            r.servlet.unregister();
        } catch (IllegalStateException e) {
            // the bundle is stopping and took it already
        }
        r.server.close();
        for (LoadedVersion v : new ArrayList<>(r.models.keySet())) r.gone(v);
        stopHttp();
        notifyAll();
        return true;
    }

    /** Blocks until {@link #stop} (kindling:serve-stop, or the bundle stopping). */
    void awaitStop() throws InterruptedException {
        synchronized (this) {
            while (running != null) wait();
        }
    }

    /** The running server's versions and states, for the shell. */
    synchronized List<ModelRepository.Entry> index() {
        return running == null ? List.of() : running.server.repository.index();
    }

    synchronized String describe() {
        return running == null ? null : running.server.repository.root() + " at " + running.endpoint;
    }

    @Deactivate
    void deactivate() {
        stop();
    }
}
