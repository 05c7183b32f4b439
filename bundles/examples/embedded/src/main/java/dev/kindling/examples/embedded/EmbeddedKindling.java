package dev.kindling.examples.embedded;

import org.apache.felix.service.command.CommandProcessor;
import org.apache.felix.service.command.CommandSession;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.Constants;
import org.osgi.framework.FrameworkEvent;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.launch.Framework;
import org.osgi.framework.launch.FrameworkFactory;
import org.osgi.util.tracker.ServiceTracker;

import java.io.ByteArrayInputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.stream.Stream;

/**
 * Kindling embedded in an application: the pattern for putting it inside an existing server.
 *
 * <ol>
 *   <li>Start an OSGi framework in-process through {@link FrameworkFactory} (whichever implementation is on the class
 *       path: Felix here, Equinox works the same), sharing with it only Gogo's command API (a system package).</li>
 *   <li>Install Kindling's bundles from a folder and start them; Declarative Services wires them.</li>
 *   <li>Train and serve through the OSGi services: Kindling's commands through the {@link CommandProcessor} service, the
 *       served models found as {@code dev.kindling.serving.ServedModel} services by their properties (the application
 *       needs none of Kindling's classes), and the model queried over HTTP.</li>
 *   <li>Stop the framework and wait for it, so that nothing outlives the embedding.</li>
 * </ol>
 *
 * <p>Usage: {@code java --add-modules=jdk.incubator.vector -cp <this>:<felix>:<gogo-runtime> EmbeddedKindling <bundle-dir>
 * <work-dir>}. Exits with status 1 when a step fails.
 */
public final class EmbeddedKindling {
    private EmbeddedKindling() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            System.err.println("usage: EmbeddedKindling <bundle-dir> <work-dir>");
            System.exit(2);
        }
        Path bundles = Path.of(args[0]);
        Path work = Files.createDirectories(Path.of(args[1]).toAbsolutePath());
        int port = freePort();
        long t0 = System.nanoTime();

        Map<String, String> config = new HashMap<>();
        config.put(Constants.FRAMEWORK_STORAGE, work.resolve("osgi-cache").toString());
        config.put(Constants.FRAMEWORK_STORAGE_CLEAN, Constants.FRAMEWORK_STORAGE_CLEAN_ONFIRSTINIT);
        // The one API the application shares with the bundles; the Vector API where this JVM has it.
        String shared = "org.apache.felix.service.command;version=1.0.0";
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent()) shared += ",jdk.incubator.vector";
        config.put(Constants.FRAMEWORK_SYSTEMPACKAGES_EXTRA, shared);
        // Felix HTTP's settings: the port the models are served on.
        config.put("org.osgi.service.http.port", Integer.toString(port));
        config.put("org.apache.felix.http.host", "127.0.0.1");
        // pax-logging-api's fallback logger (Felix HTTP logs through it) reads its level from the system properties.
        System.setProperty("org.ops4j.pax.logging.DefaultServiceLog.level", "WARN");

        FrameworkFactory factory = ServiceLoader.load(FrameworkFactory.class).findFirst()
                .orElseThrow(() -> new IllegalStateException("no OSGi framework on the class path (add org.apache.felix.framework)"));
        Framework framework = factory.newFramework(config);
        framework.start();
        boolean ok = false;
        try {
            BundleContext context = framework.getBundleContext();
            List<Bundle> installed = install(context, bundles);
            System.out.printf("started %s %s with %d bundles in %d ms%n", framework.getSymbolicName(), framework.getVersion(),
                    installed.size(), (System.nanoTime() - t0) / 1_000_000);
            ok = run(context, work, port);
        } finally {
            long stop = System.nanoTime();
            framework.stop();
            FrameworkEvent e = framework.waitForStop(30_000);
            System.out.printf("framework stopped (%s) in %d ms%n", e.getType() == FrameworkEvent.STOPPED ? "cleanly" : "event " + e.getType(),
                    (System.nanoTime() - stop) / 1_000_000);
        }
        // Equinox's "Framework stop" thread reports STOPPED before it has returned; a thread still ending gets until a
        // deadline to do so, one that keeps running past it is left behind
        long deadline = System.nanoTime() + 5_000_000_000L;
        List<String> left = new ArrayList<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.isDaemon() || t == Thread.currentThread()) continue;
            t.join(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
            if (t.isAlive()) left.add(t.getName());
        }
        if (!left.isEmpty()) System.out.println("non-daemon threads still running: " + left);
        System.exit(ok && left.isEmpty() ? 0 : 1);
    }

    /** Installs every bundle in {@code dir}, then starts all that are not fragments. */
    static List<Bundle> install(BundleContext context, Path dir) throws IOException, BundleException {
        List<Path> jars;
        try (Stream<Path> s = Files.list(dir)) {
            jars = s.filter(p -> p.toString().endsWith(".jar")).sorted(Comparator.comparing(Path::toString)).toList();
        }
        if (jars.isEmpty()) throw new IllegalStateException("no bundles in " + dir);
        List<Bundle> installed = new ArrayList<>();
        for (Path jar : jars) installed.add(context.installBundle(jar.toUri().toString()));
        for (Bundle b : installed) if (b.getHeaders().get(Constants.FRAGMENT_HOST) == null) b.start();
        return installed;
    }

    /** Trains Digits, serves the model, queries it; true when every step did what it should. */
    static boolean run(BundleContext context, Path work, int port) throws Exception {
        ServiceTracker<CommandProcessor, CommandProcessor> tracker = new ServiceTracker<>(context, CommandProcessor.class, null);
        tracker.open();
        try {
            CommandProcessor processor = tracker.waitForService(30_000);
            if (processor == null) throw new IllegalStateException("no CommandProcessor service within 30 s");
            awaitCommand(context, "train");
            awaitCommand(context, "serve");
            // The session writes to the process's own streams: Gogo redirects System.out per thread, to the session.
            PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8);
            PrintStream err = new PrintStream(new FileOutputStream(FileDescriptor.err), true, StandardCharsets.UTF_8);
            try (CommandSession session = processor.createSession(new ByteArrayInputStream(new byte[0]), out, err)) {
                Path run = work.resolve("digits-run");
                deleteRecursively(run);
                String trained = String.valueOf(session.execute("kindling:train digits mlp --epochs 20 --lr 0.01 --out " + run + " --wait"));
                System.out.println(trained);
                double accuracy = Double.parseDouble(trained.replaceAll("(?s).*test accuracy (\\d\\.\\d+).*", "$1"));

                Path version = work.resolve("repository/digits/1");
                deleteRecursively(work.resolve("repository"));
                Files.createDirectories(version);
                Files.copy(run.resolve("model.safetensors"), version.resolve("model.safetensors"));
                System.out.println(session.execute("kindling:serve " + work.resolve("repository")));

                // The served models are services: the application finds them by their properties.
                ServiceReference<?>[] served = context.getServiceReferences("dev.kindling.serving.ServedModel", null);
                for (ServiceReference<?> r : served == null ? new ServiceReference<?>[0] : served) {
                    System.out.printf("served model service: %s version %s%n", r.getProperty("model.name"), r.getProperty("model.version"));
                }

                String predicted = infer(port);
                System.out.println("POST /v2/models/digits/infer -> " + predicted);
                System.out.println(session.execute("kindling:serve-stop"));
                boolean good = accuracy >= 0.95 && served != null && served.length == 1 && predicted.startsWith("{\"model_name\":\"digits\"");
                System.out.printf("test accuracy %.4f, %d served model(s): %s%n", accuracy, served == null ? 0 : served.length, good ? "OK" : "FAILED");
                return good;
            }
        } finally {
            tracker.close();
        }
    }

    /** Waits for the Gogo command {@code kindling:<name>} (its bundle's components activate asynchronously). */
    static void awaitCommand(BundleContext context, String name) throws InterruptedException, InvalidSyntaxException {
        long end = System.currentTimeMillis() + 30_000;
        String filter = "(&(osgi.command.scope=kindling)(osgi.command.function=" + name + "))";
        while (context.getServiceReferences((String) null, filter) == null) {
            if (System.currentTimeMillis() > end) throw new IllegalStateException("the command kindling:" + name + " did not appear within 30 s");
            Thread.sleep(50);
        }
    }

    /** One Digits sample (all zeros but a stroke) through the Open Inference Protocol. */
    static String infer(int port) throws IOException, InterruptedException {
        StringBuilder row = new StringBuilder();
        for (int i = 0; i < 64; i++) row.append(i == 0 ? "" : ",").append(i % 8 == 3 || i % 8 == 4 ? 16 : 0);
        String body = "{\"inputs\":[{\"name\":\"input\",\"datatype\":\"FP32\",\"shape\":[1,64],\"data\":[" + row + "]}]}";
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v2/models/digits/infer"))
                .timeout(java.time.Duration.ofSeconds(30)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) throw new IllegalStateException("inference answered " + r.statusCode() + ": " + r.body());
        return r.body();
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    static void deleteRecursively(Path p) throws IOException {
        if (!Files.exists(p)) return;
        try (Stream<Path> s = Files.walk(p)) {
            for (Path q : s.sorted(Comparator.reverseOrder()).toList()) Files.delete(q);
        }
    }

}
