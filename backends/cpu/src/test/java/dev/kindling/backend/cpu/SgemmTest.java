package dev.kindling.backend.cpu;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

class SgemmTest {
    /** C = A B with A read transposed when {@code ta} (stored k x m) and B transposed when {@code tb} (stored n x k). */
    private static void check(Sgemm g, int m, int n, int k, long seed, boolean ta, boolean tb) {
        Random r = new Random(seed);
        float[] a = new float[m * k + 3];
        float[] b = new float[k * n + 5];
        for (int i = 0; i < a.length; i++) a[i] = r.nextFloat() * 2 - 1;
        for (int i = 0; i < b.length; i++) b[i] = r.nextFloat() * 2 - 1;
        int aOff = 3, bOff = 5;
        int rsA = ta ? 1 : k, csA = ta ? m : 1, rsB = tb ? 1 : n, csB = tb ? k : 1;
        int ldc = n + 2;
        float[] c = new float[m * ldc + 1];
        java.util.Arrays.fill(c, Float.NaN); // C is overwritten: stale values must not leak in
        g.gemm(m, n, k, a, aOff, rsA, csA, b, bOff, rsB, csB, c, 1, ldc);
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double ref = 0;
                double mag = 0;
                for (int p = 0; p < k; p++) {
                    double v = (double) a[aOff + i * rsA + p * csA] * b[bOff + p * rsB + j * csB];
                    ref += v;
                    mag += Math.abs(v);
                }
                assertEquals(ref, c[1 + i * ldc + j], 1e-6 * mag + 1e-6,
                        g.name() + " " + m + "x" + k + " * " + k + "x" + n + (ta ? " A^T" : "") + (tb ? " B^T" : "") + " at (" + i + "," + j + ")");
            }
        }
    }

    private static void check(Sgemm g, int m, int n, int k, long seed) {
        check(g, m, n, k, seed, false, false);
        check(g, m, n, k, seed, true, false);
        check(g, m, n, k, seed, false, true);
    }

    private static void all(Sgemm g) {
        int[][] shapes = {{1, 1, 1}, {6, 16, 1}, {7, 17, 3}, {5, 15, 300}, {64, 256, 784}, {13, 40, 257}, {100, 9, 32}, {3, 3, 0},
            {97, 130, 70}, {256, 64, 9}, {200, 1100, 600}, {40, 70, 1100}, {26, 33, 2049}};
        long seed = 1;
        for (int[] s : shapes) check(g, s[0], s[1], s[2], seed++);
    }

    @Test
    void vectorKernelMatchesTheReference() {
        Sgemm g = Sgemm.best();
        // surefire runs with --add-modules jdk.incubator.vector, so the Vector API kernel must be the one chosen
        assertTrue(g instanceof VectorSgemm, "expected the Vector API kernel, got " + g.name());
        all(g);
    }

    @Test
    void everyMicroKernelShapeMatchesTheReference() {
        int preferred = jdk.incubator.vector.FloatVector.SPECIES_PREFERRED.vectorBitSize();
        for (String name : MicroKernels.NAMES) {
            VectorSgemm g = new VectorSgemm(name);
            // a kernel for wider vectors than this CPU's is emulated, a hundred times slower: small shapes only
            if (MicroKernels.named(name).vectorBits <= preferred) all(g);
            else for (int[] s : new int[][] {{1, 1, 1}, {13, 40, 17}, {29, 70, 33}}) check(g, s[0], s[1], s[2], 7);
        }
    }

    /**
     * The default kernel differs by CPU (4 x 32 with AVX-512's registers, 4 x 16 without), so the 256-bit shapes must give
     * the same bits: one FMA chain per element over k, in the same k blocks. Covers edge tiles, transposed operands,
     * several k blocks (k = 600) and the thin-product transposition (n = 20 is below 4 x 32's width, not 4 x 16's).
     */
    @Test
    void everyTwoFiftySixBitShapeGivesTheSameBits() {
        VectorSgemm reference = new VectorSgemm("4x16");
        for (String name : new String[] {"4x32", "6x16"}) {
            VectorSgemm g = new VectorSgemm(name);
            int[][] shapes = {{64, 512, 512}, {512, 784, 64}, {7, 45, 600}, {97, 130, 70}, {200, 20, 33}, {3, 33, 1}};
            for (int[] s : shapes) {
                for (int layout = 0; layout < 4; layout++) {
                    boolean ta = (layout & 1) != 0, tb = (layout & 2) != 0;
                    int m = s[0], n = s[1], k = s[2];
                    Random r = new Random(m * 7919L + n * 31L + k + layout);
                    float[] a = new float[m * k], b = new float[k * n];
                    for (int i = 0; i < a.length; i++) a[i] = r.nextFloat() * 2 - 1;
                    for (int i = 0; i < b.length; i++) b[i] = r.nextFloat() * 2 - 1;
                    int rsA = ta ? 1 : k, csA = ta ? m : 1, rsB = tb ? 1 : n, csB = tb ? k : 1;
                    float[] want = new float[m * n], got = new float[m * n];
                    reference.gemm(m, n, k, a, 0, rsA, csA, b, 0, rsB, csB, want, 0, n);
                    g.gemm(m, n, k, a, 0, rsA, csA, b, 0, rsB, csB, got, 0, n);
                    for (int i = 0; i < want.length; i++) {
                        if (Float.floatToRawIntBits(want[i]) != Float.floatToRawIntBits(got[i])) {
                            fail(name + " differs from 4x16 at " + java.util.Arrays.toString(s) + " layout " + layout + ", element " + i + ": " + got[i] + " vs " + want[i]);
                        }
                    }
                }
            }
        }
    }

    @Test
    void anUnknownKernelNameIsRefusedWithTheKnownOnes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new VectorSgemm("8x8"));
        assertTrue(e.getMessage().contains("'8x8'") && e.getMessage().contains("12x32"), e.getMessage());
    }

    @Test
    void theMeasuredMicroKernelIsTheDefaultAndThePropertyOverridesIt() {
        // one vector width in every kernel (VectorApi): 6 x 32 at 512 bits; at 256, 4 x 32 where there are 32 registers
        boolean registers = jdk.incubator.vector.FloatVector.SPECIES_PREFERRED.vectorBitSize() >= 512;
        String expected = VectorApi.BITS == 512 ? "vector-6x32" : registers ? "vector-4x32" : "vector-4x16";
        assertEquals(expected, VectorSgemm.forThisMachine().name());
        String old = System.getProperty("kindling.cpu.sgemmKernel");
        System.setProperty("kindling.cpu.sgemmKernel", "6x16");
        try {
            assertEquals("vector-6x16", VectorSgemm.forThisMachine().name());
        } finally {
            if (old == null) System.clearProperty("kindling.cpu.sgemmKernel");
            else System.setProperty("kindling.cpu.sgemmKernel", old);
        }
    }

    /**
     * x · Wᵀ with half operands takes the dot-product path after widening their rows: the result must be bit for bit the
     * one of float32 operands holding the same values (padded rows, offsets, k tails and several k and column blocks).
     */
    @Test
    void halfOperandsOfTheDotProductPathGiveTheirFloatValuesResult() {
        Sgemm g = Sgemm.best();
        for (boolean bf16 : new boolean[] {true, false}) {
            // the last shape is past the split size: columns go to two threads, each widening its own rows of B
            for (int[] s : new int[][] {{64, 256, 784}, {13, 10, 257}, {7, 300, 2100}, {5, 4, 64}, {40, 1000, 520}}) {
                int m = s[0], n = s[1], k = s[2], lda = k + 3, ldb = k + 1;
                assertTrue(DotSgemm.applies(m, n, k, Operand.of(new float[0]), 1, Operand.of(new float[0]), 1));
                Random r = new Random(m * 31L + n);
                short[] ha = new short[2 + m * lda], hb = new short[1 + n * ldb];
                for (int i = 0; i < ha.length; i++) ha[i] = dev.kindling.kernel.tensor.Half.fromFloat(bf16, r.nextFloat() * 2 - 1);
                for (int i = 0; i < hb.length; i++) hb[i] = dev.kindling.kernel.tensor.Half.fromFloat(bf16, r.nextFloat() * 2 - 1);
                float[] fa = new float[ha.length], fb = new float[hb.length];
                dev.kindling.kernel.tensor.Half.toFloat(bf16, ha, 0, fa, 0, ha.length);
                dev.kindling.kernel.tensor.Half.toFloat(bf16, hb, 0, fb, 0, hb.length);
                float[] expected = new float[m * n];
                g.gemm(m, n, k, Operand.of(fa), 2, lda, 1, Operand.of(fb), 1, 1, ldb, expected, 0, n);
                Operand[][] pairs = {{Operand.of(ha, bf16), Operand.of(fb)}, {Operand.of(fa), Operand.of(hb, bf16)}, {Operand.of(ha, bf16), Operand.of(hb, bf16)}};
                for (Operand[] p : pairs) {
                    float[] c = new float[m * n];
                    g.gemm(m, n, k, p[0], 2, lda, 1, p[1], 1, 1, ldb, c, 0, n);
                    org.junit.jupiter.api.Assertions.assertArrayEquals(expected, c, (bf16 ? "bf16 " : "f16 ") + m + "x" + n + "x" + k);
                }
            }
        }
    }

    @Test
    void scalarFallbackMatchesTheReference() { all(new ScalarSgemm()); }
}
