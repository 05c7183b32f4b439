package dev.kindling.serving.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kindling.nn.Module;
import dev.kindling.serving.ModelServing;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The plain-class-path server over real HTTP: answers, limits, backpressure. */
class EmbeddedServerTest {
    @TempDir
    Path repo;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();

    private HttpResponse<String> post(URI base, String path, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(30)).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void servesOverHttpOnLoopbackWithoutAServerHeaderAndRefusesLargeBodies() throws Exception {
        Module mlp = Fixture.saveMlp(repo, "mlp", "1", 11);
        try (ModelServing server = ModelServing.builder(repo).port(0).maxRequestBytes(10_000).pollMillis(0).start()) {
            URI base = server.uri();
            assertEquals("127.0.0.1", base.getHost());
            HttpResponse<String> ready = http.send(HttpRequest.newBuilder(base.resolve("/v2/health/ready")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, ready.statusCode());
            assertEquals("application/json", ready.headers().firstValue("Content-Type").orElse("").split(";")[0]);
            assertTrue(ready.headers().firstValue("Server").isEmpty(), "no Server header");
            float[] x = {1, 0, -1, 2};
            HttpResponse<String> r = post(base, "/v2/models/mlp/infer", Fixture.inferBody("input", x, 1, 4));
            assertEquals(200, r.statusCode(), r.body());
            JsonNode out = Fixture.JSON.readTree(r.body()).get("outputs").get(0);
            assertArrayEquals(Fixture.forward(mlp, x, 1, 4), Fixture.floats(out.get("data")), 1e-6f);
            HttpResponse<String> big = post(base, "/v2/models/mlp/infer", "{\"pad\":\"" + "x".repeat(20_000) + "\"}");
            assertEquals(413, big.statusCode());
            assertTrue(big.body().startsWith("{\"error\":\"the request body is larger than the limit of 10000 bytes"), big.body());
            assertEquals(200, post(base, "/v2/models/mlp/infer", Fixture.inferBody("input", x, 1, 4)).statusCode(), "still serving");
        }
    }

    @Test
    void aFullQueueAnswers429WithRetryAfterAndEveryOtherRequestSucceeds() throws Exception {
        Fixture.saveMlp(repo, "mlp", "1", 12);
        // a long queue delay holds the first requests in the queue, so a burst overflows it deterministically
        Files.writeString(repo.resolve("mlp/config.json"), "{\"max_batch_size\": 64, \"dynamic_batching\": {\"max_queue_delay_us\": 1500000, \"max_queue_size\": 4}}");
        try (ModelServing server = ModelServing.builder(repo).port(0).pollMillis(0).start()) {
            URI base = server.uri();
            String body = Fixture.inferBody("input", new float[] {1, 2, 3, 4}, 1, 4);
            ExecutorService pool = Executors.newFixedThreadPool(12);
            List<Future<HttpResponse<String>>> answers = new ArrayList<>();
            for (int i = 0; i < 12; i++) answers.add(pool.submit(() -> post(base, "/v2/models/mlp/infer", body)));
            Map<Integer, Integer> codes = new TreeMap<>();
            for (Future<HttpResponse<String>> f : answers) {
                HttpResponse<String> a = f.get();
                codes.merge(a.statusCode(), 1, Integer::sum);
                if (a.statusCode() == 429) {
                    assertEquals("1", a.headers().firstValue("Retry-After").orElse(null));
                    assertTrue(a.body().contains("max_queue_size"), a.body());
                }
            }
            pool.shutdown();
            assertEquals(Map.of(200, 4, 429, 8), codes, "4 fit the queue, the other 8 are refused, nothing else");
        }
    }

    @Test
    void aClientThatDisconnectsWhileQueuedIsDroppedUnrunAndTheOthersAreAnswered() throws Exception {
        Fixture.saveMlp(repo, "mlp", "1", 13);
        // a long queue delay holds every request in the queue, so the disconnects happen while they wait
        Files.writeString(repo.resolve("mlp/config.json"), "{\"max_batch_size\": 64, \"dynamic_batching\": {\"max_queue_delay_us\": 5000000, \"max_queue_size\": 16}}");
        try (ModelServing server = ModelServing.builder(repo).port(0).pollMillis(0).start()) {
            URI base = server.uri();
            String body = Fixture.inferBody("input", new float[] {1, 2, 3, 4}, 1, 4);
            ExecutorService pool = Executors.newFixedThreadPool(2);
            List<Future<HttpResponse<String>>> stayed = new ArrayList<>();
            for (int i = 0; i < 2; i++) stayed.add(pool.submit(() -> post(base, "/v2/models/mlp/infer", body)));
            List<java.net.Socket> leaving = new ArrayList<>();
            for (int i = 0; i < 3; i++) leaving.add(Fixture.sendRaw(base, "POST", "/v2/models/mlp/infer", body));
            awaitMetric(base, "kindling_inference_pending_requests{model=\"mlp\",version=\"1\"}", 5);
            for (java.net.Socket s : leaving) s.close();
            awaitMetric(base, "kindling_inference_abandoned_total{model=\"mlp\",version=\"1\"}", 3);
            assertEquals(2, metric(base, "kindling_inference_pending_requests{model=\"mlp\",version=\"1\"}"), "the three left the queue");
            for (Future<HttpResponse<String>> f : stayed) assertEquals(200, f.get().statusCode(), "the clients that stayed are answered");
            pool.shutdown();
            assertEquals(1, metric(base, "kindling_inference_batch_size_count{model=\"mlp\",version=\"1\"}"), "one batch ran");
            assertEquals(2, metric(base, "kindling_inference_batch_size_sum{model=\"mlp\",version=\"1\"}"), "with only the two rows whose clients stayed");
            assertEquals(200, post(base, "/v2/models/mlp/infer", body).statusCode(), "still serving");
        }
    }

    @Test
    void keepAliveClientsUnderLoadGetEveryAnswerWhileTheirConnectionsAreWatched() throws Exception {
        // each request waits for the model while its connection is watched for a disconnect; the watch must give the
        // connection back before the answer, or it would read the first bytes of the client's next request
        Fixture.saveMlp(repo, "mlp", "1", 14);
        Files.writeString(repo.resolve("mlp/config.json"), "{\"max_batch_size\": 8}");
        try (ModelServing server = ModelServing.builder(repo).port(0).pollMillis(0).start()) {
            URI base = server.uri();
            String body = Fixture.inferBody("input", new float[] {1, 2, 3, 4}, 1, 4);
            ExecutorService pool = Executors.newFixedThreadPool(8);
            List<Future<Map<Integer, Integer>>> clients = new ArrayList<>();
            for (int c = 0; c < 8; c++) {
                clients.add(pool.submit(() -> {
                    Map<Integer, Integer> codes = new TreeMap<>();
                    for (int i = 0; i < 150; i++) codes.merge(post(base, "/v2/models/mlp/infer", body).statusCode(), 1, Integer::sum);
                    return codes;
                }));
            }
            for (Future<Map<Integer, Integer>> f : clients) assertEquals(Map.of(200, 150), f.get());
            pool.shutdown();
            assertEquals(0, metric(base, "kindling_inference_abandoned_total{model=\"mlp\",version=\"1\"}"), "no one left");
        }
    }

    /** A sample's value in /metrics (0 when absent). */
    private double metric(URI base, String sample) throws Exception {
        String text = http.send(HttpRequest.newBuilder(base.resolve("/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
        for (String line : text.split("\n")) if (line.startsWith(sample + " ")) return Double.parseDouble(line.substring(sample.length() + 1));
        return 0;
    }

    private void awaitMetric(URI base, String sample, double value) throws Exception {
        long end = System.nanoTime() + 10_000_000_000L;
        double seen;
        while ((seen = metric(base, sample)) != value) {
            assertTrue(System.nanoTime() < end, sample + " is " + seen + ", expected " + value);
            Thread.sleep(20);
        }
    }
}
