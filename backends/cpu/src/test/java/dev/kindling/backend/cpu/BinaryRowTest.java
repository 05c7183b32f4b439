package dev.kindling.backend.cpu;

import dev.kindling.kernel.spi.BinaryOp;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The contiguous float32 rows of add, sub, mul, div (with a tensor or a broadcast scalar) and add-with-alpha
 * ({@link VectorBinary} where the Vector API is present, the scalar loops for tails and without it: the pom's
 * {@code without-vector-api} execution runs this too) give one IEEE operation's bits per element, for every length
 * across several vector widths, every start offset, in place, and with NaN, infinities, zeros and subnormals; nothing
 * is written outside the row.
 */
class BinaryRowTest {
    private static final BinaryOp[] OPS = {BinaryOp.ADD, BinaryOp.SUB, BinaryOp.MUL, BinaryOp.DIV};
    private static final float[] SPECIALS = {Float.NaN, 0f, -0f, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.MIN_VALUE,
        -Float.MIN_VALUE, Float.MAX_VALUE, 1f, -1f, 3e38f, 1e-30f};

    private static float apply(BinaryOp op, float a, float b) {
        switch (op) {
            case ADD: return a + b;
            case SUB: return a - b;
            case MUL: return a * b;
            default: return a / b;
        }
    }

    private static float[] values(Random r, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = r.nextInt(5) == 0 ? SPECIALS[r.nextInt(SPECIALS.length)] : (float) r.nextGaussian() * 10;
        return v;
    }

    private static void assertBits(float expected, float actual, String what) {
        assertEquals(Float.floatToIntBits(expected), Float.floatToIntBits(actual), what + ": expected " + expected + ", got " + actual);
    }

    @Test
    void everyLengthOffsetAndOperandFormGivesTheScalarBits() {
        Random r = new Random(7);
        for (BinaryOp op : OPS) {
            for (int n = 0; n <= 70; n++) {
                for (int off = 0; off < 3; off++) {
                    float[] x = values(r, n + 6), y = values(r, n + 6);
                    float[] o = new float[n + 6];
                    java.util.Arrays.fill(o, 42f);
                    FastF32.row(op, x, off, 1, y, off + 1, 1, o, off + 2, 1, n);
                    for (int i = 0; i < o.length; i++) {
                        int k = i - off - 2;
                        assertBits(k >= 0 && k < n ? apply(op, x[off + k], y[off + 1 + k]) : 42f, o[i], op + " n=" + n + " at " + i);
                    }
                    // a broadcast scalar, in place
                    float q = y[0];
                    float[] before = x.clone();
                    FastF32.row(op, x, off, 1, y, 0, 0, x, off, 1, n);
                    for (int i = 0; i < x.length; i++) {
                        int k = i - off;
                        assertBits(k >= 0 && k < n ? apply(op, before[i], q) : before[i], x[i], op + " scalar in place n=" + n + " at " + i);
                    }
                }
            }
        }
    }

    @Test
    void addWithAlphaIsOneFusedMultiplyAddAtEveryLength() {
        Random r = new Random(8);
        for (int n = 0; n <= 70; n++) {
            float[] x = values(r, n + 2), y = values(r, n + 2);
            float[] before = x.clone();
            ScaledAdd.row(x, 1, 1, y, 0, 1, -0.37f, x, 1, 1, n);
            for (int i = 0; i < x.length; i++) {
                int k = i - 1;
                assertBits(k >= 0 && k < n ? Math.fma(y[k], -0.37f, before[i]) : before[i], x[i], "fma n=" + n + " at " + i);
            }
        }
    }
}
