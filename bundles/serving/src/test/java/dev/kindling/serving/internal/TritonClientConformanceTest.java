package dev.kindling.serving.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kindling.nn.Module;
import dev.kindling.serving.ModelServing;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * OIP v2 client conformance: requests exactly as NVIDIA's tritonclient (HTTP) builds them, made once by
 * src/test/python/tritonclient_fixtures.py and committed, are answered correctly over HTTP; and each answer has the shape
 * of the committed answer that tritonclient's own parser read back (the script's {@code check}). Run with
 * {@code -Dkindling.tritonclient.out=DIR} to write this server's answers there for that check.
 */
class TritonClientConformanceTest {
    private static final String FIXTURES = "tritonclient/";
    private static final List<String> CASES = List.of("json", "binary", "all_outputs");
    private static final float[] X = {1, 0, -1, 2, 0.5f, 0.25f, -2, 3};
    @TempDir
    Path repo;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private static byte[] resource(String name) throws IOException {
        try (InputStream in = TritonClientConformanceTest.class.getResourceAsStream(FIXTURES + name)) {
            assertNotNull(in, "fixture " + FIXTURES + name + " (made by src/test/python/tritonclient_fixtures.py)");
            return in.readAllBytes();
        }
    }

    /** An answer's JSON part and, after it, its output's raw little-endian FP32 data (or null when in JSON). */
    record Answer(ObjectNode json, float[] raw) {
        static Answer of(byte[] body, String headerLength) throws IOException {
            int n = headerLength == null ? body.length : Integer.parseInt(headerLength);
            ObjectNode json = (ObjectNode) Fixture.JSON.readTree(Arrays.copyOf(body, n));
            float[] raw = null;
            if (n < body.length) {
                raw = new float[(body.length - n) / 4];
                ByteBuffer.wrap(body, n, body.length - n).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(raw);
            }
            return new Answer(json, raw);
        }

        /** The output's values, from JSON data or the raw part. */
        float[] output() {
            JsonNode out = json.get("outputs").get(0);
            return raw != null ? raw : Fixture.floats(out.get("data"));
        }

        /** The JSON without the output data, which a different CPU may round differently in the last bit. */
        JsonNode shape() {
            ObjectNode copy = json.deepCopy();
            for (Iterator<JsonNode> it = copy.get("outputs").elements(); it.hasNext(); ) ((ObjectNode) it.next()).remove("data");
            return copy;
        }
    }

    @Test
    void requestsBuiltByTritonclientAreAnsweredAsItParses() throws Exception {
        Module mlp = Fixture.saveMlp(repo, "mlp", "1", 41);
        float[] expected = Fixture.forward(mlp, X, 2, 4);
        String out = System.getProperty("kindling.tritonclient.out");
        try (ModelServing server = ModelServing.builder(repo).port(0).pollMillis(0).start()) {
            for (String name : CASES) {
                JsonNode call = Fixture.JSON.readTree(resource(name + ".request.json"));
                HttpRequest.Builder b = HttpRequest.newBuilder(server.uri().resolve(call.get("path").asText()))
                        .POST(HttpRequest.BodyPublishers.ofByteArray(resource(name + ".request.bin")));
                call.get("headers").fields().forEachRemaining(h -> b.header(h.getKey(), h.getValue().asText()));
                HttpResponse<byte[]> r = http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
                String headerLength = r.headers().firstValue(Protocol.BINARY_HEADER).orElse(null);
                assertEquals(200, r.statusCode(), name + ": " + new String(r.body(), StandardCharsets.UTF_8));
                Answer answer = Answer.of(r.body(), headerLength);
                assertArrayEquals(expected, answer.output(), 1e-6f, name);
                if (out != null) {
                    Files.createDirectories(Path.of(out));
                    Files.write(Path.of(out, name + ".response.bin"), r.body());
                    Files.writeString(Path.of(out, name + ".response.json"), headerLength == null ? "{}\n"
                            : "{\"" + Protocol.BINARY_HEADER + "\": \"" + headerLength + "\"}\n");
                    continue;
                }
                JsonNode committedHeaders = Fixture.JSON.readTree(resource(name + ".response.json"));
                JsonNode h = committedHeaders.get(Protocol.BINARY_HEADER);
                Answer committed = Answer.of(resource(name + ".response.bin"), h == null ? null : h.asText());
                assertEquals(committed.shape(), answer.shape(), name + ": the answer tritonclient parsed, apart from the numbers");
                assertEquals(committed.raw() == null, answer.raw() == null, name + ": binary output as before");
                assertArrayEquals(committed.output(), answer.output(), 1e-5f, name);
            }
            if (out != null) {
                StringBuilder sb = new StringBuilder("{\"output\": [");
                for (int row = 0; row < 2; row++) {
                    sb.append(row > 0 ? ", [" : "[");
                    for (int j = 0; j < 3; j++) sb.append(j > 0 ? ", " : "").append(expected[row * 3 + j]);
                    sb.append(']');
                }
                Files.writeString(Path.of(out, "expected.json"), sb.append("]}\n").toString());
            }
        }
    }

    @Test
    void theFixturesAreWhatTritonclientSends() throws Exception {
        // the JSON case carries the client's request id and timeout parameter; the binary ones say where the JSON ends
        JsonNode json = Fixture.JSON.readTree(resource("json.request.bin"));
        assertEquals("req-json", json.get("id").asText());
        assertEquals(10_000_000, json.get("parameters").get("timeout").asLong());
        Map<String, String> binaryHeaders = Fixture.JSON.convertValue(Fixture.JSON.readTree(resource("binary.request.json")).get("headers"),
                Fixture.JSON.getTypeFactory().constructMapType(Map.class, String.class, String.class));
        int n = Integer.parseInt(binaryHeaders.get(Protocol.BINARY_HEADER));
        assertEquals(n + 32, resource("binary.request.bin").length, "JSON header plus 2x4 FP32");
        assertEquals(true, Fixture.JSON.readTree(Arrays.copyOf(resource("all_outputs.request.bin"), 139)).get("parameters").get("binary_data_output").asBoolean());
    }
}
