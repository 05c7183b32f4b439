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
 * across threads, on one thread and as one run, all with the same bits) and, for row sums, the largest and the mean
 * row error at most PyTorch's and every row within the kernel's error bound. The values are regenerated here, bit for
 * bit, from the generator's counter-based stream; the exact sums are integers times 2^-24, computed in a long. Runs with
 * and without the Vector API, and at 256 bits (the pom's {@code without-vector-api} and {@code vector-256} executions).
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

            Tensor t = Torch.tensor(x, n);
            float threaded = (float) t.sum().item();
            float oneRun = (float) FastF32.sumRun(x, 0, n);
            double e1 = Math.abs(threaded - exact), e2 = Math.abs(oneRun - exact);
            assertTrue(e1 <= bound, name + ": |sum - exact| = " + e1 + " > " + bound + " (PyTorch's error or one ulp)");
            assertTrue(e2 <= bound, name + ": one run: |sum - exact| = " + e2 + " > " + bound);
            try {
                for (int threads : new int[] {1, 3}) {
                    ComputePool.configure(threads);
                    assertEquals(Float.floatToRawIntBits(threaded), Float.floatToRawIntBits((float) t.sum().item()), name + ": the same bits on " + threads + " threads");
                }
            } finally {
                ComputePool.configure(0);
            }
        }
    }

    /**
     * What {@link VectorSum} guarantees for any values: a pairwise tree of 16 float additions per block (γ4 times the
     * block's absolute sum), exact widening, double accumulation and one final rounding (half an ulp of the result).
     */
    private static double errorBound(double exact, float got, double absoluteSum) {
        double u = 0x1p-24, gamma4 = 4 * u / (1 - 4 * u);
        return 0.5 * Math.max(Math.ulp(got), Math.ulp((float) exact)) + gamma4 * absoluteSum + 0x1p-45 * absoluteSum;
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
                    double absoluteSum = 0;
                    for (int j = i * cols; j < (i + 1) * cols; j++) absoluteSum += Math.abs(x[j]);
                    double bound = errorBound(exact, got[i], absoluteSum);
                    assertTrue(e <= bound, name + " " + rows + "x" + cols + " row " + i + ": error " + e + " above the kernel's bound " + bound);
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
