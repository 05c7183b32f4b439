package dev.kindling.backend.cpu;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kindling.api.Tensor;
import dev.kindling.api.Torch;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * float32 sums of 10^7 values are no less accurate than PyTorch's: the error against the exact sum is at most PyTorch's
 * (the smaller of its 1- and 2-thread errors, recorded in {@code fixtures/sum_accuracy.json} by
 * {@code src/test/python/generate_sum_accuracy.py}) and at most one ulp of the exact sum, for the whole tensor (split
 * across threads, and as one run) and for row sums. The values are regenerated here, bit for bit, from the generator's
 * counter-based stream; the exact sums are integers times 2^-24, computed in a long. Runs with and without the Vector
 * API (the pom's {@code without-vector-api} execution).
 */
class SumAccuracyTest {

    private static final String FIXTURE = "/fixtures/sum_accuracy.json";

    private static JsonNode root;

    @BeforeAll
    static void load() throws IOException {
        try (InputStream is = SumAccuracyTest.class.getResourceAsStream(FIXTURE)) {
            assertNotNull(is, "missing test resource " + FIXTURE + " (run src/test/python/generate_sum_accuracy.py)");
            root = new ObjectMapper().readTree(is);
        }
    }

    // ----- the generator's stream (generate_sum_accuracy.py) -----

    private static long draw(long seed, long i) {
        long z = seed + (i + 1) * 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    private static double uniform(long seed, long i) { return (draw(seed, i) >>> 40) * 0x1p-24; }

    static float[] values(String name, long seed, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            if (name.equals("uniform")) {
                x[i] = (float) uniform(seed, i);
                continue;
            }
            double s = 0;
            for (int k = 0; k < 12; k++) s += uniform(seed, 12L * i + k);
            s -= 6;
            if (name.equals("offset")) s += 1000;
            x[i] = (float) s;
        }
        return x;
    }

    /** sum(x[off, off+n)) * 2^24, exactly (every value is a multiple of 2^-24 and below 2^11). */
    private static long exactScaled(float[] x, int off, int n) {
        long s = 0;
        for (int i = off; i < off + n; i++) {
            double k = x[i] * 0x1p24;
            long l = (long) k;
            assertEquals(k, l, 0, "not a multiple of 2^-24");
            s += l;
        }
        return s;
    }

    /** The smaller of PyTorch's recorded errors (1 and 2 threads) for {@code field}. */
    private static double pytorch(JsonNode perThreads, String field) {
        return Math.min(perThreads.get("1").get(field).asDouble(), perThreads.get("2").get(field).asDouble());
    }

    // ----- the checks -----

    @Test
    void wholeTensorSumIsNoLessAccurateThanPyTorch() {
        for (JsonNode c : root.get("cases")) {
            String name = c.get("name").asText();
            int n = c.get("n").asInt();
            float[] x = values(name, c.get("seed").asLong(), n);
            long scaled = exactScaled(x, 0, n);
            assertEquals(new BigInteger(c.get("exactScaled").asText()), BigInteger.valueOf(scaled), name + ": regenerated data differ");
            double exact = scaled * 0x1p-24;
            assertEquals(c.get("exact").asDouble(), exact, 0, name);
            double bound = Math.min(pytorch(c.get("pytorch"), "error"), Math.ulp((float) exact));

            float threaded = (float) Torch.tensor(x, n).sum().item();
            float oneRun = (float) FastF32.sumRun(x, 0, n);
            double e1 = Math.abs(threaded - exact), e2 = Math.abs(oneRun - exact);
            assertTrue(e1 <= bound, name + ": |sum - exact| = " + e1 + " > " + bound + " (PyTorch's error or one ulp)");
            assertTrue(e2 <= bound, name + ": one run: |sum - exact| = " + e2 + " > " + bound);
        }
    }

    @Test
    void rowSumsAreNoLessAccurateThanPyTorch() {
        for (JsonNode c : root.get("cases")) {
            String name = c.get("name").asText();
            int n = c.get("n").asInt();
            float[] x = values(name, c.get("seed").asLong(), n);
            Tensor t = Torch.tensor(x, n);
            for (JsonNode r : c.get("rows")) {
                int rows = r.get("shape").get(0).asInt(), cols = r.get("shape").get(1).asInt();
                float[] got = t.reshape(rows, cols).sum(1).toFloatArray();
                double max = 0, mean = 0;
                for (int i = 0; i < rows; i++) {
                    double exact = exactScaled(x, i * cols, cols) * 0x1p-24;
                    double e = Math.abs(got[i] - exact);
                    assertTrue(e <= Math.ulp((float) exact), name + " " + rows + "x" + cols + " row " + i + ": error " + e + " above one ulp");
                    max = Math.max(max, e);
                    mean += e / rows;
                }
                String what = name + " " + rows + "x" + cols;
                assertTrue(max <= pytorch(r.get("pytorch"), "maxError"), what + ": largest row error " + max + " above PyTorch's");
                assertTrue(mean <= pytorch(r.get("pytorch"), "meanError"), what + ": mean row error " + mean + " above PyTorch's");
            }
        }
    }
}
