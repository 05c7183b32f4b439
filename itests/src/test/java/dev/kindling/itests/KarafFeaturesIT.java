package dev.kindling.itests;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledForJreRange;
import org.junit.jupiter.api.condition.JRE;

import java.io.IOException;
import java.net.ConnectException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A real Apache Karaf 4.4 (the distribution from Maven Central, unpacked, started as {@code bin/karaf server}) driven
 * through its SSH shell with {@code bin/client}, as an operator would: add Kindling's features repository, install
 * {@code kindling} and {@code kindling-serving}, train Digits from Karaf's shell, serve the model through a configuration,
 * query it over HTTP (Pax Web), change configurations at run time (and a bad value), and uninstall everything.
 *
 * <p>Karaf resolves every bundle from the offline repository the features module builds
 * (distribution/karaf/target/repository) and its own system folder: no network.
 */
// Karaf 4.4.10, the newest release served here, does not run on JDK 24 or later. Its start scripts pass
// -Djava.security.manager=allow, which those JDKs refuse. Without that flag, its event admin calls Subject.getSubject,
// which JEP 486 made unsupported (tried on Temurin 25). Upstream tracks this as apache/karaf#2128 and #2214. Kindling's
// bundles are tested on JDK 25 in the Felix integration tests.
@DisabledForJreRange(min = JRE.JAVA_24, disabledReason = "Karaf 4.4.10 does not start on JDK 24+: its scripts enable the"
        + " Security Manager, and its event admin needs Subject.getSubject (JEP 486); apache/karaf#2128")
class KarafFeaturesIT {
    static final String VERSION = System.getProperty("kindling.version", "0.1.0-SNAPSHOT");
    static final Pattern ACCURACY = Pattern.compile("test accuracy (\\d\\.\\d+)");

    static Path work;
    static Path karaf;
    static Process server;
    static int sshPort, httpPort;
    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void startKaraf() throws Exception {
        Path archive = Path.of(System.getProperty("kindling.karaf.archive", "target/karaf-dist/apache-karaf.tar.gz"));
        Path repository = Path.of(System.getProperty("kindling.karaf.repository", "../distribution/karaf/target/repository")).toAbsolutePath();
        assertTrue(Files.isRegularFile(archive), "no Karaf archive at " + archive + " (mvn verify copies it in pre-integration-test)");
        assertTrue(Files.isDirectory(repository), "no offline features repository at " + repository + " (built by distribution/karaf)");
        work = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "karaf-");
        exec(work, 60, "tar", "xzf", archive.toAbsolutePath().toString(), "-C", work.toString());
        try (var dirs = Files.list(work)) {
            karaf = dirs.filter(p -> p.getFileName().toString().startsWith("apache-karaf-")).findFirst().orElseThrow();
        }
        sshPort = freePort();
        httpPort = freePort();
        Path etc = karaf.resolve("etc");
        // Offline: the system folder and Kindling's repository; a local repository of its own, not the user's ~/.m2.
        append(etc.resolve("org.ops4j.pax.url.mvn.cfg"), "\norg.ops4j.pax.url.mvn.defaultRepositories=${karaf.home.uri}${karaf.default.repository}@id=system.repository@snapshots, "
                + repository.toUri() + "@id=kindling@snapshots\norg.ops4j.pax.url.mvn.repositories=\n"
                + "org.ops4j.pax.url.mvn.localRepository=${karaf.data}/m2\norg.ops4j.pax.url.mvn.offline=true\n");
        append(etc.resolve("org.apache.karaf.shell.cfg"), "\nsshPort=" + sshPort + "\n");
        append(etc.resolve("org.apache.karaf.management.cfg"), "\nrmiRegistryPort=" + freePort() + "\nrmiServerPort=" + freePort() + "\n");
        Files.writeString(etc.resolve("org.ops4j.pax.web.cfg"), "org.osgi.service.http.port=" + httpPort + "\norg.ops4j.pax.web.listening.addresses=127.0.0.1\n");
        // The shell user bin/client logs in as (commented out in a fresh Karaf).
        Path users = etc.resolve("users.properties");
        Files.writeString(users, Files.readString(users).replace("#karaf = karaf,_g_:admingroup", "karaf = karaf,_g_:admingroup")
                .replace("#_g_\\:admingroup", "_g_\\:admingroup"));
        // The Vector API for the CPU kernels: the module on the JVM, the package exported by the system bundle.
        Path config = etc.resolve("config.properties");
        Files.writeString(config, Files.readString(config).replace("org.osgi.framework.system.packages.extra = \\\n",
                "org.osgi.framework.system.packages.extra = \\\n    jdk.incubator.vector, \\\n"));

        ProcessBuilder pb = new ProcessBuilder(karaf.resolve("bin/karaf").toString(), "server").directory(karaf.toFile())
                .redirectErrorStream(true).redirectOutput(work.resolve("karaf.out").toFile());
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        pb.environment().put("EXTRA_JAVA_OPTS", "--add-modules=jdk.incubator.vector");
        server = pb.start();
        long end = System.currentTimeMillis() + 180_000;
        while (true) {
            assertTrue(server.isAlive(), "Karaf exited: " + Files.readString(work.resolve("karaf.out")));
            Shell s = shell(30, "bundle:list -t 0 | grep -c Active");
            if (s.status == 0 && s.out.trim().matches("(?s).*\\d+.*")) break;
            if (System.currentTimeMillis() > end) fail("Karaf's shell did not answer within 180 s: " + s.out);
            Thread.sleep(1000);
        }
    }

    @AfterAll
    static void stopKaraf() throws Exception {
        if (server == null) return;
        shell(30, "system:shutdown -f");
        if (!server.waitFor(60, TimeUnit.SECONDS)) {
            server.descendants().forEach(ProcessHandle::destroyForcibly);
            server.destroyForcibly();
        }
    }

    @Test
    void installsTrainsServesIsConfiguredAtRunTimeAndUninstallsCleanly() throws Exception {
        Shell add = shell(120, "feature:repo-add mvn:dev.kindling/kindling-features/" + VERSION + "/xml/features",
                "feature:install kindling", "feature:install kindling-serving", "feature:install kindling-cuda",
                "feature:install kindling-distributed");
        assertEquals(0, add.status, add.out);
        assertFalse(add.out.contains("Error"), add.out);
        awaitOutput("service:list dev.kindling.serving.internal.ServeCommand", "osgi.command.function = serve");
        awaitOutput("echo (kindling:backends)", "cpu-java");
        assertNoBundleInTrouble();
        awaitOutput("service:list dev.kindling.distributed.spi.ProcessGroupBackend", "dev.kindling.distributed.gloo");
        String backends = awaitOutput("echo (kindling:backends)", "cuda-jcuda");
        assertTrue(backends.contains("Vector API kernels"), backends);
        if (!backends.matches("(?s).*cuda-jcuda\\s+cuda\\s+\\S+\\s+\\d+\\s+available.*")) {
            assertTrue(backends.contains("unavailable"), "without a GPU the CUDA backend says why: " + backends);
        }

        // Train from Karaf's shell: a job in the foreground, its summary printed.
        Path run = work.resolve("run");
        Shell trained = shell(300, "echo (kindling:train digits mlp --lr 0.01 --out " + run + " --wait)");
        Matcher m = ACCURACY.matcher(trained.out);
        assertTrue(m.find(), trained.out);
        assertTrue(Double.parseDouble(m.group(1)) >= 0.95, "accuracy " + m.group(1) + ": " + trained.out);

        // Serve it through the serving PID (as a .cfg file or config:edit would), over Pax Web's port.
        Path version = Files.createDirectories(work.resolve("repo/digits/1"));
        Files.copy(run.resolve("model.safetensors"), version.resolve("model.safetensors"));
        shell(30, "config:edit dev.kindling.serving", "config:property-set repository " + work.resolve("repo"), "config:update");
        URI base = URI.create("http://127.0.0.1:" + httpPort + "/");
        awaitReady(base);
        StringBuilder row = new StringBuilder();
        for (int i = 0; i < 64; i++) row.append(i == 0 ? "" : ",").append(i % 5 / 4.0);
        String request = "{\"inputs\":[{\"name\":\"input\",\"datatype\":\"FP32\",\"shape\":[1,64],\"data\":[" + row + "]}]}";
        HttpResponse<String> infer = post(base.resolve("v2/models/digits/infer"), request, null);
        assertEquals(200, infer.statusCode(), infer.body());
        assertTrue(infer.body().contains("\"shape\":[1,10]"), infer.body());

        // A client that leaves while its request waits in the queue (a 3 s queue delay) has the request dropped unrun:
        // Pax Web's Jetty 9.4 reports no disconnect before writing, so the javax servlet watches the connection.
        Path slow = Files.createDirectories(work.resolve("repo/slow/1"));
        Files.copy(run.resolve("model.safetensors"), slow.resolve("model.safetensors"));
        Files.writeString(work.resolve("repo/slow/config.json"), "{\"max_batch_size\": 8, \"dynamic_batching\": {\"max_queue_delay_us\": 3000000}}");
        awaitGet(base.resolve("v2/models/slow/ready"), 200);
        byte[] body = request.getBytes(StandardCharsets.UTF_8);
        long sent = System.nanoTime();
        try (java.net.Socket client = new java.net.Socket("127.0.0.1", httpPort)) {
            client.getOutputStream().write(("POST /v2/models/slow/infer HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: "
                    + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            client.getOutputStream().write(body);
            client.getOutputStream().flush();
            awaitMetric(base, "kindling_inference_pending_requests{model=\"slow\",version=\"1\"}", 1);
        }
        awaitMetric(base, "kindling_inference_abandoned_total{model=\"slow\",version=\"1\"}", 1);
        long left = 3500 - (System.nanoTime() - sent) / 1_000_000;
        if (left > 0) Thread.sleep(left); // past the queue delay: the request would have run by now
        assertEquals(0, metric(base, "kindling_inference_batch_size_count{model=\"slow\",version=\"1\"}"), "the model never ran it");
        assertEquals(200, post(base.resolve("v2/models/slow/infer"), request, null).statusCode());

        // A run-time change: an inference token; the server restarts with it, without a restart of anything else.
        shell(30, "config:edit dev.kindling.serving", "config:property-set token s3cret", "config:update");
        awaitStatus(base.resolve("v2/models/digits/infer"), request, null, 401);
        assertEquals(200, post(base.resolve("v2/models/digits/infer"), request, "s3cret").statusCode());

        // Another: the CPU backend's threads, seen in kindling:backends; then a bad value, rejected and logged.
        shell(30, "config:edit dev.kindling.cpu", "config:property-set threads 1", "config:update");
        awaitOutput("echo (kindling:backends)", "ops use up to 1 threads");
        shell(30, "config:edit dev.kindling.cpu", "config:property-set threads lots", "config:update");
        String log = awaitOutput("log:display", "dev.kindling.cpu: threads=lots rejected: allowed values are whole numbers from 1 to 4096");
        assertTrue(log.contains("keeping threads=1"), log);
        assertTrue(shell(30, "echo (kindling:backends)").out.contains("ops use up to 1 threads"));

        // Uninstall: no Kindling bundle left, none failed or resolving.
        Shell removed = shell(120, "feature:uninstall kindling-distributed", "feature:uninstall kindling-cuda",
                "feature:uninstall kindling-serving", "feature:uninstall kindling");
        assertEquals(0, removed.status, removed.out);
        String bundles = shell(30, "bundle:list -t 0").out;
        assertFalse(bundles.contains("Kindling"), bundles);
        assertNoBundleInTrouble();
    }

    /** Every bundle Active, or Resolved where it is a fragment (Karaf lists them with their host). */
    private static void assertNoBundleInTrouble() throws Exception {
        String list = shell(30, "bundle:list -t 0").out;
        for (String line : list.split("\n")) {
            String[] cols = line.split("\\|");
            if (cols.length < 5 || !cols[0].trim().matches("\\d+")) continue;
            String state = cols[1].trim();
            boolean fragment = cols.length > 5 || line.contains("Fragment") || line.contains("Hosts");
            if (state.equals("Active") || (state.equals("Resolved") && fragment)) continue;
            if (state.equals("Resolved") && shell(30, "bundle:headers " + cols[0].trim()).out.contains("Fragment-Host")) continue;
            fail("bundle in state " + state + ": " + line + "\n" + list);
        }
    }

    private static String awaitOutput(String command, String expected) throws Exception {
        long end = System.currentTimeMillis() + 60_000;
        Shell s;
        while (!(s = shell(30, command)).out.contains(expected)) {
            if (System.currentTimeMillis() > end) fail("'" + command + "' never printed '" + expected + "':\n" + s.out);
            Thread.sleep(500);
        }
        return s.out;
    }

    private static void awaitReady(URI base) throws Exception {
        long end = System.currentTimeMillis() + 60_000;
        while (true) {
            try {
                HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(base.resolve("v2/health/ready")).timeout(Duration.ofSeconds(10)).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200 && r.body().contains("true")) return;
            } catch (ConnectException e) {
                // not listening yet
            }
            if (System.currentTimeMillis() > end) fail("the server never became ready: " + shell(30, "log:display | tail -30").out);
            Thread.sleep(300);
        }
    }

    /** A sample's value in /metrics, 0 when absent. */
    private static double metric(URI base, String sample) throws Exception {
        String text = HTTP.send(HttpRequest.newBuilder(base.resolve("metrics")).timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString()).body();
        for (String line : text.split("\n")) if (line.startsWith(sample + " ")) return Double.parseDouble(line.substring(sample.length() + 1));
        return 0;
    }

    private static void awaitMetric(URI base, String sample, double value) throws Exception {
        long end = System.currentTimeMillis() + 10_000;
        double seen;
        while ((seen = metric(base, sample)) != value) {
            if (System.currentTimeMillis() > end) fail(sample + " is " + seen + ", expected " + value);
            Thread.sleep(20);
        }
    }

    private static void awaitGet(URI uri, int status) throws Exception {
        long end = System.currentTimeMillis() + 60_000;
        int seen = -1;
        while (System.currentTimeMillis() < end) {
            seen = HTTP.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString()).statusCode();
            if (seen == status) return;
            Thread.sleep(300);
        }
        fail(uri + " never answered " + status + " (last " + seen + ")");
    }

    private static void awaitStatus(URI uri, String body, String token, int status) throws Exception {
        long end = System.currentTimeMillis() + 60_000;
        HttpResponse<String> r = null;
        while (System.currentTimeMillis() < end) {
            try {
                r = post(uri, body, token);
                if (r.statusCode() == status) return;
            } catch (ConnectException e) {
                // restarting
            }
            Thread.sleep(300);
        }
        fail("never answered " + status + ": " + (r == null ? "no answer" : r.statusCode() + " " + r.body()));
    }

    private static HttpResponse<String> post(URI uri, String body, String token) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30)).POST(HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "application/json");
        if (token != null) b.header("Authorization", "Bearer " + token);
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    record Shell(int status, String out) {}

    /** Runs {@code commands} in one session of Karaf's SSH shell (bin/client in batch mode); the output of all of them. */
    static Shell shell(int timeoutSeconds, String... commands) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(karaf.resolve("bin/client").toString(), "-a", Integer.toString(sshPort), "-u", "karaf", "-p", "karaf",
                "-r", "3", "-d", "1", "-b"));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(karaf.toFile()).redirectErrorStream(true);
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        Process p = pb.start();
        p.getOutputStream().write((String.join("\n", commands) + "\n").getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("bin/client did not finish within " + timeoutSeconds + " s: " + String.join("; ", commands));
        }
        // Karaf colours its output for terminals; the checks read plain text.
        String text = new String(out, StandardCharsets.UTF_8).replaceAll("\u001B\\[[0-9;]*m", "");
        return new Shell(p.exitValue(), text);
    }

    private static void exec(Path dir, int timeoutSeconds, String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(timeoutSeconds, TimeUnit.SECONDS) && p.exitValue() == 0, String.join(" ", cmd) + ": " + out);
    }

    private static void append(Path file, String text) throws IOException {
        Files.writeString(file, Files.readString(file) + text);
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
