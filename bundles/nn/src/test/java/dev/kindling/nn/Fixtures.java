package dev.kindling.nn;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kindling.api.DType;
import dev.kindling.api.Tensor;
import dev.kindling.api.Torch;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.fail;

/** The PyTorch fixtures (src/test/python/generate_nn_fixtures.py) and tensor comparison. */
final class Fixtures {
    private Fixtures() {}

    private static JsonNode root;

    static synchronized JsonNode root() {
        if (root == null) {
            try (InputStream in = Fixtures.class.getResourceAsStream("/fixtures/nn.json")) {
                assertNotNull(in, "fixtures/nn.json missing");
                root = new ObjectMapper().readTree(in);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return root;
    }

    /** A tensor from {"shape", "dtype", "data"}; null for JSON null. */
    static Tensor tensor(JsonNode t) {
        if (t == null || t.isNull()) return null;
        JsonNode d = t.get("data");
        long[] shape = new long[t.get("shape").size()];
        for (int i = 0; i < shape.length; i++) shape[i] = t.get("shape").get(i).asLong();
        String dtype = t.get("dtype").asText();
        Tensor flat;
        switch (dtype) {
            case "float32": case "float64": {
                double[] v = new double[d.size()];
                for (int i = 0; i < v.length; i++) v[i] = d.get(i).asDouble();
                flat = Torch.tensor(v, v.length).to(dtype.equals("float32") ? DType.FLOAT32 : DType.FLOAT64);
                break;
            }
            case "int64": {
                long[] v = new long[d.size()];
                for (int i = 0; i < v.length; i++) v[i] = d.get(i).asLong();
                flat = Torch.tensor(v, v.length);
                break;
            }
            case "bool": {
                boolean[] v = new boolean[d.size()];
                for (int i = 0; i < v.length; i++) v[i] = d.get(i).asBoolean();
                flat = Torch.tensor(v, v.length);
                break;
            }
            default:
                throw new IllegalArgumentException("fixture dtype " + dtype);
        }
        return flat.reshape(shape);
    }

    static Map<String, Tensor> tensors(JsonNode obj) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        obj.fields().forEachRemaining(e -> out.put(e.getKey(), tensor(e.getValue())));
        return out;
    }

    /**
     * Elementwise {@code |a - e| <= rtol·|e| + atol·max|e|}: relative, with an absolute floor scaled to the tensor's
     * magnitude for elements that cancel to near zero.
     */
    static void assertClose(JsonNode expected, Tensor actual, double rtol, double atol, String what) {
        assertNotNull(actual, what + ": no value");
        Tensor e = tensor(expected);
        assertArrayEquals(e.shape(), actual.shape(), what + ": shape");
        if (!e.dtype().isFloatingPoint()) {
            assertArrayEquals(e.toLongArray(), actual.toLongArray(), what);
            assertEquals(e.dtype(), actual.dtype(), what + ": dtype");
            return;
        }
        double[] x = e.toDoubleArray();
        double[] a = actual.toDoubleArray();
        double scale = 0;
        for (double v : x) if (Double.isFinite(v)) scale = Math.max(scale, Math.abs(v));
        int worst = -1;
        double worstRatio = 1;
        for (int i = 0; i < x.length; i++) {
            if (Double.isNaN(x[i]) || Double.isInfinite(x[i])) {
                if (Double.compare(x[i], a[i]) != 0) fail(what + ": element " + i + " expected " + x[i] + " but was " + a[i]);
                continue;
            }
            double tol = rtol * Math.abs(x[i]) + atol * scale;
            double err = Math.abs(a[i] - x[i]);
            if (!(err <= tol) && (tol == 0 ? Double.POSITIVE_INFINITY : err / tol) >= worstRatio) {
                worstRatio = tol == 0 ? Double.POSITIVE_INFINITY : err / tol;
                worst = i;
            }
        }
        if (worst >= 0) {
            fail(what + ": element " + worst + " of " + x.length + " expected " + x[worst] + " but was " + a[worst] + " (error " + Math.abs(a[worst] - x[worst])
                    + ", " + String.format("%.3g", worstRatio) + "x the tolerance)");
        }
    }
}
