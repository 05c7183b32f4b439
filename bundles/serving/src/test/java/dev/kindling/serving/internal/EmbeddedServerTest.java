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
}
