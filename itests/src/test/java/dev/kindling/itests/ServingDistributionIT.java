package dev.kindling.itests;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.ConnectException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The distribution end to end: train Digits with bin/kindling, put the model in a repository, serve it with
 * {@code bin/kindling -c "kindling:serve <repo> --port N --wait"} and query it over HTTP as curl would.
 */
class ServingDistributionIT {
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void findDistribution() {
        DistributionIT.findDistribution();
    }

    private HttpResponse<String> send(String method, URI uri, String body) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30));
        b = body == null ? b.method(method, HttpRequest.BodyPublishers.noBody()) : b.method(method, HttpRequest.BodyPublishers.ofString(body));
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void trainsDigitsServesItAndAnswersOverHttp(@TempDir Path dir) throws Exception {
        Path kindling = DistributionIT.home.resolve("bin/kindling");
        DistributionIT.Result trained = DistributionIT.run(kindling, dir, null, "-c", "kindling:train digits mlp --epochs 2 --lr 0.01 --out run --wait");
        assertEquals(0, trained.status(), trained.all());
        Path version = Files.createDirectories(dir.resolve("repo/digits/1"));
        Files.copy(dir.resolve("run/model.safetensors"), version.resolve("model.safetensors"));

        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        ProcessBuilder pb = new ProcessBuilder(kindling.toString(), "-c", "kindling:serve " + dir.resolve("repo") + " --port " + port + " --wait")
                .directory(dir.toFile()).redirectErrorStream(true).redirectOutput(dir.resolve("serve.log").toFile());
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        pb.environment().remove("KINDLING_OPTS");
        pb.environment().remove("KINDLING_AOT");
        Process server = pb.start();
        try {
            URI base = URI.create("http://127.0.0.1:" + port + "/");
            long end = System.currentTimeMillis() + 60_000;
            HttpResponse<String> ready = null;
            while (ready == null || ready.statusCode() != 200) {
                assertTrue(server.isAlive() && System.currentTimeMillis() < end, "the server did not become ready: " + Files.readString(dir.resolve("serve.log")));
                try {
                    ready = send("GET", base.resolve("v2/health/ready"), null);
                } catch (ConnectException e) {
                    Thread.sleep(200);
                }
            }
            HttpResponse<String> meta = send("GET", base.resolve("v2/models/digits"), null);
            assertEquals(200, meta.statusCode(), meta.body());
            assertTrue(meta.body().contains("\"inputs\":[{\"name\":\"input\",\"datatype\":\"FP32\",\"shape\":[-1,64]}]"), meta.body());
            assertTrue(meta.body().contains("\"shape\":[-1,10]"), meta.body());

            StringBuilder row = new StringBuilder();
            for (int i = 0; i < 64; i++) row.append(i == 0 ? "" : ",").append(i % 5 / 4.0);
            HttpResponse<String> infer = send("POST", base.resolve("v2/models/digits/infer"),
                    "{\"id\":\"q1\",\"inputs\":[{\"name\":\"input\",\"datatype\":\"FP32\",\"shape\":[1,64],\"data\":[" + row + "]}]}");
            assertEquals(200, infer.statusCode(), infer.body());
            assertTrue(infer.body().startsWith("{\"model_name\":\"digits\",\"model_version\":\"1\",\"id\":\"q1\",\"outputs\":[{\"name\":\"output\",\"datatype\":\"FP32\",\"shape\":[1,10],"), infer.body());
            HttpResponse<String> pred = send("POST", base.resolve("predictions/digits"), "[" + row + "]");
            assertEquals(200, pred.statusCode(), pred.body());
            assertEquals(10, pred.body().split(",").length, pred.body());
            HttpResponse<String> bad = send("POST", base.resolve("predictions/digits"), "[1, 2, 3]");
            assertEquals(400, bad.statusCode(), bad.body());
            assertTrue(bad.body().contains("takes [-1, 64]"), bad.body());
            HttpResponse<String> metrics = send("GET", base.resolve("metrics"), null);
            assertTrue(metrics.body().contains("kindling_inference_requests_total{model=\"digits\",version=\"1\",code=\"200\"} 2"), metrics.body());
            assertTrue(send("GET", base, null).body().startsWith("<!DOCTYPE html>"), "the dashboard");
        } finally {
            server.destroy();
            if (!server.waitFor(20, TimeUnit.SECONDS)) server.destroyForcibly();
        }
        assertTrue(!server.isAlive());
    }
}
