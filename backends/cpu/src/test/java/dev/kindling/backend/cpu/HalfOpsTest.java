package dev.kindling.backend.cpu;

import dev.kindling.api.DType;
import dev.kindling.api.Device;
import dev.kindling.kernel.spi.BinaryOp;
import dev.kindling.kernel.spi.ReduceOp;
import dev.kindling.kernel.spi.UnaryOp;
import dev.kindling.kernel.spi.View;
import dev.kindling.kernel.spi.Window2d;
import dev.kindling.kernel.tensor.Half;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.Random;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Every float16/bfloat16 primitive of the CPU backend against the float32 primitive on the same (widened) values,
 * rounded once to the half dtype: bit-identical results, for contiguous, transposed and broadcast operands, with the
 * Vector API and (in the surefire run without it) the plain-Java conversions.
 */
class HalfOpsTest {
    private static final CpuBackend BE = new CpuBackend();

    enum Kind {
        BF16(DType.BFLOAT16), F16(DType.FLOAT16);
        final DType dtype;
        Kind(DType d) { dtype = d; }
    }

    /** A half tensor and the float32 tensor of its exact values, over one random shape; {@code view} reshapes both. */
    private static final class Pair {
        final View half, f32;
        Pair(View half, View f32) { this.half = half; this.f32 = f32; }
        Pair view(long[] shape, long[] strides, long offset) {
            return new Pair(new View(half.storage(), shape, strides, offset), new View(f32.storage(), shape, strides, offset));
        }
    }

    private static Pair random(DType t, int n, double scale, long seed) {
        Random r = new Random(seed);
        boolean bf16 = t == DType.BFLOAT16;
        short[] h = new short[n];
        float[] f = new float[n];
        for (int i = 0; i < n; i++) {
            h[i] = Half.fromFloat(bf16, (float) (r.nextGaussian() * scale));
            f[i] = Half.toFloat(bf16, h[i]);
        }
        return new Pair(new View(BE.fromHost(Device.CPU, t, h), new long[] {n}, new long[] {1}, 0),
                new View(BE.fromHost(Device.CPU, DType.FLOAT32, f), new long[] {n}, new long[] {1}, 0));
    }

    private static Pair random(DType t, long[] shape, double scale, long seed) {
        int n = (int) numel(shape);
        return random(t, n, scale, seed).view(shape, CpuBackend.contiguous(shape), 0);
    }

    private static long numel(long[] shape) {
        long n = 1;
        for (long s : shape) n *= s;
        return n;
    }

    private static View empty(DType t, long[] shape) {
        return new View(BE.allocate(Device.CPU, t, numel(shape)), shape, CpuBackend.contiguous(shape), 0);
    }

    /** Runs {@code op} into a half and a float32 output of {@code shape}, and checks half == round(float32). */
    private static void check(DType t, long[] shape, String what, Consumer<View> halfOp, Consumer<View> f32Op) {
        View h = empty(t, shape), f = empty(DType.FLOAT32, shape);
        halfOp.accept(h);
        f32Op.accept(f);
        same(t, h, f, what);
    }

    private static void same(DType t, View h, View f, String what) {
        boolean bf16 = t == DType.BFLOAT16;
        int[] ho = Strided.offsets(h), fo = Strided.offsets(f);
        short[] hs = ((CpuStorage.F16) h.storage()).a;
        float[] fs = ((CpuStorage.F32) f.storage()).a;
        for (int i = 0; i < ho.length; i++) {
            short want = Half.fromFloat(bf16, fs[fo[i]]);
            if (want != hs[ho[i]]) {
                assertEquals(Half.toFloat(bf16, want), Half.toFloat(bf16, hs[ho[i]]), what + " " + t + " at " + i);
            }
        }
    }

    /** Two bool views hold the same values. */
    private static void sameMask(View want, View got, String what) {
        assertEquals(java.util.Arrays.toString((boolean[]) BE.toHost(want)), java.util.Arrays.toString((boolean[]) BE.toHost(got)), what);
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void unary(Kind k) {
        DType t = k.dtype;
        long[] shape = {37, 29};
        Pair x = random(t, shape, 2, 1);
        Pair xt = random(t, shape, 2, 2).view(shape, new long[] {1, 37}, 0); // a transposed view
        for (UnaryOp op : new UnaryOp[] {UnaryOp.RELU, UnaryOp.EXP, UnaryOp.TANH, UnaryOp.SIGMOID, UnaryOp.NEG, UnaryOp.SQRT, UnaryOp.LOG,
            UnaryOp.ERF, UnaryOp.RECIPROCAL, UnaryOp.SQUARE}) {
            for (Pair in : new Pair[] {x, xt}) {
                check(t, shape, op.name(), o -> BE.unary(op, in.half, o), o -> BE.unary(op, in.f32, o));
            }
        }
        check(t, shape, "clamp", o -> BE.clamp(xt.half, -0.5, 0.75, o), o -> BE.clamp(xt.f32, -0.5, 0.75, o));
        View nan = empty(DType.BOOL, shape), nanRef = empty(DType.BOOL, shape);
        BE.unary(UnaryOp.ISFINITE, x.half, nan);
        BE.unary(UnaryOp.ISFINITE, x.f32, nanRef);
        sameMask(nanRef, nan, "isfinite " + t);
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void binaryWithBroadcasting(Kind k) {
        DType t = k.dtype;
        long[] shape = {3, 41, 19};
        Pair a = random(t, shape, 3, 3);
        Pair bias = random(t, new long[] {19}, 1, 4).view(shape, new long[] {0, 0, 1}, 0);     // expanded over two dims
        Pair col = random(t, new long[] {41}, 1, 5).view(shape, new long[] {0, 1, 0}, 0);      // expanded over rows
        Pair at = random(t, shape, 3, 6).view(shape, new long[] {41 * 19, 1, 41}, 0);         // inner dims transposed
        Pair a2 = random(t, shape, 3, 15);                                                   // one row of 2337 > the chunk length
        for (BinaryOp op : new BinaryOp[] {BinaryOp.ADD, BinaryOp.SUB, BinaryOp.MUL, BinaryOp.DIV, BinaryOp.MAXIMUM, BinaryOp.MINIMUM, BinaryOp.POW}) {
            check(t, shape, op + " bias", o -> BE.binary(op, a.half, bias.half, o, t), o -> BE.binary(op, a.f32, bias.f32, o, DType.FLOAT32));
            check(t, shape, op + " col", o -> BE.binary(op, at.half, col.half, o, t), o -> BE.binary(op, at.f32, col.f32, o, DType.FLOAT32));
            check(t, shape, op + " dense", o -> BE.binary(op, a.half, a2.half, o, t), o -> BE.binary(op, a.f32, a2.f32, o, DType.FLOAT32));
        }
        // A float32 scalar with a half tensor, as PyTorch 2.13's CPU kernels do it: * and / take the scalar's float32
        // value (original_scalar_value), + and - round it to the half dtype first.
        float s = 0.1f;
        View scalar = new View(BE.fromHost(Device.CPU, DType.FLOAT32, new float[] {s}), shape, new long[] {0, 0, 0}, 0);
        View scalarRounded = new View(BE.fromHost(Device.CPU, DType.FLOAT32, new float[] {Half.toFloat(t == DType.BFLOAT16, Half.fromFloat(t == DType.BFLOAT16, s))}),
                shape, new long[] {0, 0, 0}, 0);
        for (BinaryOp op : new BinaryOp[] {BinaryOp.MUL, BinaryOp.DIV}) {
            check(t, shape, op + " scalar", o -> BE.binary(op, a.half, scalar, o, t), o -> BE.binary(op, a.f32, scalar, o, DType.FLOAT32));
        }
        for (BinaryOp op : new BinaryOp[] {BinaryOp.ADD, BinaryOp.SUB}) {
            check(t, shape, op + " scalar", o -> BE.binary(op, a.half, scalar, o, t), o -> BE.binary(op, a.f32, scalarRounded, o, DType.FLOAT32));
        }
        // ReLU's backward: a half gradient times a bool mask
        View mask = empty(DType.BOOL, shape);
        BE.binary(BinaryOp.GT, a.f32, bias.f32, mask, DType.FLOAT32);
        check(t, shape, "mul mask", o -> BE.binary(BinaryOp.MUL, at.half, mask, o, t), o -> BE.binary(BinaryOp.MUL, at.f32, mask, o, DType.FLOAT32));
        View gt = empty(DType.BOOL, shape);
        BE.binary(BinaryOp.GT, a.half, bias.half, gt, t);
        sameMask(mask, gt, "gt " + t);
        View cond = empty(DType.BOOL, shape);
        BE.binary(BinaryOp.LT, at.f32, col.f32, cond, DType.FLOAT32);
        check(t, shape, "where", o -> BE.where(cond, a.half, bias.half, o), o -> BE.where(cond, a.f32, bias.f32, o));
    }

    /**
     * Comparisons and masks on the chunked path: every comparison against a tensor and against a float64 scalar (rounded
     * to the half dtype first, as the generic path converts operands to the compute dtype), a contiguous mask multiply
     * (the branch-free mask load) with NaN, infinities and negative values (NaN * 0 stays NaN, -x * 0 is -0), and an int64
     * scalar added (rounded too).
     */
    @ParameterizedTest
    @EnumSource(Kind.class)
    void comparisonsAndMasksChunkByChunk(Kind k) {
        DType t = k.dtype;
        boolean bf16 = t == DType.BFLOAT16;
        long[] shape = {5, 1000};
        Pair a = random(t, shape, 1, 21), b = random(t, shape, 1, 22);
        short[] ah = ((CpuStorage.F16) a.half.storage()).a;
        float[] af = ((CpuStorage.F32) a.f32.storage()).a;
        float[] special = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, -0f, 0f, -3.5f, Half.toFloat(bf16, Half.fromFloat(bf16, 0.1f))};
        for (int i = 0; i < special.length; i++) {
            ah[100 + i] = Half.fromFloat(bf16, special[i]);
            af[100 + i] = special[i];
        }
        double s = 0.1; // bf16(0.1) = 0.10009765625: values between the two compare differently when not rounded
        float rounded = Half.toFloat(bf16, Half.fromFloat(bf16, (float) s));
        View scalar = new View(BE.fromHost(Device.CPU, DType.FLOAT64, new double[] {s}), shape, new long[] {0, 0}, 0);
        View scalarRef = new View(BE.fromHost(Device.CPU, DType.FLOAT32, new float[] {rounded}), shape, new long[] {0, 0}, 0);
        for (BinaryOp op : new BinaryOp[] {BinaryOp.EQ, BinaryOp.NE, BinaryOp.LT, BinaryOp.LE, BinaryOp.GT, BinaryOp.GE}) {
            View got = empty(DType.BOOL, shape), want = empty(DType.BOOL, shape);
            BE.binary(op, a.half, b.half, got, t);
            BE.binary(op, a.f32, b.f32, want, DType.FLOAT32);
            sameMask(want, got, op + " tensor " + t);
            BE.binary(op, a.half, scalar, got, t);
            BE.binary(op, a.f32, scalarRef, want, DType.FLOAT32);
            sameMask(want, got, op + " scalar " + t);
        }
        View mask = empty(DType.BOOL, shape);
        BE.binary(BinaryOp.GT, b.f32, scalarRef, mask, DType.FLOAT32);
        boolean[] m = (boolean[]) BE.toHost(mask);
        check(t, shape, "mul contiguous mask", o -> BE.binary(BinaryOp.MUL, a.half, mask, o, t), o -> BE.binary(BinaryOp.MUL, a.f32, mask, o, DType.FLOAT32));
        View out = empty(t, shape);
        BE.binary(BinaryOp.MUL, a.half, mask, out, t);
        short[] oh = ((CpuStorage.F16) out.storage()).a;
        for (int i = 0; i < special.length; i++) {
            float want = special[i] * (m[100 + i] ? 1f : 0f);
            assertEquals(Float.floatToIntBits(want), Float.floatToIntBits(Half.toFloat(bf16, oh[100 + i])), "mask times " + special[i] + " " + t);
        }
        View three = new View(BE.fromHost(Device.CPU, DType.INT64, new long[] {3}), shape, new long[] {0, 0}, 0);
        View threeRef = new View(BE.fromHost(Device.CPU, DType.FLOAT32, new float[] {3}), shape, new long[] {0, 0}, 0);
        check(t, shape, "add int64 scalar", o -> BE.binary(BinaryOp.ADD, a.half, three, o, t), o -> BE.binary(BinaryOp.ADD, a.f32, threeRef, o, DType.FLOAT32));
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void thresholdBackwardSelectsExactly(Kind k) {
        DType t = k.dtype;
        boolean bf16 = t == DType.BFLOAT16;
        long[] shape = {7, 300};
        Pair g = random(t, shape, 1, 31), x = random(t, shape, 1, 32);
        float[] special = {Float.NaN, Float.POSITIVE_INFINITY, -0f, 0f, 0.5f, -3.5f};
        short[] gh = ((CpuStorage.F16) g.half.storage()).a, xh = ((CpuStorage.F16) x.half.storage()).a;
        float[] gf = ((CpuStorage.F32) g.f32.storage()).a, xf = ((CpuStorage.F32) x.f32.storage()).a;
        for (int i = 0; i < special.length; i++) {
            for (int j = 0; j < special.length; j++) {
                int at = 50 + i * special.length + j;
                gh[at] = Half.fromFloat(bf16, special[i]);
                gf[at] = special[i];
                xh[at] = Half.fromFloat(bf16, special[j]);
                xf[at] = special[j];
            }
        }
        for (double threshold : new double[] {0, 0.5}) {
            check(t, shape, "threshold_backward " + threshold, o -> BE.thresholdBackward(g.half, x.half, threshold, o),
                    o -> BE.thresholdBackward(g.f32, x.f32, threshold, o));
            // a transposed gradient and a broadcast input row
            long[] tShape = {300, 7};
            Pair gt = g.view(tShape, new long[] {1, 300}, 0), row = x.view(tShape, new long[] {0, 1}, 0);
            check(t, tShape, "threshold_backward strided " + threshold, o -> BE.thresholdBackward(gt.half, row.half, threshold, o),
                    o -> BE.thresholdBackward(gt.f32, row.f32, threshold, o));
        }
        // the float32 kernel itself, against PyTorch's rule, vector lanes and tail alike
        View out = empty(DType.FLOAT32, shape);
        BE.thresholdBackward(g.f32, x.f32, 0, out);
        float[] o = (float[]) BE.toHost(out);
        for (int i = 0; i < o.length; i++) {
            float want = xf[i] <= 0 ? 0f : gf[i];
            assertEquals(Float.floatToRawIntBits(want), Float.floatToRawIntBits(o[i]), "float32 threshold_backward at " + i);
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void reductionsAccumulateInFloat32(Kind k) {
        DType t = k.dtype;
        long[] shape = {6, 700, 5};
        Pair x = random(t, shape, 1, 7);
        Pair xt = random(t, shape, 1, 8).view(shape, new long[] {1, 6 * 5, 6}, 0);
        for (ReduceOp op : new ReduceOp[] {ReduceOp.SUM, ReduceOp.MAX, ReduceOp.MIN, ReduceOp.PROD}) {
            for (Pair in : new Pair[] {x, xt}) {
                check(t, new long[] {6, 1, 5}, op + " dim 1", o -> BE.reduce(op, in.half, new int[] {1}, o), o -> BE.reduce(op, in.f32, new int[] {1}, o));
                check(t, new long[] {1, 1, 1}, op + " all", o -> BE.reduce(op, in.half, new int[] {0, 1, 2}, o), o -> BE.reduce(op, in.f32, new int[] {0, 1, 2}, o));
            }
        }
        // 5000 ones: a bfloat16 accumulator would stop at 256, a float16 one at 2048
        View ones = empty(t, new long[] {5000});
        BE.fill(ones, 1);
        View total = empty(t, new long[] {1});
        BE.reduce(ReduceOp.SUM, ones, new int[] {0}, total);
        assertEquals(t == DType.BFLOAT16 ? 4992f : 5000f, toFloats(total)[0]);
        View idx = empty(DType.INT64, new long[] {6, 1, 5}), idxRef = empty(DType.INT64, new long[] {6, 1, 5});
        check(t, new long[] {6, 1, 5}, "argmax values", o -> BE.argReduce(true, xt.half, 1, o, idx), o -> BE.argReduce(true, xt.f32, 1, o, idxRef));
        assertEquals(java.util.Arrays.toString((long[]) BE.toHost(idxRef)), java.util.Arrays.toString((long[]) BE.toHost(idx)));
    }

    private static float[] toFloats(View v) {
        View f = empty(DType.FLOAT32, v.shape());
        BE.copy(v, f);
        return (float[]) BE.toHost(f);
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void softmax(Kind k) {
        DType t = k.dtype;
        long[] shape = {8, 10, 7};
        Pair x = random(t, shape, 4, 10).view(shape, new long[] {1, 8 * 7, 8}, 0);
        for (int dim = 0; dim < 3; dim++) {
            for (boolean log : new boolean[] {false, true}) {
                int d = dim;
                check(t, shape, (log ? "log_softmax " : "softmax ") + dim, o -> BE.softmax(x.half, d, log, o), o -> BE.softmax(x.f32, d, log, o));
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void windows(Kind k) {
        DType t = k.dtype;
        long[] in = {2, 3, 9, 11};
        Pair x = random(t, in, 1, 11);
        Window2d w = new Window2d(3, 3, 2, 1, 1, 0, 1, 2, 5, 7);
        long[] cols = {2, 27, 35};
        check(t, cols, "im2col", o -> BE.im2col(x.half, w, o), o -> BE.im2col(x.f32, w, o));
        Pair c = random(t, cols, 1, 12);
        check(t, in, "col2im", o -> BE.col2im(c.half, w, o), o -> BE.col2im(c.f32, w, o));
        Window2d pool = new Window2d(2, 2, 2, 2, 0, 0, 1, 1, 4, 5);
        long[] pooled = {2, 3, 4, 5};
        View idx = empty(DType.INT64, pooled), idxRef = empty(DType.INT64, pooled);
        check(t, pooled, "max_pool2d", o -> BE.maxPool2d(x.half, pool, o, idx), o -> BE.maxPool2d(x.f32, pool, o, idxRef));
        assertEquals(java.util.Arrays.toString((long[]) BE.toHost(idxRef)), java.util.Arrays.toString((long[]) BE.toHost(idx)));
        // "same" padding at stride 1: col2im widens the half columns run by run
        Window2d same = new Window2d(3, 3, 1, 1, 1, 1, 1, 1, 9, 11);
        long[] sameCols = {2, 27, 99};
        Pair cs = random(t, sameCols, 1, 13);
        // the columns in the [k, N, L] layout convolution uses
        Pair csT = cs.view(sameCols, new long[] {99, 2 * 99, 1}, 0);
        check(t, in, "col2im same-padded", o -> BE.col2im(csT.half, same, o), o -> BE.col2im(csT.f32, same, o));
        // max pooling's gradient: without overlap each cell gets one gradient (exact); with overlap (3 x 3 at stride 1) the
        // half path rounds after every addition, as scatter_add does
        Pair g = random(t, pooled, 1, 14);
        check(t, in, "max_pool2d backward", o -> BE.maxPool2dBackward(g.half, idx, o), o -> BE.maxPool2dBackward(g.f32, idxRef, o));
        Window2d overlap = new Window2d(3, 3, 1, 1, 0, 0, 1, 1, 7, 9);
        long[] over = {2, 3, 7, 9};
        View oi = empty(DType.INT64, over), ov = empty(t, over);
        BE.maxPool2d(x.half, overlap, ov, oi);
        Pair go = random(t, over, 1, 15);
        View got = empty(t, in), want = empty(t, in);
        BE.maxPool2dBackward(go.half, oi, got);
        long[] flat = {2, 3, 63};
        BE.scatter(new View(want.storage(), new long[] {2, 3, 99}, CpuBackend.contiguous(new long[] {2, 3, 99}), 0), 2,
                new View(oi.storage(), flat, CpuBackend.contiguous(flat), 0), new View(go.half.storage(), flat, CpuBackend.contiguous(flat), 0), true);
        assertEquals(java.util.Arrays.toString((short[]) BE.toHost(want)), java.util.Arrays.toString((short[]) BE.toHost(got)), "overlapping max_pool2d backward " + t);
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void scatter(Kind k) {
        DType t = k.dtype;
        boolean bf16 = t == DType.BFLOAT16;
        long[] shape = {4, 6};
        View index = new View(BE.fromHost(Device.CPU, DType.INT64, new long[] {1, 1, 5, 0, 2, 2, 3, 3, 0, 0, 4, 4}), new long[] {4, 3},
                new long[] {3, 1}, 0);
        for (boolean accumulate : new boolean[] {false, true}) {
            Pair self = random(t, shape, 1, 13), src = random(t, new long[] {4, 3}, 1, 14);
            short[] want = ((short[]) BE.toHost(self.half)).clone();
            short[] sv = (short[]) BE.toHost(src.half);
            long[] iv = (long[]) BE.toHost(index);
            for (int r = 0; r < 4; r++) {
                for (int c = 0; c < 3; c++) {
                    int to = r * 6 + (int) iv[r * 3 + c];
                    // a repeated index adds twice, rounding after each add as PyTorch's scatter_add does in the half dtype
                    want[to] = accumulate ? Half.fromFloat(bf16, Half.toFloat(bf16, want[to]) + Half.toFloat(bf16, sv[r * 3 + c])) : sv[r * 3 + c];
                }
            }
            BE.scatter(self.half, 1, index, src.half, accumulate);
            assertEquals(java.util.Arrays.toString(want), java.util.Arrays.toString((short[]) BE.toHost(self.half)), "accumulate " + accumulate);
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void matmulWidensWhilePacking(Kind k) {
        DType t = k.dtype;
        for (int[] mnk : new int[][] {{3, 5, 4}, {64, 256, 784}, {70, 9, 300}, {33, 130, 257}, {150, 40, 70}}) {
            int m = mnk[0], n = mnk[1], kk = mnk[2];
            long[] out = {2, m, n};
            Pair a = random(t, new long[] {2, m, kk}, 1, m);
            Pair bt = random(t, 2 * kk * n, 1, n).view(new long[] {2, kk, n}, new long[] {(long) kk * n, 1, kk}, 0); // B transposed
            String what = "matmul " + m + "x" + kk + "x" + n;
            check(t, out, what, o -> BE.matmul(a.half, bt.half, o), o -> BE.matmul(a.f32, bt.f32, o));
            // A transposed (a weight gradient's gᵀ): each k step's rows are one run, packed at once
            Pair at = random(t, 2 * m * kk, 1, m).view(new long[] {2, m, kk}, new long[] {(long) m * kk, 1, m}, 0);
            check(t, out, what + " (A transposed)", o -> BE.matmul(at.half, bt.half, o), o -> BE.matmul(at.f32, bt.f32, o));
            // a float32 output keeps the float32 product (addmm's path): the same values as the float32 kernel's
            View f = empty(DType.FLOAT32, out), ref = empty(DType.FLOAT32, out);
            BE.matmul(a.half, bt.half, f);
            BE.matmul(a.f32, bt.f32, ref);
            assertEquals(java.util.Arrays.toString((float[]) BE.toHost(ref)), java.util.Arrays.toString((float[]) BE.toHost(f)), what + " float32 out");
        }
        // half outputs are narrowed block by block inside the GEMM: several row blocks, column blocks (n > 1024) and k
        // blocks (k > 256), the row-split path (few columns), the thin path (n = 9) and the dot-product kernel (B along k)
        for (int[] mnk : new int[][] {{150, 1100, 300}, {600, 20, 70}, {500, 9, 40}, {40, 70, 300}}) {
            int m = mnk[0], n = mnk[1], kk = mnk[2];
            long[] out = {1, m, n};
            Pair a = random(t, new long[] {1, m, kk}, 1, m + 1);
            Pair b = random(t, new long[] {1, kk, n}, 1, n + 1);
            Pair bt = random(t, kk * n, 1, n + 2).view(new long[] {1, kk, n}, new long[] {(long) kk * n, 1, kk}, 0);
            String what = "matmul into half " + m + "x" + kk + "x" + n;
            check(t, out, what, o -> BE.matmul(a.half, b.half, o), o -> BE.matmul(a.f32, b.f32, o));
            check(t, out, what + " (B transposed)", o -> BE.matmul(a.half, bt.half, o), o -> BE.matmul(a.f32, bt.f32, o));
        }
    }
}
