package dev.kindling.serving.internal;

import dev.kindling.api.Device;
import dev.kindling.api.Tensor;
import dev.kindling.api.Torch;
import dev.kindling.io.Safetensors;
import dev.kindling.nn.Module;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Kindling's safetensors request/response body on /v2/models/{m}/infer: both directions, mixed with JSON, bad bodies. */
class SafetensorsBodyTest {
    private static final String ST = SafetensorsBodies.MEDIA_TYPE;
    @TempDir
    Path repo;
    private ModelServer server;
    private Module mlp;

    @AfterEach
    void stop() {
        if (server != null) server.close();
    }

    private Protocol start() throws Exception {
        mlp = Fixture.saveMlp(repo, "mlp", "1", 31);
        server = new ModelServer(repo, ServingOptions.defaults().withPollMillis(0), "0.1.0", ProtocolTest.noListener()).start();
        return server.protocol;
    }

    private static Protocol.Reply post(Protocol p, byte[] body, String contentType, String accept) {
        Map<String, String> h = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        if (contentType != null) h.put("Content-Type", contentType);
        if (accept != null) h.put("Accept", accept);
        return p.handle(new Protocol.Call("POST", "/v2/models/mlp/infer", h::get, new ByteArrayInputStream(body), body.length));
    }

    private static final float[] X = {1, 0, -1, 2, 0.5f, 0.25f, -2, 3};

    private static byte[] request(Map<String, String> meta) {
        Map<String, Tensor> in = new LinkedHashMap<>();
        in.put("input", Torch.tensor(X, 2, 4));
        return Safetensors.toBytes(in, meta);
    }

    private static String text(Protocol.Reply r) { return new String(r.body(), StandardCharsets.UTF_8); }

    @Test
    void aSafetensorsRequestIsAnsweredInSafetensorsWhenAskedAndInJsonOtherwise() throws Exception {
        Protocol p = start();
        float[] expected = Fixture.forward(mlp, X, 2, 4);
        Protocol.Reply r = post(p, request(Map.of("id", "q7")), ST, ST);
        assertEquals(200, r.status(), text(r));
        assertEquals(ST, r.contentType());
        Safetensors.Contents out = Safetensors.read(r.body(), "response", Device.CPU);
        Tensor y = out.tensors().get("output");
        assertArrayEquals(new long[] {2, 3}, y.shape());
        assertArrayEquals(expected, y.toFloatArray(), 1e-6f);
        assertEquals(Map.of("model_name", "mlp", "model_version", "1", "id", "q7"), out.metadata());

        Protocol.Reply json = post(p, request(Map.of()), ST + "; charset=binary", null);
        assertEquals(200, json.status(), text(json));
        assertEquals("application/json", json.contentType());
        assertArrayEquals(expected, Fixture.floats(Fixture.JSON.readTree(json.body()).get("outputs").get(0).get("data")), 1e-6f);

        byte[] jsonBody = Fixture.inferBody("input", X, 2, 4).getBytes(StandardCharsets.UTF_8);
        Protocol.Reply fromJson = post(p, jsonBody, "application/json", "application/json, " + ST);
        assertEquals(ST, fromJson.contentType(), "a JSON request can ask for a safetensors answer");
        assertArrayEquals(expected, Safetensors.read(fromJson.body(), "response", Device.CPU).tensors().get("output").toFloatArray(), 1e-6f);

        assertEquals("application/json", post(p, jsonBody, "application/json", ST + ";q=0, application/json").contentType(), "q=0 refuses it");

        Fixture.Response meta = Fixture.call(p, "GET", "/v2", null);
        assertTrue(meta.text().contains("\"" + SafetensorsBodies.EXTENSION + "\""), meta.text());
    }

    private static void assertBad(Protocol.Reply r, String... fragments) throws Exception {
        assertEquals(400, r.status(), text(r));
        assertEquals("application/json", r.contentType());
        String error = Fixture.JSON.readTree(r.body()).get("error").asText();
        for (String f : fragments) assertTrue(error.contains(f), "expected '" + f + "' in: " + error);
    }

    @Test
    void badSafetensorsBodiesAreClear400sNamingTheOffsetAndTheTensor() throws Exception {
        Protocol p = start();
        byte[] good = request(Map.of());
        assertBad(post(p, Arrays.copyOf(good, 5), ST, null), "offset 0", "too short");
        assertBad(post(p, Arrays.copyOf(good, good.length - 4), ST, null), "offset", "the tensors cover 32 data bytes but the data holds 28");
        byte[] lying = good.clone();
        ByteBuffer.wrap(lying).order(ByteOrder.LITTLE_ENDIAN).putLong(0, 1L << 40);
        assertBad(post(p, lying, ST, null), "offset 0", "header length");
        byte[] notJson = good.clone();
        notJson[9] = (byte) '#';
        assertBad(post(p, notJson, ST, null), "offset", "not valid JSON");

        assertBad(post(p, Safetensors.toBytes(Map.of("input", Torch.tensor(new double[] {1, 2, 3, 4}, 1, 4)), Map.of()), ST, null),
                "input 'input' is FP64", "takes FP32");
        assertBad(post(p, Safetensors.toBytes(Map.of("input", Torch.tensor(new float[] {1, 2, 3}, 1, 3)), Map.of()), ST, null),
                "input 'input' has shape [1, 3]");
        assertBad(post(p, Safetensors.toBytes(Map.of("pixels", Torch.tensor(X, 2, 4)), Map.of()), ST, null), "no input 'pixels'");
        assertBad(post(p, request(Map.of("timeout", "soon")), ST, null), "__metadata__ timeout");
        assertBad(post(p, request(Map.of("outputs", "logits")), ST, ST), "no output 'logits'");
        assertEquals(200, post(p, good, ST, null).status(), "still serving");
    }
}
