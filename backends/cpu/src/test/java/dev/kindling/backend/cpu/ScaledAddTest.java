package dev.kindling.backend.cpu;

import dev.kindling.api.Tensor;
import dev.kindling.api.Torch;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * {@code add(a, b, alpha)} and {@code sub(a, b, alpha)} are one fused multiply-add per element, as in PyTorch: checked
 * against Debian's PyTorch 1.13, {@code torch.add(a, b, alpha=-0.01)} equals {@code fma(b, float(alpha), a)} on all of
 * 1,000,003 normal floats, and differs from rounding {@code b·α} first on 1.8% of them.
 */
class ScaledAddTest {
    private static float[] random(int n, long seed) {
        Random r = new Random(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) r.nextGaussian();
        return v;
    }

    private static float[] expected(float[] a, float[] b, float alpha) {
        float[] e = new float[a.length];
        for (int i = 0; i < a.length; i++) e[i] = Math.fma(b[i], alpha, a[i]);
        return e;
    }

    @Test
    void addWithAlphaIsOneFusedMultiplyAdd() {
        float[] a = random(100_003, 1), b = random(100_003, 2);
        float alpha = (float) -0.01;
        Tensor r = Torch.tensor(a).add(Torch.tensor(b), -0.01);
        float[] got = r.toFloatArray();
        assertArrayEquals(expected(a, b, alpha), got);
        int differ = 0;
        for (int i = 0; i < a.length; i++) if (got[i] != a[i] + b[i] * alpha) differ++;
        assertEquals(true, differ > 0, "some elements must differ from the two-rounding result, or the test shows nothing");
    }

    @Test
    void inPlaceStridedAndBroadcastOperandsAndSubtraction() {
        float[] a = random(64 * 37, 3), b = random(64 * 37, 4);
        // in place, as SGD's p.add_(d_p, alpha=-lr)
        Tensor p = Torch.tensor(a.clone(), 64, 37);
        p.add_(Torch.tensor(b, 64, 37), -0.05);
        assertArrayEquals(expected(a, b, (float) -0.05), p.toFloatArray());
        // a transposed (strided) b
        Tensor bt = Torch.tensor(b, 37, 64).t();
        float[] btc = bt.contiguous().toFloatArray();
        assertArrayEquals(expected(a, btc, 2.5f), Torch.tensor(a, 64, 37).add(bt, 2.5).toFloatArray());
        // a broadcast row, and sub as add with -alpha
        float[] row = random(37, 5);
        float[] rows = new float[a.length];
        for (int i = 0; i < a.length; i++) rows[i] = row[i % 37];
        assertArrayEquals(expected(a, rows, -3f), Torch.tensor(a, 64, 37).sub(Torch.tensor(row, 37), 3.0).toFloatArray());
    }

    @Test
    void otherDtypesKeepTheirPath() {
        double[] a = {1, 2, 3}, b = {0.5, 0.25, 0.125};
        assertArrayEquals(new double[] {1 + 0.1 * 0.5, 2 + 0.1 * 0.25, 3 + 0.1 * 0.125},
                Torch.tensor(a).add(Torch.tensor(b), 0.1).toDoubleArray(), 1e-15);
        assertArrayEquals(new long[] {7, 10}, Torch.tensor(new long[] {1, 2}).add(Torch.tensor(new long[] {3, 4}), 2).toLongArray());
    }
}
