package dev.kindling.backend.cpu;

import dev.kindling.api.DType;
import dev.kindling.api.Device;
import dev.kindling.kernel.spi.View;
import dev.kindling.kernel.spi.Window2d;
import dev.kindling.kernel.tensor.Half;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The sliding-window primitives against their definitions, written out element by element: im2col and col2im over
 * windows that take the shifted-plane paths ("same" padding at stride 1, in float32 and as bf16 bits) and windows that
 * do not, and 2 x 2 max pooling (the vector kernel where the Vector API is present, the scalar loop in the surefire
 * run without it) on inputs full of ties, signed zeros and NaNs, with PyTorch's rule: scanning the window row by row,
 * a strictly greater value or a NaN takes over. Results must be bit-identical, col2im's sums included (each plane cell
 * adds its contributions in window-cell order).
 */
class WindowsTest {
    private static final CpuBackend BE = new CpuBackend();

    /** kernel, stride, padding, dilation (each h then w), and the input's h and w. */
    static Stream<int[]> windows() {
        return Stream.of(
                new int[] {3, 3, 1, 1, 1, 1, 1, 1, 14, 14},  // the CNN's convolution: shifted-plane path
                new int[] {3, 3, 1, 1, 1, 1, 1, 1, 1, 1},    // one pixel: every cell but the centre hangs over an edge
                new int[] {5, 5, 1, 1, 2, 2, 1, 1, 3, 7},    // kernel taller than the plane
                new int[] {3, 3, 1, 1, 2, 2, 2, 2, 6, 5},    // dilated, same-padded
                new int[] {1, 1, 1, 1, 0, 0, 1, 1, 4, 9},    // 1 x 1
                new int[] {3, 1, 1, 1, 1, 0, 1, 1, 5, 4},    // 3 x 1
                new int[] {3, 3, 2, 1, 1, 0, 1, 2, 9, 11},   // strided and dilated: the row-by-row path
                new int[] {2, 2, 1, 1, 0, 0, 1, 1, 5, 6});   // smaller output than input
    }

    private static Window2d window(int[] c) {
        int oh = Window2d.outputSize(c[8], c[0], c[2], c[4], c[6]), ow = Window2d.outputSize(c[9], c[1], c[3], c[5], c[7]);
        return new Window2d(c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7], oh, ow);
    }

    private static float[] gaussian(int n, long seed) {
        Random r = new Random(seed);
        float[] f = new float[n];
        for (int i = 0; i < n; i++) f[i] = (float) r.nextGaussian();
        return f;
    }

    private static View view(Object host, DType t, long[] shape, long[] strides, long offset) {
        return new View(BE.fromHost(Device.CPU, t, host), shape, strides, offset);
    }

    @ParameterizedTest
    @MethodSource("windows")
    void im2colAndCol2imFollowTheirDefinitions(int[] c) {
        Window2d w = window(c);
        int n = 3, ch = 2, h = c[8], wd = c[9], k = ch * w.kh() * w.kw(), l = w.oh() * w.ow();
        float[] x = gaussian(n * ch * h * wd, 1);
        float[] want = new float[n * k * l];
        for (int s = 0; s < n; s++) for (int q = 0; q < ch; q++) for (int i = 0; i < w.kh(); i++) for (int j = 0; j < w.kw(); j++) {
            int row = (q * w.kh() + i) * w.kw() + j;
            for (int y = 0; y < w.oh(); y++) for (int xo = 0; xo < w.ow(); xo++) {
                int iy = y * w.sh() - w.ph() + i * w.dh(), ix = xo * w.sw() - w.pw() + j * w.dw();
                boolean inside = iy >= 0 && iy < h && ix >= 0 && ix < wd;
                want[(s * k + row) * l + y * w.ow() + xo] = inside ? x[((s * ch + q) * h + iy) * wd + ix] : 0f;
            }
        }
        long[] in = {n, ch, h, wd}, cols = {n, k, l};
        // the layout convolution uses, [k, N, L] in memory
        long[] colStrides = {l, (long) n * l, 1};
        View out = new View(BE.allocate(Device.CPU, DType.FLOAT32, (long) n * k * l), cols, colStrides, 0);
        BE.im2col(view(x, DType.FLOAT32, in, CpuBackend.contiguous(in), 0), w, out);
        float[] got = (float[]) BE.toHost(out); // in logical order, [N, k, L]
        for (int s = 0; s < n; s++) for (int r = 0; r < k; r++) for (int p = 0; p < l; p++) {
            int e = (s * k + r) * l + p;
            assertEquals(Float.floatToRawIntBits(want[e]), Float.floatToRawIntBits(got[e]), "im2col, sample " + s + ", row " + r + ", column " + p);
        }
        // bf16 moves bits: the same columns, rounded once
        short[] xh = new short[x.length];
        for (int i = 0; i < x.length; i++) xh[i] = Half.fromFloat(true, x[i]);
        View outH = new View(BE.allocate(Device.CPU, DType.BFLOAT16, (long) n * k * l), cols, CpuBackend.contiguous(cols), 0);
        BE.im2col(view(xh, DType.BFLOAT16, in, CpuBackend.contiguous(in), 0), w, outH);
        short[] gotH = (short[]) BE.toHost(outH);
        for (int i = 0; i < want.length; i++) assertEquals(Half.fromFloat(true, want[i]), gotH[i], "bf16 im2col, element " + i);

        float[] g = gaussian(n * k * l, 2);
        float[] sum = new float[n * ch * h * wd];
        for (int s = 0; s < n; s++) for (int q = 0; q < ch; q++) for (int i = 0; i < w.kh(); i++) for (int j = 0; j < w.kw(); j++) {
            int row = (q * w.kh() + i) * w.kw() + j;
            for (int y = 0; y < w.oh(); y++) for (int xo = 0; xo < w.ow(); xo++) {
                int iy = y * w.sh() - w.ph() + i * w.dh(), ix = xo * w.sw() - w.pw() + j * w.dw();
                if (iy >= 0 && iy < h && ix >= 0 && ix < wd) sum[((s * ch + q) * h + iy) * wd + ix] += g[(s * k + row) * l + y * w.ow() + xo];
            }
        }
        float[] gt = new float[g.length];
        for (int s = 0; s < n; s++) for (int r = 0; r < k; r++) System.arraycopy(g, (s * k + r) * l, gt, r * n * l + s * l, l);
        View folded = new View(BE.allocate(Device.CPU, DType.FLOAT32, sum.length), in, CpuBackend.contiguous(in), 0);
        BE.col2im(view(gt, DType.FLOAT32, cols, colStrides, 0), w, folded);
        float[] gotSum = (float[]) BE.toHost(folded);
        for (int i = 0; i < sum.length; i++) {
            assertEquals(Float.floatToRawIntBits(sum[i]), Float.floatToRawIntBits(gotSum[i]), "col2im, element " + i + ": " + sum[i] + " vs " + gotSum[i]);
        }
    }

    @org.junit.jupiter.api.Test
    void maxPoolGradientAddsAsScatterAddDoes() {
        // overlapping 3 x 3 windows at stride 1 over few distinct values: cells win several windows, and their gradients
        // must sum in scatter_add's order (row-major over the gradient), bit for bit; the gradient a transposed view
        int n = 2, ch = 3, h = 9, wd = 8;
        Window2d w = new Window2d(3, 3, 1, 1, 0, 0, 1, 1, 7, 6);
        Random r = new Random(9);
        float[] x = new float[n * ch * h * wd];
        for (int i = 0; i < x.length; i++) x[i] = r.nextInt(4);
        long[] in = {n, ch, h, wd}, out = {n, ch, w.oh(), w.ow()};
        View indices = new View(BE.allocate(Device.CPU, DType.INT64, n * ch * w.oh() * w.ow()), out, CpuBackend.contiguous(out), 0);
        View values = new View(BE.allocate(Device.CPU, DType.FLOAT32, n * ch * w.oh() * w.ow()), out, CpuBackend.contiguous(out), 0);
        BE.maxPool2d(view(x, DType.FLOAT32, in, CpuBackend.contiguous(in), 0), w, values, indices);
        float[] g = gaussian(n * ch * w.oh() * w.ow(), 10);
        // the gradient stored [n, ch, ow, oh] and viewed [n, ch, oh, ow]
        long[] gStrides = {(long) ch * w.oh() * w.ow(), (long) w.oh() * w.ow(), 1, w.oh()};
        View grad = view(g, DType.FLOAT32, out, gStrides, 0);
        View fast = new View(BE.allocate(Device.CPU, DType.FLOAT32, x.length), in, CpuBackend.contiguous(in), 0);
        View ref = new View(BE.allocate(Device.CPU, DType.FLOAT32, x.length), in, CpuBackend.contiguous(in), 0);
        BE.maxPool2dBackward(grad, indices, fast);
        // the reference: scatter_add along the flattened planes, what the backward was before it had its own op
        long[] flat = {n, ch, (long) w.oh() * w.ow()};
        View gradFlat = new View(BE.allocate(Device.CPU, DType.FLOAT32, g.length), out, CpuBackend.contiguous(out), 0);
        BE.copy(grad, gradFlat);
        BE.scatter(new View(ref.storage(), new long[] {n, ch, (long) h * wd}, CpuBackend.contiguous(new long[] {n, ch, (long) h * wd}), 0), 2,
                new View(indices.storage(), flat, CpuBackend.contiguous(flat), 0), new View(gradFlat.storage(), flat, CpuBackend.contiguous(flat), 0), true);
        float[] a = (float[]) BE.toHost(fast), b = (float[]) BE.toHost(ref);
        for (int i = 0; i < a.length; i++) assertEquals(Float.floatToRawIntBits(b[i]), Float.floatToRawIntBits(a[i]), "element " + i);
        long[] bad = (long[]) BE.toHost(indices);
        bad[5] = h * wd;
        View badIndices = view(bad, DType.INT64, out, CpuBackend.contiguous(out), 0);
        View target = new View(BE.allocate(Device.CPU, DType.FLOAT32, x.length), in, CpuBackend.contiguous(in), 0);
        IndexOutOfBoundsException e = org.junit.jupiter.api.Assertions.assertThrows(IndexOutOfBoundsException.class,
                () -> BE.maxPool2dBackward(grad, badIndices, target));
        org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("index 72"), e.getMessage());
    }

    /** Pooling windows: 2 x 2 at strides 2 and 1, over planes whose output has fewer and more than eight cells. */
    static Stream<int[]> pools() {
        return Stream.of(new int[] {2, 28, 28}, new int[] {2, 14, 14}, new int[] {2, 7, 9}, new int[] {1, 6, 5}, new int[] {2, 3, 3});
    }

    @ParameterizedTest
    @MethodSource("pools")
    void maxPoolKeepsPyTorchsScanOrder(int[] c) {
        int stride = c[0], h = c[1], wd = c[2], n = 2, ch = 3;
        Window2d w = new Window2d(2, 2, stride, stride, 0, 0, 1, 1, Window2d.outputSize(h, 2, stride, 0, 1), Window2d.outputSize(wd, 2, stride, 0, 1));
        // a plane that is a slice of a wider one (rows wd + 3 apart), of few distinct values: ties everywhere, signed
        // zeros, and a NaN in about one window of twenty
        int rowStride = wd + 3;
        Random r = new Random(3);
        float[] pick = {-1f, -0f, 0f, 0.5f, 2f, Float.NEGATIVE_INFINITY};
        float[] x = new float[n * ch * h * rowStride];
        for (int i = 0; i < x.length; i++) x[i] = r.nextInt(80) == 0 ? Float.NaN : pick[r.nextInt(pick.length)];
        long[] in = {n, ch, h, wd}, inStrides = {(long) ch * h * rowStride, (long) h * rowStride, rowStride, 1};
        long[] out = {n, ch, w.oh(), w.ow()};
        View values = new View(BE.allocate(Device.CPU, DType.FLOAT32, n * ch * w.oh() * w.ow()), out, CpuBackend.contiguous(out), 0);
        View indices = new View(BE.allocate(Device.CPU, DType.INT64, n * ch * w.oh() * w.ow()), out, CpuBackend.contiguous(out), 0);
        BE.maxPool2d(view(x, DType.FLOAT32, in, inStrides, 0), w, values, indices);
        float[] gotValues = (float[]) BE.toHost(values);
        long[] gotIndices = (long[]) BE.toHost(indices);
        int o = 0;
        for (int p = 0; p < n * ch; p++) {
            for (int y = 0; y < w.oh(); y++) {
                for (int xo = 0; xo < w.ow(); xo++, o++) {
                    float m = Float.NEGATIVE_INFINITY;
                    long best = (long) y * stride * wd + xo * stride;
                    for (int i = 0; i < 2; i++) {
                        for (int j = 0; j < 2; j++) {
                            int iy = y * stride + i, ix = xo * stride + j;
                            float v = x[p * h * rowStride + iy * rowStride + ix];
                            if (v > m || Float.isNaN(v)) {
                                m = v;
                                best = (long) iy * wd + ix;
                            }
                        }
                    }
                    String where = "plane " + p + ", output (" + y + ", " + xo + ")";
                    assertEquals(Float.floatToRawIntBits(m), Float.floatToRawIntBits(gotValues[o]), where + ": " + m + " vs " + gotValues[o]);
                    assertEquals(best, gotIndices[o], where);
                }
            }
        }
    }
}
