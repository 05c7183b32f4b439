package dev.kindling.backend.cpu;

import dev.kindling.api.DType;
import dev.kindling.api.Tensor;
import dev.kindling.api.Torch;
import dev.kindling.kernel.ops.DenseTensor;
import dev.kindling.kernel.spi.View;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link RunSums}: sums over a contiguous tensor's last dims and some leading ones (a convolution's bias gradient) give
 * the general strided path's bits (the same values in a sliced, non-contiguous tensor take that path), on one thread
 * and on several, float32 and half, within {@link VectorSum}'s error bound of the exact sum.
 */
class RunSumsTest {

    @AfterEach
    void restore() { ComputePool.configure(0); }

    /** Shapes and reduced dims this path takes: the bias gradient, more leading dims, unsorted dims. */
    private static final Object[][] CASES = {
        {new long[] {64, 32, 28, 28}, new int[] {0, 2, 3}},
        {new long[] {8, 5, 7, 16}, new int[] {0, 2, 3}},
        {new long[] {4, 6, 32}, new int[] {0, 2}},
        {new long[] {3, 4, 2, 5, 16}, new int[] {1, 3, 4}},
        {new long[] {3, 4, 2, 5, 16}, new int[] {4, 0, 3, 1}},
        {new long[] {5, 9, 3, 200}, new int[] {2, 0, 3}},
    };

    @Test
    void theGeneralPathsBitsOnAnyThreadCount() {
        for (Object[] c : CASES) {
            long[] shape = (long[]) c[0];
            int[] dims = (int[]) c[1];
            Tensor x = Torch.randn(shape).mul(3).add(0.25);
            View v = view(x);
            assertTrue(RunSums.trailingDims(v, dims) > 0, "the case takes the run path: " + Arrays.toString(shape) + " over " + Arrays.toString(dims));
            // the same values with a gap after dim 1: not contiguous, so the general path, with the same runs
            long[] wide = shape.clone();
            wide[1] += 1;
            Tensor sliced = Torch.zeros(wide).narrow(1, 0, shape[1]);
            sliced.copy_(x);
            assertTrue(RunSums.trailingDims(view(sliced), dims) == 0, "the sliced copy takes the general path");
            float[] general = sliced.sum(dims, true).toFloatArray();
            for (int threads : new int[] {1, 2, 3}) {
                ComputePool.configure(threads);
                Tensor got = x.sum(dims, true);
                String where = Arrays.toString(shape) + " over " + Arrays.toString(dims) + " on " + threads + " threads";
                assertBitsEqual(general, got.toFloatArray(), where);
                assertWithinBound(x, dims, got.toFloatArray(), where);
                assertArrayEquals(got.toFloatArray(), x.sum(dims, false).toFloatArray(), where + ": keepdim only reshapes");
            }
        }
    }

    @Test
    void halfInputsAreWidenedRunByRun() {
        for (DType half : new DType[] {DType.BFLOAT16, DType.FLOAT16}) {
            for (Object[] c : CASES) {
                long[] shape = (long[]) c[0];
                int[] dims = (int[]) c[1];
                Tensor x = Torch.randn(shape).to(half);
                Tensor got = x.sum(dims, false);
                assertEquals(half, got.dtype());
                // the float32 sum of the same values, rounded to the half type once, as PyTorch accumulates in float
                Tensor want = x.to(DType.FLOAT32).sum(dims, false).to(half);
                assertBitsEqual(want.to(DType.FLOAT32).toFloatArray(), got.to(DType.FLOAT32).toFloatArray(), half + " " + Arrays.toString(shape) + " over " + Arrays.toString(dims));
            }
        }
    }

    @Test
    void shapesItLeavesToTheOtherPaths() {
        assertEquals(0, RunSums.trailingDims(view(Torch.randn(4, 5, 32)), new int[] {1, 2}), "only trailing dims: the row sums' path");
        assertEquals(0, RunSums.trailingDims(view(Torch.randn(4, 5, 32)), new int[] {0, 1, 2}), "all dims");
        assertEquals(0, RunSums.trailingDims(view(Torch.randn(4, 5, 32)), new int[] {0, 1}), "the last dim kept");
        assertEquals(0, RunSums.trailingDims(view(Torch.randn(4, 5, 3, 3)), new int[] {0, 2, 3}), "runs of 9: too short");
        assertEquals(0, RunSums.trailingDims(view(Torch.randn(4, 32, 5).transpose(1, 2)), new int[] {0, 2}), "not contiguous");
        assertEquals(0, RunSums.trailingDims(view(Torch.randn(64, 1, 20, 20)), new int[] {0, 2, 3}), "the one kept dim of size 1: one contiguous run, the row sums' path");
        assertEquals(2, RunSums.trailingDims(view(Torch.randn(4, 5, 4, 4)), new int[] {0, 2, 3}));
    }

    /**
     * Each output is within VectorSum's bound of its exact sum (in double, from the float values: exact here, as the
     * values' sums stay far below 2^29): γ4 times the absolute sum of its values, plus half an ulp for the rounding.
     */
    private static void assertWithinBound(Tensor x, int[] dims, float[] got, String where) {
        long[] shape = x.shape();
        boolean[] reduced = new boolean[shape.length];
        for (int d : dims) reduced[d] = true;
        float[] values = x.contiguous().toFloatArray();
        int outs = 1;
        for (int d = 0; d < shape.length; d++) if (!reduced[d]) outs *= (int) shape[d];
        double[] exact = new double[outs], absolute = new double[outs];
        long[] index = new long[shape.length];
        for (float value : values) {
            int s = 0;
            for (int d = 0; d < shape.length; d++) if (!reduced[d]) s = (int) (s * shape[d] + index[d]);
            exact[s] += value;
            absolute[s] += Math.abs(value);
            for (int d = shape.length - 1; d >= 0 && ++index[d] == shape[d]; d--) index[d] = 0;
        }
        assertEquals(outs, got.length, where);
        double u = 0x1p-24;
        for (int i = 0; i < outs; i++) {
            double bound = 0.5 * Math.max(Math.ulp(got[i]), Math.ulp((float) exact[i])) + 4 * u / (1 - 4 * u) * absolute[i] + 0x1p-45 * absolute[i];
            assertTrue(Math.abs(got[i] - exact[i]) <= bound, where + " at " + i + ": " + got[i] + " is " + Math.abs(got[i] - exact[i]) + " from the exact " + exact[i] + ", above " + bound);
        }
    }

    private static View view(Tensor t) { return ((DenseTensor) t).view(); }

    private static void assertBitsEqual(float[] want, float[] got, String where) {
        assertEquals(want.length, got.length, where);
        for (int i = 0; i < want.length; i++) {
            assertEquals(Float.floatToRawIntBits(want[i]), Float.floatToRawIntBits(got[i]), where + " at " + i + ": " + want[i] + " vs " + got[i]);
        }
    }
}
