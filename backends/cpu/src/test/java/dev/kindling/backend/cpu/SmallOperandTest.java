package dev.kindling.backend.cpu;

import dev.kindling.api.Tensor;
import dev.kindling.api.Torch;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/**
 * Small float32 ops on contiguous operands take a direct path (one row, no row iterator); these check that it reads
 * views at their offsets, treats size-1 dimensions with any stride as contiguous, broadcasts scalars, and leaves
 * everything else (transposed and broadcast operands) to the strided path, with the same values either way.
 */
class SmallOperandTest {
    private static float[] iota(int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = i * 0.5f - 3f;
        return v;
    }

    @Test
    void binaryOpsReadContiguousViewsAtTheirOffsets() {
        Tensor t = Torch.tensor(iota(24), 4, 6);
        Tensor a = t.narrow(0, 1, 2), b = t.narrow(0, 2, 2); // rows 1-2 and 2-3: contiguous, offsets 6 and 12
        float[] x = a.toFloatArray(), y = b.toFloatArray();
        float[] sum = new float[12], prod = new float[12], quot = new float[12];
        for (int i = 0; i < 12; i++) {
            sum[i] = x[i] + y[i];
            prod[i] = x[i] * y[i];
            quot[i] = x[i] / y[i];
        }
        assertArrayEquals(sum, a.add(b).toFloatArray());
        assertArrayEquals(prod, a.mul(b).toFloatArray());
        assertArrayEquals(quot, a.div(b).toFloatArray());
    }

    @Test
    void scalarsAndSizeOneDimensionsBroadcast() {
        Tensor t = Torch.tensor(iota(6), 1, 6);
        Tensor col = Torch.tensor(iota(6), 6, 1).transpose(0, 1); // shape [1, 6], strides [1, 1]: still one row
        float[] x = t.toFloatArray();
        float[] plus = new float[6], doubled = new float[6], scaled = new float[6];
        for (int i = 0; i < 6; i++) {
            plus[i] = x[i] + 2.5f;
            doubled[i] = x[i] + x[i];
            scaled[i] = x[i] * 3f;
        }
        assertArrayEquals(plus, t.add(Torch.tensor(new float[] {2.5f})).toFloatArray());
        assertArrayEquals(doubled, t.add(col).toFloatArray());
        assertArrayEquals(scaled, t.mul(3).toFloatArray());
    }

    @Test
    void transposedAndBroadcastOperandsTakeTheStridedPath() {
        Tensor m = Torch.tensor(iota(12), 3, 4);
        Tensor mt = m.transpose(0, 1); // [4, 3], not contiguous
        Tensor row = Torch.tensor(iota(3), 3);
        float[] v = m.toFloatArray(), r = row.toFloatArray();
        float[] expected = new float[12];
        for (int i = 0; i < 4; i++) for (int j = 0; j < 3; j++) expected[i * 3 + j] = v[j * 4 + i] - r[j];
        assertArrayEquals(expected, mt.sub(row).toFloatArray());
        float[] tanh = new float[12];
        for (int i = 0; i < 4; i++) for (int j = 0; j < 3; j++) tanh[i * 3 + j] = (float) Math.tanh(v[j * 4 + i]);
        assertArrayEquals(tanh, mt.tanh().toFloatArray());
        // a contiguous view at an offset, unary
        Tensor tail = m.narrow(0, 1, 2);
        float[] neg = new float[8];
        for (int i = 0; i < 8; i++) neg[i] = -v[4 + i];
        assertArrayEquals(neg, tail.neg().toFloatArray());
    }
}
