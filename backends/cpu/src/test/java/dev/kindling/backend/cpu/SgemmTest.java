package dev.kindling.backend.cpu;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SgemmTest {
    private static void check(Sgemm g, int m, int n, int k, long seed) {
        Random r = new Random(seed);
        float[] a = new float[m * k];
        float[] b = new float[k * n];
        for (int i = 0; i < a.length; i++) a[i] = r.nextFloat() * 2 - 1;
        for (int i = 0; i < b.length; i++) b[i] = r.nextFloat() * 2 - 1;
        float[] c = new float[m * n];
        for (int i = 0; i < c.length; i++) c[i] = 0.5f; // C += A B: the initial value must be kept
        g.gemm(a, b, c, m, n, k);
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double ref = 0.5;
                double mag = 0.5;
                for (int p = 0; p < k; p++) {
                    ref += (double) a[i * k + p] * b[p * n + j];
                    mag += Math.abs((double) a[i * k + p] * b[p * n + j]);
                }
                assertEquals(ref, c[i * n + j], 1e-6 * mag + 1e-6, g.name() + " " + m + "x" + k + " * " + k + "x" + n + " at (" + i + "," + j + ")");
            }
        }
    }

    private static void all(Sgemm g) {
        int[][] shapes = {{1, 1, 1}, {6, 16, 1}, {7, 17, 3}, {5, 15, 300}, {64, 256, 784}, {13, 40, 257}, {100, 9, 32}, {3, 3, 0},
            {97, 130, 70}, {256, 64, 9}};
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
    void scalarFallbackMatchesTheReference() { all(new ScalarSgemm()); }
}
