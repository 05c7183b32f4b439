package dev.kindling.serving.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kindling.api.Tensor;
import dev.kindling.api.Torch;
import dev.kindling.io.Models;
import dev.kindling.nn.ModelSpec;
import dev.kindling.nn.Module;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/** A model repository on disk and calls into a server's protocol, as the servlet makes them. */
final class Fixture {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String MLP = "[{\"type\":\"linear\",\"in\":4,\"out\":8},{\"type\":\"relu\"},{\"type\":\"linear\",\"in\":8,\"out\":3}]";

    private Fixture() {}

    /** Saves a fresh 4-in, 3-out MLP (seeded) as {@code <repo>/<name>/<version>/model.safetensors}; returns the model. */
    static Module saveMlp(Path repo, String name, String version, long seed) throws IOException {
        Torch.manualSeed(seed);
        Module m = ModelSpec.fromJson(MLP).build();
        Path dir = repo.resolve(name).resolve(version);
        Files.createDirectories(dir);
        Models.save(m, dir.resolve(ModelFiles.SAFETENSORS));
        m.eval();
        return m;
    }

    static float[] forward(Module m, float[] x, long... shape) {
        try (var g = Torch.noGrad()) {
            return m.forward(Torch.tensor(x, shape)).toFloatArray();
        }
    }

    record Response(int status, JsonNode json, String text, Map<String, String> headers) {}

    static Response call(Protocol p, String method, String path, String body) {
        return call(p, method, path, body, Map.of());
    }

    static Response call(Protocol p, String method, String path, String body, Map<String, String> headers) {
        byte[] b = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
        Map<String, String> h = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        h.putAll(headers);
        Protocol.Reply r = p.handle(new Protocol.Call(method, path, h::get, new ByteArrayInputStream(b), b.length));
        String text = new String(r.body(), StandardCharsets.UTF_8);
        JsonNode json = null;
        if (r.contentType().startsWith("application/json")) {
            try {
                json = JSON.readTree(text);
            } catch (IOException e) {
                throw new UncheckedIOException("the server answered invalid JSON: " + text, e);
            }
        }
        return new Response(r.status(), json, text, r.headers());
    }

    static String inferBody(String name, float[] data, long... shape) {
        StringBuilder sb = new StringBuilder("{\"id\":\"r1\",\"inputs\":[{\"name\":\"" + name + "\",\"datatype\":\"FP32\",\"shape\":[");
        for (int i = 0; i < shape.length; i++) sb.append(i > 0 ? "," : "").append(shape[i]);
        sb.append("],\"data\":[");
        for (int i = 0; i < data.length; i++) sb.append(i > 0 ? "," : "").append(data[i]);
        return sb.append("]}]}").toString();
    }

    static float[] floats(JsonNode arr) {
        float[] f = new float[arr.size()];
        for (int i = 0; i < f.length; i++) f[i] = (float) arr.get(i).asDouble();
        return f;
    }

    static Tensor rows(int n) {
        return Torch.rand(n, 4);
    }

    /** Sends a request over a raw socket and leaves it open, unread (the caller closes it to disconnect). */
    static java.net.Socket sendRaw(java.net.URI base, String method, String path, String body) throws IOException {
        java.net.Socket s = new java.net.Socket(base.getHost(), base.getPort());
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        String head = method + " " + path + " HTTP/1.1\r\nHost: " + base.getHost() + "\r\nContent-Type: application/json\r\nContent-Length: " + b.length + "\r\n\r\n";
        s.getOutputStream().write(head.getBytes(StandardCharsets.US_ASCII));
        s.getOutputStream().write(b);
        s.getOutputStream().flush();
        return s;
    }
}
