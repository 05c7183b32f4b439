package dev.kindling.backend.cpu;

import dev.kindling.kernel.tensor.Half;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The bulk conversions and the rounding of float32 values to half precision (Vector API where this JVM has it, plus the plain-Java tail) against the scalar reference in
 * {@link Half}, bit for bit: every 16-bit pattern for half to float, and for float to half every rounding neighbourhood
 * (each kept bit pattern with the dropped bits just below, at and above the tie) plus random floats.
 */
class HalfArraysTest {
    @Test
    void vectorKernelIsTheOneUnderTest() {
        // the surefire run without the Vector API checks the fallback; this one must exercise the vector kernel
        assertTrue(VectorApi.AVAILABLE || Boolean.getBoolean("kindling.cpu.noVector"), "tests run with --add-modules jdk.incubator.vector");
    }

    @Test
    void everyHalfPatternWidensExactly() {
        for (boolean bf16 : new boolean[] {true, false}) {
            short[] h = new short[65536 + 5];
            for (int i = 0; i < 65536; i++) h[i + 5] = (short) i;
            float[] f = new float[65536 + 3];
            HalfArrays.toFloat(bf16, h, 5, f, 3, 65536);
            for (int i = 0; i < 65536; i++) {
                int want = Float.floatToRawIntBits(Half.toFloat(bf16, (short) i));
                assertEquals(want, Float.floatToRawIntBits(f[i + 3]), (bf16 ? "bf16 " : "f16 ") + Integer.toHexString(i));
            }
        }
    }

    @Test
    void bf16RoundingNeighbourhoods() {
        int[] low = {0, 1, 0x7fff, 0x8000, 0x8001, 0xffff};
        float[] f = new float[65536 * low.length];
        for (int h = 0, i = 0; h < 65536; h++) for (int l : low) f[i++] = Float.intBitsToFloat(h << 16 | l);
        check(true, f);
    }

    @Test
    void f16RoundingNeighbourhoods() {
        // dropped bits of a normal float16: the low 13; of subnormals more, so the tie pattern is also tried at every
        // shift, and ties of subnormal results are covered by the random set's dense sweep of tiny values below
        int[] low = {0, 1, 0xfff, 0x1000, 0x1001, 0x1fff};
        float[] f = new float[(1 << 19) * low.length];
        for (int h = 0, i = 0; h < 1 << 19; h++) for (int l : low) f[i++] = Float.intBitsToFloat(h << 13 | l);
        check(false, f);
        float[] tiny = new float[1 << 20];
        for (int i = 0; i < tiny.length; i++) tiny[i] = (i - (1 << 19)) * 0x1.0p-34f; // multiples of 2^-34 across (-2^-15, 2^-15)
        check(false, tiny);
    }

    @Test
    void randomAndEdgeFloats() {
        Random r = new Random(14);
        float[] f = new float[1 << 21];
        for (int i = 0; i < f.length; i++) f[i] = Float.intBitsToFloat(r.nextInt());
        float[] edge = {0f, -0f, Float.MIN_VALUE, -Float.MIN_VALUE, Float.MIN_NORMAL, Float.MAX_VALUE, -Float.MAX_VALUE,
            Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN, Float.intBitsToFloat(0x7f800001), Float.intBitsToFloat(0xffc00001),
            Float.intBitsToFloat(0x7fffffff), 65504f, 65519.99f, 65520f, -65520f, 0x1.0p-14f, 0x1.0p-24f, 0x1.0p-25f, 0x1.8p-25f, 0x1.0p-26f,
            0x1.ffcp-15f, 0x1.ffep-15f, 3.3895314e38f, 3.3961776e38f, 1f, -1f, 1.00390625f, 1.01171875f};
        System.arraycopy(edge, 0, f, 7, edge.length);
        check(true, f);
        check(false, f);
    }

    /** Converts {@code f} at an odd offset (so vectors straddle the tail) and compares with the scalar reference. */
    private static void check(boolean bf16, float[] f) {
        int off = 3;
        float[] src = new float[f.length + off];
        System.arraycopy(f, 0, src, off, f.length);
        short[] out = new short[f.length + 1];
        HalfArrays.fromFloat(bf16, src, off, out, 1, f.length);
        for (int i = 0; i < f.length; i++) {
            short want = Half.fromFloat(bf16, f[i]);
            if (want != out[i + 1]) {
                assertEquals(Integer.toHexString(want & 0xffff), Integer.toHexString(out[i + 1] & 0xffff),
                        (bf16 ? "bf16 of " : "f16 of ") + Integer.toHexString(Float.floatToRawIntBits(f[i])));
            }
        }
        // the rounding a GEMM operand read at half precision gets: into another array, and in place
        float[] rounded = new float[f.length + 2];
        HalfArrays.round(bf16, src, off, rounded, 2, f.length);
        float[] inPlace = src.clone();
        HalfArrays.round(bf16, inPlace, off, inPlace, off, f.length);
        for (int i = 0; i < f.length; i++) {
            int want = Float.floatToRawIntBits(Half.toFloat(bf16, Half.fromFloat(bf16, f[i])));
            if (want != Float.floatToRawIntBits(rounded[i + 2]) || want != Float.floatToRawIntBits(inPlace[i + off])) {
                assertEquals(Integer.toHexString(want), Integer.toHexString(Float.floatToRawIntBits(rounded[i + 2])) + " / "
                        + Integer.toHexString(Float.floatToRawIntBits(inPlace[i + off])),
                        (bf16 ? "bf16 rounding of " : "f16 rounding of ") + Integer.toHexString(Float.floatToRawIntBits(f[i])));
            }
        }
    }
}
