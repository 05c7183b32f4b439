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
 * conv2d's ops on the CPU ({@link ConvColumns}) against the unfused ops they replace, bit for bit: the forward (one GEMM
 * whose epilogue adds the bias and writes [N, O, oh, ow]) against mm into [O, N*L] and a transposed bias add; the input's
 * gradient (products of sample groups summed by col2im from cache) and the weight's against the gradient copied into
 * [O, N*L], mm and col2im. Half dtypes round once after the bias; the SPI defaults (float64, strided gradients) give the
 * same values. Shapes cover several column and row blocks, the row split of a product with few columns, several sample
 * groups, one and two threads, and sample runs that do not line up with the micro-kernel's 16 columns.
 */
class ConvColumnsTest {

    @AfterEach
    void restore() { ComputePool.configure(0); }

    /** {n, c, hw, out}: the CNN's two convolutions, odd sizes, one sample with many channels (the row split). */
    private static final int[][] SHAPES = {{64, 1, 28, 32}, {8, 32, 14, 64}, {3, 5, 7, 6}, {1, 16, 5, 64}, {2, 3, 9, 130}, {40, 8, 20, 16}};

    private static Window2d window(int hw) { return new Window2d(3, 3, 1, 1, 1, 1, 1, 1, hw, hw); }

    @Test
    void theForwardHasTheBitsOfTheProductAndBiasAddItReplaces() {
        for (int threads : new int[] {1, 2}) {
            ComputePool.configure(threads);
            for (int[] s : SHAPES) {
                Torch.manualSeed(s[0] * 31L + s[3]);
                Tensor x = Torch.randn(s[0], s[1], s[2], s[2]), w = Torch.randn(s[3], s[1], 3, 3), b = Torch.randn(s[3]);
                Tensor[] out = Ops.conv2dIm2col(x, w, b, window(s[2]));
                Tensor cols = out[1];
                assertBits(Ops.im2col(x, window(s[2])), cols, "the columns");
                Tensor product = unfusedProduct(cols, w, s);
                String where = Arrays.toString(s) + " on " + threads + " threads";
                assertBits(product.add(b.view(1, s[3], 1, 1)), out[0], where + " with a bias");
                assertTrue(out[0].isContiguous(), where + ": contiguous, so that view(N, -1) works as in PyTorch");
                assertBits(product.contiguous(), Ops.conv2dIm2col(x, w, null, window(s[2]))[0], where + " without");
            }
        }
    }

    @Test
    void halfForwardsRoundOnceAfterTheBias() {
        for (DType half : new DType[] {DType.BFLOAT16, DType.FLOAT16}) {
            for (int[] s : SHAPES) {
                Torch.manualSeed(s[1] * 17L + s[3]);
                Tensor x = Torch.randn(s[0], s[1], s[2], s[2]).to(half), w = Torch.randn(s[3], s[1], 3, 3).to(half), b = Torch.randn(s[3]).to(half);
                // the same values in float32, the same layout: the same float32 sums, rounded once
                Tensor want = Ops.conv2dIm2col(x.to(DType.FLOAT32), w.to(DType.FLOAT32), b.to(DType.FLOAT32), window(s[2]))[0].to(half);
                assertBits(want, Ops.conv2dIm2col(x, w, b, window(s[2]))[0], half + " " + Arrays.toString(s));
            }
        }
    }

    @Test
    void theGradientsHaveTheBitsOfTheCopyMmAndCol2im() {
        for (DType t : new DType[] {DType.FLOAT32, DType.BFLOAT16}) {
            for (int threads : new int[] {1, 2}) {
                ComputePool.configure(threads);
                for (int[] s : SHAPES) {
                    Torch.manualSeed(s[3] * 13L + s[1]);
                    Window2d win = window(s[2]);
                    long k = s[1] * 9L, l = (long) s[2] * s[2], n = s[0];
                    Tensor cols = Ops.im2col(Torch.randn(s[0], s[1], s[2], s[2]).to(t), win);
                    Tensor w = Torch.randn(s[3], s[1], 3, 3).to(t), g = Torch.randn(s[0], s[3], s[2], s[2]).to(t);
                    // what the create_graph path computes: the gradient copied into [O, N*L], then mm (and col2im)
                    Tensor g2 = g.transpose(0, 1).reshape(s[3], n * l);
                    Tensor input = Ops.col2im(w.reshape(s[3], k).t().mm(g2).view(k, n, l).transpose(0, 1), win, s[2], s[2]);
                    Tensor weight = g2.mm(cols.transpose(0, 1).reshape(k, n * l).t());
                    String where = t + " " + Arrays.toString(s) + " on " + threads + " threads";
                    assertBits(input, Ops.conv2dBackwardInput(g, w, win, s[2], s[2]), where + ", input's gradient");
                    assertBits(weight, Ops.conv2dColumnsBackwardWeight(g, cols), where + ", weight's gradient");
                    // a gradient that is not contiguous, and contiguous columns: the SPI defaults, the same products after copies
                    Tensor gt = g.transpose(2, 3).contiguous().transpose(2, 3);
                    assertBits(input, Ops.conv2dBackwardInput(gt, w, win, s[2], s[2]), where + ", strided gradient");
                    assertBits(weight, Ops.conv2dColumnsBackwardWeight(gt, cols.contiguous()), where + ", strided gradient and contiguous columns");
                }
            }
        }
    }

    @Test
    void float64TakesTheDefaultsWithTheSameValues() {
        for (int[] s : SHAPES) {
            Torch.manualSeed(s[2] * 7L + s[0]);
            Window2d win = window(s[2]);
            Tensor x = Torch.randn(s[0], s[1], s[2], s[2]).toDouble(), w = Torch.randn(s[3], s[1], 3, 3).toDouble(), b = Torch.randn(s[3]).toDouble();
            Tensor cols = Ops.im2col(x, win);
            Tensor want = unfusedProduct(cols, w, s).add(b.view(1, s[3], 1, 1));
            Tensor got = Ops.conv2dIm2col(x, w, b, win)[0];
            assertTrue(want.sub(got).abs().max().item() <= 1e-12 * Math.max(1, want.abs().max().item()), Arrays.toString(s));
        }
    }

    @Test
    void badInputsAreNamed() {
        Tensor x = Torch.randn(2, 3, 5, 5);
        Window2d win = window(5);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Ops.conv2dIm2col(x, Torch.randn(4, 2, 3, 3), null, win));
        assertTrue(e.getMessage().contains("[C_out, 3, 3, 3]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Ops.conv2dIm2col(x, Torch.randn(4, 3, 3, 3).toDouble(), null, win));
        assertTrue(e.getMessage().contains("float32") && e.getMessage().contains("float64"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Ops.conv2dIm2col(x, Torch.randn(4, 3, 3, 3), Torch.randn(5), win));
        assertTrue(e.getMessage().contains("bias of size [4]"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Ops.conv2dIm2col(x, Torch.randn(4, 3, 3, 3), Torch.randn(4).toDouble(), win), "bias dtype");
        e = assertThrows(IllegalArgumentException.class, () -> Ops.conv2dBackwardInput(Torch.randn(2, 4, 4, 5), Torch.randn(4, 3, 3, 3), win, 5, 5));
        assertTrue(e.getMessage().contains("does not match window"), e.getMessage());
    }

    /** The product conv2d made before its own op: mm into [O, N*L], viewed [N, O, oh, ow]. */
    private static Tensor unfusedProduct(Tensor cols, Tensor w, int[] s) {
        long k = w.numel() / s[3], l = (long) s[2] * s[2];
        return w.reshape(s[3], k).mm(cols.transpose(0, 1).reshape(k, s[0] * l)).view(s[3], s[0], s[2], s[2]).transpose(0, 1);
    }

    /** The same values, bit for bit, in any layout. */
    private static void assertBits(Tensor want, Tensor got, String where) {
        assertEquals(want.dtype(), got.dtype(), where);
        assertArrayEquals(want.shape(), got.shape(), where);
        float[] a = want.to(DType.FLOAT32).contiguous().toFloatArray(), b = got.to(DType.FLOAT32).contiguous().toFloatArray();
        for (int i = 0; i < a.length; i++) {
            if (Float.floatToRawIntBits(a[i]) != Float.floatToRawIntBits(b[i])) throw new AssertionError(where + ": element " + i + " is " + b[i] + ", not " + a[i]);
        }
    }
}
