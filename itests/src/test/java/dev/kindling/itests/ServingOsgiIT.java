package dev.kindling.itests;

import dev.kindling.api.Torch;
import dev.kindling.io.Models;
import dev.kindling.nn.ModelSpec;
import dev.kindling.nn.Module;
import dev.kindling.serving.ServedModel;
import org.apache.felix.service.command.CommandProcessor;
import org.apache.felix.service.command.CommandSession;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;

import javax.inject.Inject;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.ops4j.pax.exam.CoreOptions.frameworkProperty;
import static org.ops4j.pax.exam.CoreOptions.systemProperty;

/**
 * The serving bundle on Felix with Felix HTTP Jetty 12: kindling:serve serves a repository over the Servlet Whiteboard,
 * a new version loads under concurrent requests with none failing, ready versions are ServedModel services, and
 * kindling:serve-stop takes it all down.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class ServingOsgiIT {
    /** Kindling's bundles, and what serving adds: the data and training bundles it loads models with, the HTTP stack. */
    static final List<String> BUNDLES = java.util.stream.Stream.concat(java.util.Arrays.stream(KindlingOsgiIT.BUNDLES), java.util.stream.Stream.of(
            "protobuf-java", "kindling-io", "kindling-data", "kindling-onnx", "kindling-amp", "kindling-train", "pax-logging-api", "org.apache.felix.http.servlet-api",
            "commons-io", "commons-fileupload", "org.apache.felix.http.jetty12", "kindling-serving")).collect(java.util.stream.Collectors.toList());
    static final String MLP = "[{\"type\":\"linear\",\"in\":4,\"out\":8},{\"type\":\"relu\"},{\"type\":\"linear\",\"in\":8,\"out\":3}]";
    /** Chosen in {@link #config} (on the runner's side) and read back inside the framework, which loads this class anew. */
    static final String PORT_PROPERTY = "kindling.itest.http.port";

    @Inject
    BundleContext context;

    @Inject
    CommandProcessor commandProcessor;

    static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Configuration
    public Option[] config() {
        String port = Integer.toString(freePort());
        return KindlingOsgiIT.container(BUNDLES, systemProperty(PORT_PROPERTY).value(port), frameworkProperty("org.osgi.service.http.port").value(port),
                frameworkProperty("org.apache.felix.http.host").value("127.0.0.1"));
    }

    private String shell(String command) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        CommandSession s = commandProcessor.createSession(new ByteArrayInputStream(new byte[0]), out, out);
        try {
            Object r = s.execute(command);
            return (r == null ? "" : String.valueOf(r)) + out.toString(StandardCharsets.UTF_8);
        } finally {
            s.close();
        }
    }

    record Reply(int status, String body) {}

    static Reply http(String method, String path, String body) throws IOException {
        HttpURLConnection c = (HttpURLConnection) new URL("http://127.0.0.1:" + Integer.getInteger(PORT_PROPERTY) + path).openConnection();
        c.setRequestMethod(method);
        c.setConnectTimeout(5000);
        c.setReadTimeout(30000);
        if (body != null) {
            c.setDoOutput(true);
            c.setRequestProperty("Content-Type", "application/json");
            try (OutputStream o = c.getOutputStream()) {
                o.write(body.getBytes(StandardCharsets.UTF_8));
            }
        }
        int status = c.getResponseCode();
        InputStream in = status >= 400 ? c.getErrorStream() : c.getInputStream();
        String text = in == null ? "" : new String(in.readAllBytes(), StandardCharsets.UTF_8);
        c.disconnect();
        return new Reply(status, text);
    }

    static Module save(Path repo, String version, long seed) throws IOException {
        Torch.manualSeed(seed);
        Module m = ModelSpec.fromJson(MLP).build();
        Path dir = repo.resolve("mlp").resolve(version);
        Files.createDirectories(dir);
        Models.save(m, dir.resolve("model.safetensors"));
        return m;
    }

    private String runtimeState() throws Exception {
        StringBuilder sb = new StringBuilder();
        for (org.osgi.framework.Bundle b : context.getBundles()) {
            if (b.getSymbolicName().startsWith("org.apache.felix.http") || b.getSymbolicName().contains("pax")) sb.append(b.getSymbolicName()).append(' ').append(b.getVersion()).append('=').append(b.getState()).append(' ');
        }
        ServiceReference<?>[] rt = context.getServiceReferences("org.osgi.service.servlet.runtime.HttpServiceRuntime", null);
        if (rt != null) for (ServiceReference<?> r : rt) for (String k : r.getPropertyKeys()) sb.append(k).append('=').append(java.util.Arrays.deepToString(new Object[] {r.getProperty(k)})).append(' ');
        return sb.toString();
    }

    private Collection<ServiceReference<ServedModel>> served() throws Exception {
        return context.getServiceReferences(ServedModel.class, null);
    }

    @Test
    public void servesReloadsUnderLoadAndStops() throws Exception {
        Path repo = Files.createTempDirectory("kindling-serve-it");
        save(repo, "1", 1);
        String started = shell("kindling:serve " + repo);
        assertTrue(started, started.startsWith("serving " + repo) && started.contains("READY"));
        assertTrue(started + "; " + runtimeState(), started.contains("127.0.0.1:" + Integer.getInteger(PORT_PROPERTY)));
        assertEquals(200, http("GET", "/v2/health/ready", null).status());
        assertEquals("{\"status\":\"Healthy\"}", http("GET", "/ping", null).body());
        String infer = "{\"inputs\":[{\"name\":\"input\",\"datatype\":\"FP32\",\"shape\":[1,4],\"data\":[1,2,3,4]}]}";
        Reply r = http("POST", "/v2/models/mlp/infer", infer);
        assertEquals(r.body(), 200, r.status());
        assertTrue(r.body(), r.body().contains("\"model_version\":\"1\"") && r.body().contains("\"shape\":[1,3]"));
        Reply bad = http("POST", "/v2/models/mlp/infer", "{\"inputs\":");
        assertEquals(400, bad.status());
        assertTrue(bad.body(), bad.body().startsWith("{\"error\":\"malformed JSON"));
        assertEquals(1, served().size());
        assertEquals("1", served().iterator().next().getProperty(ServedModel.VERSION));

        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger ok = new AtomicInteger();
        List<String> failures = new CopyOnWriteArrayList<>();
        List<Thread> clients = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            Thread t = new Thread(() -> {
                while (!stop.get()) {
                    try {
                        Reply x = http("POST", "/v2/models/mlp/infer", infer);
                        if (x.status() == 200) ok.incrementAndGet();
                        else failures.add(x.status() + " " + x.body());
                    } catch (IOException e) {
                        failures.add(e.toString());
                    }
                }
            });
            t.start();
            clients.add(t);
        }
        Thread.sleep(500);
        save(repo, "2", 2);
        long end = System.currentTimeMillis() + 30_000;
        while (!http("POST", "/v2/models/mlp/infer", infer).body().contains("\"model_version\":\"2\"")) {
            assertTrue("version 2 never served", System.currentTimeMillis() < end);
            Thread.sleep(50);
        }
        Thread.sleep(500);
        stop.set(true);
        for (Thread t : clients) t.join(10_000);
        assertEquals(List.of(), failures);
        assertTrue("answered " + ok.get(), ok.get() > 10);
        while (served().size() != 1) {
            assertTrue("version 1 is unregistered", System.currentTimeMillis() < end);
            Thread.sleep(50);
        }
        assertEquals("2", served().iterator().next().getProperty(ServedModel.VERSION));
        // kindling:models (train bundle) lists the served version from the service's properties
        String models = shell("kindling:models " + repo);
        assertTrue(models, java.util.regex.Pattern.compile("^ *SERVED +VERSION +STATE +PLATFORM +ENDPOINT +SOURCE", java.util.regex.Pattern.MULTILINE).matcher(models).find());
        assertTrue(models, java.util.regex.Pattern.compile("^ *mlp +2 +READY +kindling +http://127\\.0\\.0\\.1:\\d+/ ", java.util.regex.Pattern.MULTILINE).matcher(models).find());

        String stopped = shell("kindling:serve-stop");
        assertTrue(stopped, stopped.startsWith("stopped serving"));
        assertTrue("no ServedModel services after stopping", served().isEmpty());
        assertEquals(404, http("GET", "/v2/health/ready", null).status());
        assertEquals("not serving", shell("kindling:serve-stop"));
        assertTrue("nothing served after stopping", !shell("kindling:models " + repo).contains("SERVED"));
    }

    /** A sample's value in /metrics, 0 when absent. */
    private static double metric(String sample) throws IOException {
        for (String line : http("GET", "/metrics", null).body().split("\n")) {
            if (line.startsWith(sample + " ")) return Double.parseDouble(line.substring(sample.length() + 1));
        }
        return 0;
    }

    private static void awaitMetric(String sample, double value) throws Exception {
        long end = System.currentTimeMillis() + 10_000;
        double seen;
        while ((seen = metric(sample)) != value) {
            assertTrue(sample + " is " + seen + ", expected " + value, System.currentTimeMillis() < end);
            Thread.sleep(20);
        }
    }

    @Test
    public void aClientThatDisconnectsWhileQueuedIsDroppedUnrun() throws Exception {
        Path repo = Files.createTempDirectory("kindling-serve-it");
        save(repo, "1", 3);
        // a long queue delay holds the request in the queue while its client leaves
        Files.writeString(repo.resolve("mlp/config.json"), "{\"max_batch_size\": 8, \"dynamic_batching\": {\"max_queue_delay_us\": 3000000}}");
        String started = shell("kindling:serve " + repo);
        assertTrue(started, started.contains("READY"));
        try {
            byte[] body = "{\"inputs\":[{\"name\":\"input\",\"datatype\":\"FP32\",\"shape\":[1,4],\"data\":[1,2,3,4]}]}".getBytes(StandardCharsets.UTF_8);
            long sent = System.nanoTime();
            try (java.net.Socket client = new java.net.Socket("127.0.0.1", Integer.getInteger(PORT_PROPERTY))) {
                client.getOutputStream().write(("POST /v2/models/mlp/infer HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: "
                        + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                client.getOutputStream().write(body);
                client.getOutputStream().flush();
                awaitMetric("kindling_inference_pending_requests{model=\"mlp\",version=\"1\"}", 1);
            }
            awaitMetric("kindling_inference_abandoned_total{model=\"mlp\",version=\"1\"}", 1);
            assertEquals(0, metric("kindling_inference_pending_requests{model=\"mlp\",version=\"1\"}"), 0);
            long left = 3500 - (System.nanoTime() - sent) / 1_000_000;
            if (left > 0) Thread.sleep(left); // past the queue delay: the request would have run by now
            assertEquals("the model never ran the request", 0, metric("kindling_inference_batch_size_count{model=\"mlp\",version=\"1\"}"), 0);
            assertEquals(200, http("POST", "/v2/models/mlp/infer", new String(body, StandardCharsets.UTF_8)).status());
        } finally {
            shell("kindling:serve-stop");
        }
    }
}
