package dev.kindling.backend.cpu;

import dev.kindling.api.Tensor;
import dev.kindling.api.Torch;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/**
 * Sums over the leading dims of a contiguous tensor (a bias gradient) are each column's values added in double in row
 * order, then rounded: the float nearest the sum as a double loop computes it, for column counts around the 256-column
 * blocks the kernel splits by, and with two leading dims or keepdim.
 */
class LeadingSumTest {
    private static float[] expected(float[] x, int rows, int cols) {
        float[] e = new float[cols];
        for (int j = 0; j < cols; j++) {
            double s = 0;
            for (int i = 0; i < rows; i++) s += x[i * cols + j];
            e[j] = (float) s;
        }
        return e;
    }

    @Test
    void columnSumsAreDoubleAccumulatedInRowOrder() {
        Random r = new Random(3);
        int[][] shapes = {{64, 256}, {1, 7}, {3, 255}, {5, 257}, {100, 600}, {0, 9}, {1000, 10}};
        for (int[] s : shapes) {
            float[] x = new float[s[0] * s[1]];
            for (int i = 0; i < x.length; i++) x[i] = (float) (r.nextGaussian() * 100 + 3);
            Tensor t = Torch.tensor(x, s[0], s[1]);
            assertArrayEquals(expected(x, s[0], s[1]), t.sum(0).toFloatArray(), s[0] + "x" + s[1]);
            assertArrayEquals(expected(x, s[0], s[1]), t.sum(0, true).toFloatArray(), s[0] + "x" + s[1] + " keepdim");
        }
        float[] x = new float[4 * 6 * 33];
        for (int i = 0; i < x.length; i++) x[i] = r.nextFloat();
        assertArrayEquals(expected(x, 24, 33), Torch.tensor(x, 4, 6, 33).sum(new int[] {1, 0}, false).toFloatArray());
    }
}
