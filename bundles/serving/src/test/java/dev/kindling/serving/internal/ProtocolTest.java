package dev.kindling.serving.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kindling.nn.Module;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static dev.kindling.serving.internal.Fixture.call;
import static dev.kindling.serving.internal.Fixture.inferBody;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every endpoint and error case of the protocol: status codes and JSON shapes. */
class ProtocolTest {
    @TempDir
    Path repo;
    private ModelServer server;

    private Protocol start(ServingOptions options) throws Exception {
        server = new ModelServer(repo, options.withPollMillis(0), "0.1.0", noListener()).start();
        return server.protocol;
    }

    static ModelRepository.Listener noListener() {
        return new ModelRepository.Listener() {
            @Override public void ready(LoadedVersion v) {}

            @Override public void gone(LoadedVersion v) {}
        };
    }

    @AfterEach
    void stop() {
        if (server != null) server.close();
    }

    private static void assertError(Fixture.Response r, int status, String fragment) {
        assertEquals(status, r.status(), r.text());
        assertNotNull(r.json(), "an error body is JSON: " + r.text());
        assertEquals(1, r.json().size(), "an error body holds only \"error\": " + r.text());
        assertTrue(r.json().path("error").asText().contains(fragment), "expected '" + fragment + "' in " + r.text());
    }

    @Test
    void healthServerMetadataAndPing() throws Exception {
        Fixture.saveMlp(repo, "mlp", "1", 1);
        Protocol p = start(ServingOptions.defaults());
        Fixture.Response live = call(p, "GET", "/v2/health/live", null);
        assertEquals(200, live.status());
        assertTrue(live.json().get("live").asBoolean());
        Fixture.Response ready = call(p, "GET", "/v2/health/ready", null);
        assertEquals(200, ready.status());
        assertTrue(ready.json().get("ready").asBoolean());
        Fixture.Response meta = call(p, "GET", "/v2", null);
        assertEquals(200, meta.status());
        assertEquals("kindling", meta.json().get("name").asText());
        assertEquals("0.1.0", meta.json().get("version").asText());
        assertTrue(meta.json().get("extensions").isArray());
        Fixture.Response ping = call(p, "GET", "/ping", null);
        assertEquals(200, ping.status());
        assertEquals("Healthy", ping.json().get("status").asText());
    }

    @Test
    void theDashboardIsAStaticPageThatReadsTheServersOwnEndpoints() throws Exception {
        Fixture.saveMlp(repo, "mlp", "1", 1);
        Protocol p = start(ServingOptions.defaults().withTokens("t", null));
        Fixture.Response page = call(p, "GET", "/", null);
        assertEquals(200, page.status());
        assertTrue(page.text().startsWith("<!DOCTYPE html>"), page.text());
        assertTrue(page.text().contains("fetch(\"metrics\"") && page.text().contains("\"predictions/\""), "it reads /metrics and posts to /predictions");
        assertEquals("nosniff", page.headers().get("X-Content-Type-Options"));
        assertError(call(p, "POST", "/", "x"), 405, "use GET");
    }

    @Test
    void aRepositoryWhoseOnlyModelIsBrokenIsLiveButNotReady() throws Exception {
        Files.createDirectories(repo.resolve("bad/1"));
        Files.writeString(repo.resolve("bad/1/model.safetensors"), "not a safetensors file");
        Protocol p = start(ServingOptions.defaults());
        assertEquals(200, call(p, "GET", "/v2/health/live", null).status());
        Fixture.Response ready = call(p, "GET", "/v2/health/ready", null);
        assertEquals(400, ready.status());
        assertFalse(ready.json().get("ready").asBoolean());
        assertEquals(503, call(p, "GET", "/ping", null).status());
        Fixture.Response mr = call(p, "GET", "/v2/models/bad/ready", null);
        assertEquals(400, mr.status());
        assertEquals("bad", mr.json().get("name").asText());
        assertFalse(mr.json().get("ready").asBoolean());
        assertError(call(p, "POST", "/v2/models/bad/infer", inferBody("input", new float[4], 1, 4)), 503, "no version ready");
    }

    @Test
    void modelMetadataAndReadiness() throws Exception {
        Fixture.saveMlp(repo, "mlp", "1", 1);
        Fixture.saveMlp(repo, "mlp", "2", 2);
        Files.writeString(repo.resolve("mlp/config.json"), "{\"version_policy\": {\"all\": {}}}");
        Files.createDirectories(repo.resolve("flat/1"));
        dev.kindling.io.Models.save(dev.kindling.nn.ModelSpec.fromJson("[{\"type\":\"flatten\"},{\"type\":\"linear\",\"in\":4,\"out\":2}]").build(),
                repo.resolve("flat/1/model.safetensors"));
        Protocol p = start(ServingOptions.defaults());
        Fixture.Response m = call(p, "GET", "/v2/models/mlp", null);
        assertEquals(200, m.status(), m.text());
        assertEquals("mlp", m.json().get("name").asText());
        assertEquals("kindling", m.json().get("platform").asText());
        assertEquals("[\"1\",\"2\"]", m.json().get("versions").toString());
        JsonNode in = m.json().get("inputs").get(0);
        assertEquals("input", in.get("name").asText());
        assertEquals("FP32", in.get("datatype").asText());
        assertEquals("[-1,4]", in.get("shape").toString(), "derived from the first linear layer");
        assertEquals("[-1,3]", m.json().get("outputs").get(0).get("shape").toString(), "measured by the warm-up batch");
        assertEquals(200, call(p, "GET", "/v2/models/mlp/versions/1", null).status());
        Fixture.Response r = call(p, "GET", "/v2/models/mlp/versions/2/ready", null);
        assertEquals(200, r.status());
        assertTrue(r.json().get("ready").asBoolean());
        Fixture.Response flat = call(p, "GET", "/v2/models/flat", null);
        assertEquals("[-1,4]", flat.json().get("inputs").get(0).get("shape").toString(), "a flatten layer first leaves [-1, in]: " + flat.text());
        assertError(call(p, "GET", "/v2/models/nope", null), 404, "unknown model 'nope'");
        assertError(call(p, "GET", "/v2/models/nope/ready", null), 404, "unknown model");
        assertError(call(p, "GET", "/v2/models/mlp/versions/7", null), 404, "has no version '7' (versions: 1, 2)");
        assertError(call(p, "GET", "/v2/models/mlp/versions/7/ready", null), 404, "no version '7'");
    }

    /** A version given as an ONNX file runs on Kindling's own importer, with the file's input and output names. */
    @Test
    void anOnnxVersionServesWhatTheExportedModelComputes() throws Exception {
        dev.kindling.api.Torch.manualSeed(9);
        Module mlp = dev.kindling.nn.ModelSpec.fromJson(Fixture.MLP).build();
        mlp.eval();
        Path dir = repo.resolve("onnxmlp").resolve("1");
        java.nio.file.Files.createDirectories(dir);
        dev.kindling.onnx.Onnx.export(mlp, new dev.kindling.api.Tensor[] {dev.kindling.api.Torch.randn(2, 4)}, dir.resolve("model.onnx"),
                dev.kindling.onnx.ExportOptions.builder().inputNames("input").outputNames("output")
                        .dynamicAxes(java.util.Map.of("input", java.util.Map.of(0, "batch"))).build());
        Protocol p = start(ServingOptions.defaults());
        float[] x = {0.5f, -1f, 2f, 0.25f, 1f, 1f, 1f, 1f, -2f, 0f, 3f, 1f};
        Fixture.Response r = call(p, "POST", "/v2/models/onnxmlp/infer", inferBody("input", x, 3, 4));
        assertEquals(200, r.status(), r.text());
        JsonNode out = r.json().get("outputs").get(0);
        assertEquals("output", out.get("name").asText());
        assertEquals("[3,3]", out.get("shape").toString());
        assertArrayEquals(Fixture.forward(mlp, x, 3, 4), Fixture.floats(out.get("data")), 1e-6f);
    }

    @Test
    void inferTakesFlatAndNestedDataAndAnswersWhatTheModelComputes() throws Exception {
        Module mlp = Fixture.saveMlp(repo, "mlp", "1", 3);
        Protocol p = start(ServingOptions.defaults());
        float[] x = {0.5f, -1f, 2f, 0.25f, 1f, 1f, 1f, 1f};
        float[] want = Fixture.forward(mlp, x, 2, 4);
        Fixture.Response flat = call(p, "POST", "/v2/models/mlp/infer", inferBody("input", x, 2, 4));
        assertEquals(200, flat.status(), flat.text());
        assertEquals("mlp", flat.json().get("model_name").asText());
        assertEquals("1", flat.json().get("model_version").asText());
        assertEquals("r1", flat.json().get("id").asText());
        JsonNode out = flat.json().get("outputs").get(0);
        assertEquals("output", out.get("name").asText());
        assertEquals("FP32", out.get("datatype").asText());
        assertEquals("[2,3]", out.get("shape").toString());
        assertArrayEquals(want, Fixture.floats(out.get("data")), 1e-6f);

        String nested = "{\"inputs\":[{\"name\":\"input\",\"shape\":[2,4],\"datatype\":\"FP32\",\"data\":[[0.5,-1,2,0.25],[1,1,1,1]]}],"
                + "\"outputs\":[{\"name\":\"output\"}]}";
        Fixture.Response n = call(p, "POST", "/v2/models/mlp/versions/1/infer", nested);
        assertEquals(200, n.status(), n.text());
        assertFalse(n.json().has("id"), "no id asked, none given");
        assertArrayEquals(want, Fixture.floats(n.json().get("outputs").get(0).get("data")), 1e-6f);
        assertError(call(p, "POST", "/v2/models/mlp/infer", nested.replace("{\"name\":\"output\"}", "{\"name\":\"logits\"}")), 400, "no output 'logits'");
    }

    /** The protocol's own example request (inference_rest.md), with an FP32 tensor: named input, requested output, id. */
    @Test
    void theSpecsExampleRequestIsAnsweredAsTheSpecsExampleResponse() throws Exception {
        Module mlp = Fixture.saveMlp(repo, "mymodel", "1", 9);
        Files.writeString(repo.resolve("mymodel/config.json"), "{\"inputs\": [{\"name\": \"input0\", \"datatype\": \"FP32\", \"shape\": [-1, 4]}],"
                + " \"outputs\": [{\"name\": \"output0\", \"datatype\": \"FP32\", \"shape\": [-1, 3]}]}");
        Protocol p = start(ServingOptions.defaults());
        String request = "{\n  \"id\" : \"42\",\n  \"inputs\" : [\n    {\n      \"name\" : \"input0\",\n      \"shape\" : [ 2, 4 ],\n"
                + "      \"datatype\" : \"FP32\",\n      \"data\" : [ 1, 2, 3, 4, 5, 6, 7, 8 ]\n    }\n  ],\n  \"outputs\" : [\n    {\n      \"name\" : \"output0\"\n    }\n  ]\n}";
        Fixture.Response r = call(p, "POST", "/v2/models/mymodel/infer", request);
        assertEquals(200, r.status(), r.text());
        assertEquals("42", r.json().get("id").asText());
        assertEquals(1, r.json().get("outputs").size());
        JsonNode out = r.json().get("outputs").get(0);
        assertEquals("output0", out.get("name").asText());
        assertEquals("[2,3]", out.get("shape").toString());
        assertEquals("FP32", out.get("datatype").asText());
        assertArrayEquals(Fixture.forward(mlp, new float[] {1, 2, 3, 4, 5, 6, 7, 8}, 2, 4), Fixture.floats(out.get("data")), 1e-6f);
        Fixture.Response meta = call(p, "GET", "/v2/models/mymodel", null);
        assertEquals("{\"name\":\"input0\",\"datatype\":\"FP32\",\"shape\":[-1,4]}", meta.json().get("inputs").get(0).toString());
        assertEquals("{\"name\":\"output0\",\"datatype\":\"FP32\",\"shape\":[-1,3]}", meta.json().get("outputs").get(0).toString());
    }

    @Test
    void badInputsAreClearFourHundreds() throws Exception {
        Fixture.saveMlp(repo, "mlp", "1", 4);
        Protocol p = start(ServingOptions.defaults().withLimits(8192, 1000, 8));
        String infer = "/v2/models/mlp/infer";
        assertError(call(p, "POST", infer, "{\"inputs\": [}"), 400, "malformed JSON");
        assertError(call(p, "POST", infer, "[1,2]"), 400, "must be a JSON object");
        assertError(call(p, "POST", infer, "{\"id\":\"x\"}"), 400, "no \"inputs\"");
        assertError(call(p, "POST", infer, "{\"inputs\":[]}"), 400, "\"inputs\" is empty");
        assertError(call(p, "POST", infer, "{\"inputs\":[{\"name\":\"input\",\"shape\":[1,4],\"data\":[1,2,3,4]}]}"), 400, "no \"datatype\"");
        assertError(call(p, "POST", infer, "{\"inputs\":[{\"name\":\"input\",\"datatype\":\"FP32\",\"data\":[1,2,3,4]}]}"), 400, "no \"shape\"");
        assertError(call(p, "POST", infer, inferBody("input", new float[3], 1, 4)), 400, "shape [1, 4] holds 4 elements, but data has 3");
        assertError(call(p, "POST", infer, inferBody("input", new float[6], 2, 3)), 400, "has shape [2, 3], but model mlp takes [-1, 4]");
        assertError(call(p, "POST", infer, inferBody("x", new float[4], 1, 4)), 400, "no input 'x'");
        assertError(call(p, "POST", infer, inferBody("input", new float[4], 1, 4).replace("FP32", "INT64").replace(".0", "")), 400, "is INT64, but model mlp takes FP32");
        assertError(call(p, "POST", infer, inferBody("input", new float[4], 1, 4).replace("FP32", "FP16")), 400, "FP16 cannot be sent as JSON numbers");
        assertError(call(p, "POST", infer, inferBody("input", new float[4], 1, 4).replace("FP32", "BYTES")), 400, "BYTES is not supported");
        assertError(call(p, "POST", infer, inferBody("input", new float[4], 1, 4).replace("FP32", "FP33")), 400, "unknown datatype 'FP33'");
        assertError(call(p, "POST", infer, "{\"inputs\":[{\"name\":\"input\",\"datatype\":\"FP32\",\"shape\":[2,2],\"data\":[[1,2],[3]]}]}"), 400, "ragged");
        assertError(call(p, "POST", infer, "{\"inputs\":[{\"name\":\"input\",\"datatype\":\"FP32\",\"shape\":[1,4],\"data\":[\"a\",2,3,4]}]}"), 400, "got a string");
        assertError(call(p, "POST", infer, "{\"inputs\":[{\"name\":\"input\",\"datatype\":\"FP32\",\"shape\":[1,4],\"data\":[[[[[[[[[[1]]]]]]]]]]}]}"), 400, "nesting depth at most 8");
        assertError(call(p, "POST", infer, inferBody("input", new float[1200], 300, 4)), 413, "more than 1000 tensor elements");
        assertError(call(p, "POST", infer, "{\"pad\":\"" + "x".repeat(9000) + "\"}"), 413, "larger than the limit of 8192 bytes");
        assertError(call(p, "POST", infer, inferBody("input", new float[4], 1, 4), Map.of("Inference-Header-Content-Length", "x")), 400, "must be a byte count");
        assertError(call(p, "GET", infer, null), 405, "use POST");
        assertError(call(p, "POST", "/v2/health/live", null), 405, "use GET");
        assertError(call(p, "GET", "/v2/nothing", null), 404, "no such endpoint");
        assertError(call(p, "POST", "/v2/models/..%2F..%2Fetc/infer", "{}"), 400, "invalid model name");
        assertError(call(p, "POST", "/v2/models/.hidden/infer", "{}"), 400, "invalid model name");
        assertError(call(p, "POST", "/v2/models/mlp/versions/..%2F1/infer", "{}"), 400, "invalid model version");
        assertError(call(p, "POST", "/predictions/a%00b", "[1]"), 400, "invalid model name");
        // and it keeps serving
        assertEquals(200, call(p, "POST", infer, inferBody("input", new float[4], 1, 4)).status());
    }

    /** Triton's binary tensor extension: raw little-endian inputs after the JSON header, and outputs asked for as raw bytes. */
    @Test
    void binaryTensorDataInAndOut() throws Exception {
        Module mlp = Fixture.saveMlp(repo, "mlp", "1", 10);
        Protocol p = start(ServingOptions.defaults());
        float[] x = {0.5f, -1, 2, 3, 1, 1, -4, 0.25f};
        String head = "{\"inputs\":[{\"name\":\"input\",\"datatype\":\"FP32\",\"shape\":[2,4],\"parameters\":{\"binary_data_size\":32}}],"
                + "\"outputs\":[{\"name\":\"output\",\"parameters\":{\"binary_data\":true}}]}";
        java.nio.ByteBuffer raw = java.nio.ByteBuffer.allocate(32).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        for (float f : x) raw.putFloat(f);
        byte[] body = concat(head.getBytes(java.nio.charset.StandardCharsets.UTF_8), raw.array());
        Protocol.Reply r = p.handle(new Protocol.Call("POST", "/v2/models/mlp/infer",
                h -> h.equalsIgnoreCase("Inference-Header-Content-Length") ? Integer.toString(head.length()) : null, new java.io.ByteArrayInputStream(body), body.length));
        assertEquals(200, r.status(), new String(r.body(), java.nio.charset.StandardCharsets.UTF_8));
        assertEquals("application/octet-stream", r.contentType());
        int jsonLength = Integer.parseInt(r.headers().get("Inference-Header-Content-Length"));
        JsonNode json = Fixture.JSON.readTree(java.util.Arrays.copyOf(r.body(), jsonLength));
        JsonNode out = json.get("outputs").get(0);
        assertEquals("[2,3]", out.get("shape").toString());
        assertEquals(24, out.get("parameters").get("binary_data_size").asInt());
        assertFalse(out.has("data"));
        assertEquals(jsonLength + 24, r.body().length);
        java.nio.FloatBuffer got = java.nio.ByteBuffer.wrap(r.body(), jsonLength, 24).order(java.nio.ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
        float[] y = new float[6];
        got.get(y);
        assertArrayEquals(Fixture.forward(mlp, x, 2, 4), y, 1e-6f);

        String bin = "Inference-Header-Content-Length";
        assertError(binary(p, head.replace("size\":32", "size\":28"), raw.array()), 400, "takes 32 bytes, but binary_data_size is 28");
        assertError(binary(p, head, concat(raw.array(), new byte[3])), 400, "3 bytes after the JSON header belong to no input");
        assertError(binary(p, head.replace("size\":32", "size\":64").replace("[2,4]", "[4,4]"), raw.array()), 400, "runs past the end of the body");
        assertError(call(p, "POST", "/v2/models/mlp/infer", head), 400, "has no Inference-Header-Content-Length header");
        assertError(call(p, "POST", "/v2/models/mlp/infer", head, Map.of(bin, "100000")), 400, "but the body has only");
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] c = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }

    private static Fixture.Response binary(Protocol p, String head, byte[] raw) throws Exception {
        byte[] body = concat(head.getBytes(java.nio.charset.StandardCharsets.UTF_8), raw);
        Protocol.Reply r = p.handle(new Protocol.Call("POST", "/v2/models/mlp/infer",
                h -> h.equalsIgnoreCase("Inference-Header-Content-Length") ? Integer.toString(head.length()) : null, new java.io.ByteArrayInputStream(body), body.length));
        String text = new String(r.body(), java.nio.charset.StandardCharsets.UTF_8);
        return new Fixture.Response(r.status(), Fixture.JSON.readTree(text), text, r.headers());
    }

    @Test
    void halfPrecisionBytesDecodeExactly() {
        assertEquals(1.0f, Raw.halfToFloat(0x3C00));
        assertEquals(-2.0f, Raw.halfToFloat(0xC000));
        assertEquals(65504f, Raw.halfToFloat(0x7BFF));
        assertEquals(0x1p-24f, Raw.halfToFloat(0x0001));
        assertEquals(0x1p-14f, Raw.halfToFloat(0x0400));
        assertEquals(Float.NEGATIVE_INFINITY, Raw.halfToFloat(0xFC00));
        assertTrue(Float.isNaN(Raw.halfToFloat(0x7E00)));
    }

    @Test
    void integerAndBooleanDatatypesAreRangeChecked() throws Exception {
        Fixture.saveMlp(repo, "mlp", "1", 4);
        Files.writeString(repo.resolve("mlp/config.json"), "{\"inputs\":[{\"name\":\"input\",\"datatype\":\"INT32\",\"shape\":[-1,4]}]}");
        // the warm-up runs the float model on INT32 zeros; Kindling promotes, so it loads
        Protocol p = start(ServingOptions.defaults());
        String body = "{\"inputs\":[{\"name\":\"input\",\"datatype\":\"INT32\",\"shape\":[1,4],\"data\":[1,2,3,%s]}]}";
        assertError(call(p, "POST", "/v2/models/mlp/infer", body.formatted("1.5")), 400, "numbers with a fraction");
        assertError(call(p, "POST", "/v2/models/mlp/infer", body.formatted("4294967296")), 400, "out of range");
        assertError(call(p, "POST", "/v2/models/mlp/infer", body.formatted("true").replace("INT32", "FP32")), 400, "holds booleans");
    }

    @Test
    void predictionsTakeASampleOrABatch() throws Exception {
        Module mlp = Fixture.saveMlp(repo, "mlp", "1", 5);
        Protocol p = start(ServingOptions.defaults());
        float[] x = {1, 2, 3, 4};
        Fixture.Response one = call(p, "POST", "/predictions/mlp", "[1, 2, 3, 4]");
        assertEquals(200, one.status(), one.text());
        assertEquals(3, one.json().size(), "one sample in, one row out: " + one.text());
        assertArrayEquals(Fixture.forward(mlp, x, 1, 4), Fixture.floats(one.json()), 1e-6f);
        Fixture.Response batch = call(p, "POST", "/predictions/mlp/1", "{\"data\": [[1, 2, 3, 4], [1, 2, 3, 4]]}");
        assertEquals(200, batch.status(), batch.text());
        assertEquals(2, batch.json().size());
        assertArrayEquals(Fixture.forward(mlp, x, 1, 4), Fixture.floats(batch.json().get(1)), 1e-6f);
        assertError(call(p, "POST", "/predictions/mlp", "{\"x\": 1}"), 400, "no \"data\"");
        assertError(call(p, "POST", "/predictions/mlp/9", "[1,2,3,4]"), 404, "no version '9'");
        assertError(call(p, "POST", "/predictions/other", "[1,2,3,4]"), 404, "unknown model 'other'");
    }

    @Test
    void tokensGuardInferenceAndManagementIsOffWithoutAnAdminToken() throws Exception {
        Fixture.saveMlp(repo, "mlp", "1", 6);
        Protocol p = start(ServingOptions.defaults().withTokens("s3cret", null));
        String body = inferBody("input", new float[4], 1, 4);
        assertError(call(p, "POST", "/v2/models/mlp/infer", body), 401, "needs a token");
        Fixture.Response wrong = call(p, "POST", "/v2/models/mlp/infer", body, Map.of("Authorization", "Bearer s3cre"));
        assertError(wrong, 401, "wrong token");
        assertEquals("Bearer", wrong.headers().get("WWW-Authenticate"));
        assertEquals(200, call(p, "POST", "/v2/models/mlp/infer", body, Map.of("Authorization", "Bearer s3cret")).status());
        assertEquals(401, call(p, "GET", "/metrics", null).status());
        assertEquals(200, call(p, "GET", "/v2/health/ready", null).status(), "probes need no token");
        assertEquals(200, call(p, "GET", "/ping", null).status());
        assertError(call(p, "POST", "/v2/repository/index", "{}", Map.of("Authorization", "Bearer s3cret")), 403, "management) API is off");
    }

    @Test
    void theRepositoryApiLoadsUnloadsAndIndexesWithTheAdminToken() throws Exception {
        Fixture.saveMlp(repo, "mlp", "1", 7);
        Protocol p = start(ServingOptions.defaults().withTokens(null, "adm"));
        Map<String, String> admin = Map.of("Authorization", "Bearer adm");
        assertError(call(p, "POST", "/v2/repository/index", "{}"), 401, "needs the admin token");
        Fixture.Response idx = call(p, "POST", "/v2/repository/index", "{}", admin);
        assertEquals(200, idx.status());
        assertEquals("mlp", idx.json().get(0).get("name").asText());
        assertEquals("1", idx.json().get(0).get("version").asText());
        assertEquals("READY", idx.json().get(0).get("state").asText());
        assertEquals(200, call(p, "POST", "/v2/repository/models/mlp/unload", "{}", admin).status());
        assertError(call(p, "POST", "/v2/models/mlp/infer", inferBody("input", new float[4], 1, 4)), 404, "unknown model");
        assertError(call(p, "POST", "/v2/repository/models/mlp/unload", "{}", admin), 404, "not loaded");
        assertEquals(200, call(p, "POST", "/v2/repository/models/mlp/load", "{}", admin).status());
        assertEquals(200, call(p, "POST", "/v2/models/mlp/infer", inferBody("input", new float[4], 1, 4)).status());
        assertError(call(p, "POST", "/v2/repository/models/ghost/load", "{}", admin), 400, "no model folder 'ghost'");
        Files.createDirectories(repo.resolve("broken/1"));
        Files.writeString(repo.resolve("broken/1/model.safetensors"), "garbage");
        assertError(call(p, "POST", "/v2/repository/models/broken/load", "{}", admin), 400, "cannot load broken/1/model.safetensors");
        Path outside = Files.createTempFile("outside", ".safetensors");
        try {
            Files.createDirectories(repo.resolve("linked/1"));
            Files.createSymbolicLink(repo.resolve("linked/1/model.safetensors"), outside);
            assertError(call(p, "POST", "/v2/repository/models/linked/load", "{}", admin), 400, "a link to a file outside the repository");
        } finally {
            Files.delete(outside);
        }
    }

    @Test
    void metricsAreHistogramsInSeconds() throws Exception {
        Fixture.saveMlp(repo, "mlp", "1", 8);
        Protocol p = start(ServingOptions.defaults());
        assertEquals(200, call(p, "POST", "/v2/models/mlp/infer", inferBody("input", new float[8], 2, 4)).status());
        assertEquals(400, call(p, "POST", "/v2/models/mlp/infer", inferBody("input", new float[3], 1, 3)).status());
        Fixture.Response m = call(p, "GET", "/metrics", null);
        assertEquals(200, m.status());
        String t = m.text();
        assertTrue(t.contains("# TYPE kindling_inference_request_duration_seconds histogram"), t);
        assertTrue(t.contains("kindling_inference_request_duration_seconds_count{model=\"mlp\",version=\"1\"} 2"), t);
        assertTrue(t.contains("kindling_inference_requests_total{model=\"mlp\",version=\"1\",code=\"400\"} 1"), t);
        assertTrue(t.contains("kindling_inference_requests_total{model=\"mlp\",version=\"1\",code=\"200\"} 1"), t);
        assertTrue(t.contains("kindling_inference_batch_size_bucket{model=\"mlp\",version=\"1\",le=\"2\"} 1"), t);
        assertTrue(t.contains("kindling_inference_batch_size_bucket{model=\"mlp\",version=\"1\",le=\"+Inf\"} 1"), t);
        assertTrue(t.contains("kindling_model_ready{model=\"mlp\",version=\"1\"} 1"), t);
        assertTrue(t.contains("kindling_model_loads_total{model=\"mlp\",version=\"1\",result=\"ok\"} 1"), t);
        assertTrue(t.contains("kindling_inference_pending_requests{model=\"mlp\",version=\"1\"} 0"), t);
        assertTrue(t.contains("kindling_http_requests_total{endpoint=\"infer\",code=\"400\"} 1"), t);
    }
}
