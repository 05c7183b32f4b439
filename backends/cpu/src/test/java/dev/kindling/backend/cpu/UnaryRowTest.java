package dev.kindling.backend.cpu;

import dev.kindling.api.Tensor;
import dev.kindling.api.Torch;
import dev.kindling.kernel.spi.UnaryOp;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The float32 rows of relu, neg, abs, square, sqrt and reciprocal (the Vector API kernel {@link VectorUnary} where available, with the
 * scalar loop for tails, strided rows and JVMs without it: the pom's {@code without-vector-api} execution runs this
 * too) give PyTorch's bits: relu keeps NaN (payload and sign) and -0.0 and turns every value below zero into +0.0; neg
 * flips the sign bit, abs clears it, for zeros and NaNs too (PyTorch 2.13: {@code torch.relu(torch.tensor(-0.0))} is
 * -0.0, {@code torch.tensor(-0.0).neg()} is 0.0); {@code square()}, which is {@code pow(x, 2)}, runs the same row;
 * sqrt and reciprocal are the correctly rounded float results (sqrt(-0.0) is -0.0, 1/-0.0 is -inf), whichever path ran.
 * Every length across several vector widths, every start offset, and nothing written outside the row.
 */
class UnaryRowTest {

    private static final UnaryOp[] OPS = {UnaryOp.RELU, UnaryOp.NEG, UnaryOp.ABS, UnaryOp.SQUARE, UnaryOp.SQRT, UnaryOp.RECIPROCAL};

    private static final float[] SPECIALS = {
        Float.NaN, -Float.NaN, Float.intBitsToFloat(0x7fc01234), Float.intBitsToFloat(0xffc05678), Float.intBitsToFloat(0x7f800001),
        0f, -0f, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.MIN_VALUE, -Float.MIN_VALUE, Float.MAX_VALUE,
        -Float.MAX_VALUE, Float.MIN_NORMAL, -Float.MIN_NORMAL, 1f, -1f, 0.5f, -2.5f, 1e-8f, -1e-8f, 3e38f, -3e38f,
    };

    /** PyTorch's result, by bits. */
    private static int expected(UnaryOp op, float v) {
        int b = Float.floatToRawIntBits(v);
        switch (op) {
            case RELU: return v < 0 ? 0 : b; // NaN compares false: kept, as is -0.0
            case NEG: return b ^ 0x80000000;
            case ABS: return b & 0x7fffffff;
            case SQRT: return Float.floatToRawIntBits((float) StrictMath.sqrt(v));
            case RECIPROCAL: return Float.floatToRawIntBits(1f / v);
            default: return Float.floatToRawIntBits(v * v);
        }
    }

    private static void assertBits(UnaryOp op, float in, float got, String where) {
        int want = expected(op, in);
        int have = Float.floatToRawIntBits(got);
        if (Float.isNaN(Float.intBitsToFloat(want)) && op != UnaryOp.RELU && op != UnaryOp.NEG && op != UnaryOp.ABS) {
            // arithmetic returns a NaN, its payload the hardware's choice (PyTorch promises none)
            assertTrue(Float.isNaN(got), op + "(" + in + ") is not NaN " + where);
            return;
        }
        assertEquals(Integer.toHexString(want), Integer.toHexString(have), op + "(" + in + " = 0x" + Integer.toHexString(Float.floatToRawIntBits(in)) + ") " + where);
    }

    /** Random values with the specials sprinkled in, a quarter of them negative zeros and NaNs at random places. */
    private static float[] data(int n, long seed) {
        Random r = new Random(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            int k = r.nextInt(4);
            x[i] = k == 0 ? SPECIALS[r.nextInt(SPECIALS.length)] : (float) r.nextGaussian();
        }
        return x;
    }

    @Test
    void contiguousRowsOfEveryLengthAndOffset() {
        float sentinel = Float.intBitsToFloat(0x7f812345);
        for (UnaryOp op : OPS) {
            for (int n = 0; n <= 140; n++) {
                for (int xo = 0; xo < 4; xo++) {
                    for (int oo = 0; oo < 3; oo++) {
                        float[] x = data(xo + n + 5, 31L * n + xo);
                        float[] o = new float[oo + n + 5];
                        java.util.Arrays.fill(o, sentinel);
                        FastF32.unaryRow(op, x, xo, 1, o, oo, 1, n);
                        String where = "n=" + n + " xo=" + xo + " oo=" + oo;
                        for (int i = 0; i < o.length; i++) {
                            if (i < oo || i >= oo + n) assertEquals(Float.floatToRawIntBits(sentinel), Float.floatToRawIntBits(o[i]), "written outside the row: " + i + " " + where);
                            else assertBits(op, x[xo + i - oo], o[i], "at " + (i - oo) + " " + where);
                        }
                    }
                }
            }
        }
    }

    @Test
    void longRowsAndInPlace() {
        for (UnaryOp op : OPS) {
            for (int n : new int[] {1000, 1023, 4097, 65_539}) {
                float[] x = data(n + 3, n);
                float[] o = new float[n];
                FastF32.unaryRow(op, x, 3, 1, o, 0, 1, n);
                for (int i = 0; i < n; i++) assertBits(op, x[3 + i], o[i], "long row n=" + n + " at " + i);
                float[] y = x.clone();
                FastF32.unaryRow(op, y, 3, 1, y, 3, 1, n); // in place
                for (int i = 0; i < n; i++) assertBits(op, x[3 + i], y[3 + i], "in place n=" + n + " at " + i);
            }
        }
    }

    @Test
    void stridedRows() {
        for (UnaryOp op : OPS) {
            float[] x = data(3 * 70 + 2, 7);
            float[] o = new float[2 * 70 + 1];
            FastF32.unaryRow(op, x, 2, 3, o, 1, 2, 70);
            for (int i = 0; i < 70; i++) assertBits(op, x[2 + 3 * i], o[1 + 2 * i], "strided at " + i);
        }
    }

    @Test
    void throughTensorsWithOffsetsAndViews() {
        float[] x = data(4099, 11);
        Tensor t = Torch.tensor(x, 4099);
        Tensor sliced = t.slice(0, 3, 4099, 1); // a storage offset of 3
        Tensor grid = t.slice(0, 0, 4096, 1).reshape(64, 64).t(); // transposed: the strided path
        for (UnaryOp op : OPS) {
            float[] got = apply(op, sliced).toFloatArray();
            for (int i = 0; i < got.length; i++) assertBits(op, x[3 + i], got[i], "offset view at " + i);
            float[] g = apply(op, grid).toFloatArray();
            for (int i = 0; i < 64; i++) for (int j = 0; j < 64; j++) assertBits(op, x[j * 64 + i], g[i * 64 + j], "transposed at " + i + "," + j);
        }
        Tensor copy = Torch.tensor(x, 4099);
        copy.slice(0, 5, 4099, 1).relu_();
        float[] r = copy.toFloatArray();
        for (int i = 0; i < 5; i++) assertEquals(Float.floatToRawIntBits(x[i]), Float.floatToRawIntBits(r[i]), "relu_ wrote before its view");
        for (int i = 5; i < 4099; i++) assertBits(UnaryOp.RELU, x[i], r[i], "relu_ at " + i);
    }

    @Test
    void powOfTwoIsTheSquareAndOtherExponentsAreUnchanged() {
        float[] x = data(1027, 13);
        Tensor t = Torch.tensor(x, 1027);
        float[] two = t.pow(2.0).toFloatArray(), twoL = t.pow(2L).toFloatArray(), three = t.pow(3L).toFloatArray();
        float[] inPlace = Torch.tensor(x, 1027).pow_(2.0).toFloatArray();
        for (int i = 0; i < x.length; i++) {
            assertBits(UnaryOp.SQUARE, x[i], two[i], "pow(2.0) at " + i);
            assertBits(UnaryOp.SQUARE, x[i], twoL[i], "pow(2) at " + i);
            assertBits(UnaryOp.SQUARE, x[i], inPlace[i], "pow_(2.0) at " + i);
            float cube = (float) Math.pow(x[i], 3);
            assertTrue(Float.isNaN(cube) ? Float.isNaN(three[i]) : cube == three[i], "pow(3) at " + i);
        }
    }

    private static Tensor apply(UnaryOp op, Tensor t) {
        switch (op) {
            case RELU: return t.relu();
            case NEG: return t.neg();
            case ABS: return t.abs();
            case SQRT: return t.sqrt();
            case RECIPROCAL: return t.reciprocal();
            default: return t.square();
        }
    }

    @Test
    void scalarReluMatchesTheDefinitionOnEveryBitPatternClass() {
        int[] patterns = {0, 1, 0x007fffff, 0x00800000, 0x3f800000, 0x7f7fffff, 0x7f800000, 0x7f800001, 0x7fc00000, 0x7fffffff,
            0x80000000, 0x80000001, 0x807fffff, 0x80800000, 0xbf800000, 0xff7fffff, 0xff800000, 0xff800001, 0xffc00000, 0xffffffff};
        for (int p : patterns) {
            float v = Float.intBitsToFloat(p);
            assertEquals(Integer.toHexString(expected(UnaryOp.RELU, v)), Integer.toHexString(Float.floatToRawIntBits(FastF32.relu(v))), "relu(0x" + Integer.toHexString(p) + ")");
        }
        Random r = new Random(5);
        for (int i = 0; i < 1_000_000; i++) {
            float v = Float.intBitsToFloat(r.nextInt());
            assertEquals(expected(UnaryOp.RELU, v), Float.floatToRawIntBits(FastF32.relu(v)));
        }
    }
}
