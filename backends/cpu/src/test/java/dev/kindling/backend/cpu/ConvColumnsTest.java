package dev.kindling.backend.cpu;

import dev.kindling.api.DType;
import dev.kindling.api.Tensor;
import dev.kindling.api.Torch;
import dev.kindling.kernel.ops.Ops;
import dev.kindling.kernel.spi.Window2d;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code _conv2d_columns} on the CPU: {@link ConvColumns}' one GEMM, whose epilogue adds the bias and writes the
 * [N, O, oh, ow] output, gives the bits of the product and bias add conv2d made before it (mm into [O, N*L], then the
 * transposed add); half dtypes the float32 result rounded once; the SPI default (contiguous columns: a product per
 * sample) the same values. Shapes cover several column and row blocks, the row split of a product with few columns,
 * one and two threads, and sample runs that do not line up with the micro-kernel's 16 columns.
 */
class ConvColumnsTest {

    @AfterEach
    void restore() { ComputePool.configure(0); }

    /** {n, c, hw, out}: the CNN's two convolutions, odd sizes, one sample with many channels (the row split). */
    private static final int[][] SHAPES = {{64, 1, 28, 32}, {8, 32, 14, 64}, {3, 5, 7, 6}, {1, 16, 5, 64}, {2, 3, 9, 130}};

    @Test
    void theBitsOfTheProductAndBiasAddItReplaces() {
        for (int threads : new int[] {1, 2}) {
            ComputePool.configure(threads);
            for (int[] s : SHAPES) {
                Torch.manualSeed(s[0] * 31L + s[3]);
                Tensor x = Torch.randn(s[0], s[1], s[2], s[2]), w = Torch.randn(s[3], s[1] * 9L), b = Torch.randn(s[3]);
                Window2d win = new Window2d(3, 3, 1, 1, 1, 1, 1, 1, s[2], s[2]);
                Tensor cols = Ops.im2col(x, win);
                long k = w.size(1), l = (long) s[2] * s[2];
                Tensor product = w.mm(cols.transpose(0, 1).reshape(k, s[0] * l)).view(s[3], s[0], s[2], s[2]).transpose(0, 1);
                String where = Arrays.toString(s) + " on " + threads + " threads";
                assertBits(product.add(b.view(1, s[3], 1, 1)), Ops.conv2dColumns(cols, w, b, s[2], s[2]), where + " with a bias");
                assertBits(product.contiguous(), Ops.conv2dColumns(cols, w, null, s[2], s[2]), where + " without");
            }
        }
    }

    @Test
    void halfDtypesRoundOnceAfterTheBias() {
        for (DType half : new DType[] {DType.BFLOAT16, DType.FLOAT16}) {
            for (int[] s : SHAPES) {
                Torch.manualSeed(s[1] * 17L + s[3]);
                Window2d win = new Window2d(3, 3, 1, 1, 1, 1, 1, 1, s[2], s[2]);
                Tensor x = Torch.randn(s[0], s[1], s[2], s[2]).to(half), w = Torch.randn(s[3], s[1] * 9L).to(half), b = Torch.randn(s[3]).to(half);
                Tensor cols = Ops.im2col(x, win);
                // the same values in float32, the same layout: the same float32 sums, rounded once
                Tensor want = Ops.conv2dColumns(Ops.im2col(x.to(DType.FLOAT32), win), w.to(DType.FLOAT32), b.to(DType.FLOAT32), s[2], s[2]).to(half);
                Tensor got = Ops.conv2dColumns(cols, w, b, s[2], s[2]);
                assertEquals(half, got.dtype());
                assertBits(want.to(DType.FLOAT32), got.to(DType.FLOAT32), half + " " + Arrays.toString(s));
            }
        }
    }

    @Test
    void theDefaultForOtherLayoutsGivesTheSameValues() {
        for (DType t : new DType[] {DType.FLOAT32, DType.FLOAT64, DType.BFLOAT16}) {
            for (int[] s : SHAPES) {
                Torch.manualSeed(s[2] * 7L + s[0]);
                Window2d win = new Window2d(3, 3, 1, 1, 1, 1, 1, 1, s[2], s[2]);
                Tensor x = Torch.randn(s[0], s[1], s[2], s[2]).to(t), w = Torch.randn(s[3], s[1] * 9L).to(t), b = Torch.randn(s[3]).to(t);
                Tensor cols = Ops.im2col(x, win);
                Tensor contiguous = cols.contiguous(); // [N, k, L]: not im2col's layout, so the per-sample default
                Tensor fast = Ops.conv2dColumns(cols, w, b, s[2], s[2]).to(DType.FLOAT64);
                Tensor other = Ops.conv2dColumns(contiguous, w, b, s[2], s[2]).to(DType.FLOAT64);
                double tol = t == DType.BFLOAT16 ? 2e-2 : 1e-4;
                assertTrue(fast.sub(other).abs().max().item() <= tol * Math.max(1, fast.abs().max().item()),
                        t + " " + Arrays.toString(s) + ": the per-sample default differs by " + fast.sub(other).abs().max().item());
            }
        }
    }

    @Test
    void theBackwardReadsTheGradientWhereItIsWithTheCopysBits() {
        for (DType t : new DType[] {DType.FLOAT32, DType.BFLOAT16}) {
            for (int threads : new int[] {1, 2}) {
                ComputePool.configure(threads);
                for (int[] s : SHAPES) {
                    Torch.manualSeed(s[3] * 13L + s[1]);
                    Window2d win = new Window2d(3, 3, 1, 1, 1, 1, 1, 1, s[2], s[2]);
                    long k = s[1] * 9L, l = (long) s[2] * s[2], n = s[0];
                    Tensor cols = Ops.im2col(Torch.randn(s[0], s[1], s[2], s[2]).to(t), win);
                    Tensor w = Torch.randn(s[3], k).to(t), g = Torch.randn(s[0], s[3], s[2], s[2]).to(t);
                    // what the create_graph path computes: the gradient copied into [O, N*L], then mm
                    Tensor g2 = g.transpose(0, 1).reshape(s[3], n * l);
                    String where = t + " " + Arrays.toString(s) + " on " + threads + " threads";
                    Tensor gCols = Ops.conv2dColumnsBackwardInput(g, w);
                    assertArrayEquals(new long[] {n, k, l}, gCols.shape(), where);
                    assertArrayEquals(new long[] {l, n * l, 1}, gCols.stride(), where + ": im2col's layout");
                    assertBitsOf(w.t().mm(g2).view(k, n, l).transpose(0, 1), gCols, where + ", columns' gradient");
                    assertBitsOf(g2.mm(cols.transpose(0, 1).reshape(k, n * l).t()), Ops.conv2dColumnsBackwardWeight(g, cols), where + ", weight's gradient");
                    // a gradient that is not contiguous, and contiguous columns: the SPI default, the same products after its copies
                    Tensor gt = g.transpose(2, 3).contiguous().transpose(2, 3);
                    assertBitsOf(w.t().mm(g2).view(k, n, l).transpose(0, 1), Ops.conv2dColumnsBackwardInput(gt, w), where + ", strided gradient");
                    assertBitsOf(g2.mm(cols.transpose(0, 1).reshape(k, n * l).t()), Ops.conv2dColumnsBackwardWeight(gt, cols.contiguous()),
                            where + ", strided gradient and contiguous columns");
                }
            }
        }
    }

    @Test
    void badInputsAreNamed() {
        Tensor cols = Torch.randn(2, 6, 12), w = Torch.randn(4, 6);
        assertThrows(IllegalArgumentException.class, () -> Ops.conv2dColumns(cols, Torch.randn(4, 5), null, 3, 4), "weight's k");
        assertThrows(IllegalArgumentException.class, () -> Ops.conv2dColumns(cols, w, null, 3, 5), "positions");
        assertThrows(IllegalArgumentException.class, () -> Ops.conv2dColumns(cols, w, Torch.randn(5), 3, 4), "bias size");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Ops.conv2dColumns(cols, w.to(DType.FLOAT64), null, 3, 4));
        assertTrue(e.getMessage().contains("float32") && e.getMessage().contains("float64"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Ops.conv2dColumns(cols, w, Torch.randn(4).to(DType.FLOAT64), 3, 4), "bias dtype");
    }

    /** The same values, bit for bit, in any layout and dtype. */
    private static void assertBitsOf(Tensor want, Tensor got, String where) {
        assertEquals(want.dtype(), got.dtype(), where);
        assertArrayEquals(want.shape(), got.shape(), where);
        float[] a = want.to(DType.FLOAT32).contiguous().toFloatArray(), b = got.to(DType.FLOAT32).contiguous().toFloatArray();
        for (int i = 0; i < a.length; i++) {
            if (Float.floatToRawIntBits(a[i]) != Float.floatToRawIntBits(b[i])) throw new AssertionError(where + ": element " + i + " is " + b[i] + ", not " + a[i]);
        }
    }

    private static void assertBits(Tensor want, Tensor got, String where) {
        assertArrayEquals(want.shape(), got.shape(), where);
        assertTrue(got.isContiguous(), where + ": contiguous, so that view(N, -1) works as in PyTorch");
        float[] a = want.contiguous().toFloatArray(), b = got.toFloatArray();
        for (int i = 0; i < a.length; i++) {
            if (Float.floatToRawIntBits(a[i]) != Float.floatToRawIntBits(b[i])) {
                throw new AssertionError(where + ": element " + i + " is " + b[i] + ", the unfused product gives " + a[i]);
            }
        }
    }
}
