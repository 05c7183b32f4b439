package dev.kindling.optim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kindling.api.Tensor;
import dev.kindling.api.Torch;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Reads the PyTorch fixtures (src/test/python/generate_optim_fixtures.py) and the problem they share. */
public final class Fixtures {
    private Fixtures() {}

    private static final ObjectMapper JSON = new ObjectMapper();

    public static JsonNode load(String name) {
        try (InputStream in = Fixtures.class.getResourceAsStream("/fixtures/" + name)) {
            if (in == null) throw new IllegalStateException("fixtures/" + name + " missing");
            return JSON.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A FLOAT32 tensor from {"shape":[..],"data":[..]}. */
    public static Tensor tensor(JsonNode t) {
        JsonNode d = t.get("data");
        float[] v = new float[d.size()];
        for (int i = 0; i < v.length; i++) v[i] = (float) d.get(i).asDouble();
        long[] shape = new long[t.get("shape").size()];
        for (int i = 0; i < shape.length; i++) shape[i] = t.get("shape").get(i).asLong();
        return Torch.tensor(v, shape);
    }

    public static double[] doubles(JsonNode a) {
        double[] r = new double[a.size()];
        for (int i = 0; i < r.length; i++) r[i] = a.get(i).asDouble();
        return r;
    }

    /** A JSON object as plain Java values (Double, Integer, Boolean, String, List, Map). */
    public static Map<String, Object> plain(JsonNode obj) {
        Map<String, Object> m = new LinkedHashMap<>();
        obj.fields().forEachRemaining(e -> m.put(e.getKey(), value(e.getValue())));
        return m;
    }

    public static Object value(JsonNode n) {
        if (n == null || n.isNull()) return null;
        if (n.isBoolean()) return n.asBoolean();
        if (n.isIntegralNumber()) return n.asInt();
        if (n.isNumber()) return n.asDouble();
        if (n.isTextual()) return n.asText();
        if (n.isArray()) {
            List<Object> l = new ArrayList<>();
            n.forEach(x -> l.add(value(x)));
            return l;
        }
        return plain(n);
    }

    /** The fixed problem: a tiny linear regression, loss = ((x @ w.T + b - y) ** 2).mean(). */
    public record Problem(Tensor x, Tensor y, Tensor w0, Tensor b0) {
        public static Problem load() {
            JsonNode p = Fixtures.load("optimizers.json").get("problem");
            return new Problem(tensor(p.get("x")), tensor(p.get("y")), tensor(p.get("w0")), tensor(p.get("b0")));
        }

        public Tensor loss(Tensor w, Tensor b) {
            return x.matmul(w.t()).add(b).sub(y).pow(2.0).mean();
        }

        public Tensor w() { return w0.clone().requiresGrad_(true); }

        public Tensor b() { return b0.clone().requiresGrad_(true); }
    }
}
