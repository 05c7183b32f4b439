package dev.kindling.backend.cpu;

import dev.kindling.api.DType;
import dev.kindling.kernel.spi.BinaryOp;
import dev.kindling.kernel.spi.ReduceOp;
import dev.kindling.kernel.spi.UnaryOp;
import dev.kindling.kernel.spi.View;
import dev.kindling.kernel.spi.Window2d;
import dev.kindling.kernel.tensor.Half;

/**
 * float16 and bfloat16 as storage formats: each primitive widens its half inputs to float32 (vectorised, exact), runs
 * the float32 kernel and rounds the result to the half dtype once, as PyTorch's CPU kernels compute half values in
 * float (its {@code opmath_type}). The common elementwise ops do it chunk by chunk in thread-local buffers; the rest
 * through float32 copies of their operands. The generic path gives the same values through a virtual accessor and a
 * scalar conversion per element, several times slower. Every method returns false for cases it does not handle.
 */
final class HalfOps {
    private HalfOps() {}

    static boolean isHalf(DType t) { return t == DType.FLOAT16 || t == DType.BFLOAT16; }

    static boolean unary(CpuBackend be, UnaryOp op, View in, View out) {
        if (!isHalf(in.dtype())) return false;
        if (FastF32.coversUnary(op) && out.dtype() == in.dtype()) {
            boolean bf16 = in.dtype() == DType.BFLOAT16;
            CpuStorage x = CpuBackend.s(in);
            short[] o = ((CpuStorage.F16) CpuBackend.s(out)).a;
            Strided.rowsParallel(out.shape(), (base, n, step) -> {
                float[][] buf = CHUNKS.get();
                for (int c = 0; c < n; c += CHUNK) {
                    int len = Math.min(CHUNK, n - c);
                    int xs = load(x, bf16, false, base[0] + c * step[0], step[0], len, buf[0]);
                    FastF32.unaryRow(op, buf[0], 0, xs, buf[2], 0, 1, len);
                    store(bf16, buf[2], o, base[1] + c * step[1], step[1], len);
                }
            }, in, out);
            return true;
        }
        View x = widen(be, in, in.dtype(), Scratch.Slot.HALF_A);
        if (op.isPredicate() || !isHalf(out.dtype())) be.unary(op, x, out);
        else roundInto(out, o -> be.unary(op, x, o));
        return true;
    }

    static boolean clamp(CpuBackend be, View in, double min, double max, View out) {
        if (!isHalf(in.dtype()) || in.dtype() != out.dtype()) return false;
        View x = widen(be, in, in.dtype(), Scratch.Slot.HALF_A);
        roundInto(out, o -> be.clamp(x, min, max, o));
        return true;
    }

    static boolean binary(CpuBackend be, BinaryOp op, View a, View b, View out, DType compute) {
        if (!isHalf(compute)) return false;
        boolean comparison = FastF32.isComparison(op) && out.dtype() == DType.BOOL;
        if ((comparison || FastF32.coversBinary(op) && out.dtype() == compute) && loadable(a, compute) && loadable(b, compute)) {
            // chunk by chunk through thread-local float32 buffers: no tensor-sized temporaries
            boolean bf16 = compute == DType.BFLOAT16;
            CpuStorage x = CpuBackend.s(a), y = CpuBackend.s(b);
            boolean keepB = floatScalar(op, b);
            Object o = CpuBackend.s(out).array();
            Strided.rowsParallel(out.shape(), (base, n, step) -> {
                float[][] buf = CHUNKS.get();
                for (int c = 0; c < n; c += CHUNK) {
                    int len = Math.min(CHUNK, n - c);
                    int xs = load(x, bf16, false, base[0] + c * step[0], step[0], len, buf[0]);
                    int ys = load(y, bf16, keepB, base[1] + c * step[1], step[1], len, buf[1]);
                    int oo = base[2] + c * step[2];
                    if (comparison) {
                        FastF32.compareRow(op, buf[0], 0, xs, buf[1], 0, ys, (boolean[]) o, oo, step[2], len);
                    } else {
                        FastF32.row(op, buf[0], 0, xs, buf[1], 0, ys, buf[2], 0, 1, len);
                        store(bf16, buf[2], (short[]) o, oo, step[2], len);
                    }
                }
            }, a, b, out);
            return true;
        }
        View x = operand(be, a, compute, Scratch.Slot.HALF_A), y = operand(be, b, compute, Scratch.Slot.HALF_B);
        if (isHalf(out.dtype())) roundInto(out, o -> be.binary(op, x, y, o, DType.FLOAT32));
        else be.binary(op, x, y, out, DType.FLOAT32);
        return true;
    }

    /** threshold_backward on half tensors of one dtype, chunk by chunk through float32 (the result is exact: 0 or g). */
    static boolean thresholdBackward(View grad, View self, double threshold, View out) {
        if (!isHalf(out.dtype()) || grad.dtype() != out.dtype() || self.dtype() != out.dtype()) return false;
        boolean bf16 = out.dtype() == DType.BFLOAT16;
        CpuStorage g = CpuBackend.s(grad), x = CpuBackend.s(self);
        short[] o = ((CpuStorage.F16) CpuBackend.s(out)).a;
        // the bound as the half dtype holds it: PyTorch compares self with the threshold cast to self's dtype
        float bound = Half.toFloat(bf16, Half.fromFloat(bf16, (float) threshold));
        Strided.rowsParallel(out.shape(), (base, n, step) -> {
            float[][] buf = CHUNKS.get();
            for (int c = 0; c < n; c += CHUNK) {
                int len = Math.min(CHUNK, n - c);
                int gs = load(g, bf16, false, base[0] + c * step[0], step[0], len, buf[0]);
                int xs = load(x, bf16, false, base[1] + c * step[1], step[1], len, buf[1]);
                FastF32.thresholdRow(buf[0], 0, gs, buf[1], 0, xs, bound, buf[2], 0, 1, len);
                store(bf16, buf[2], o, base[2] + c * step[2], step[2], len);
            }
        }, grad, self, out);
        return true;
    }

    private static final int CHUNK = 1024;
    private static final ThreadLocal<float[][]> CHUNKS = ThreadLocal.withInitial(() -> new float[][] {new float[CHUNK], new float[CHUNK], new float[CHUNK]});

    /**
     * Operands {@link #load} reads: the compute dtype itself, bool (a mask: 0 and 1 are exact), or a broadcast scalar of
     * any dtype (a wrapped number or a 0-dim tensor).
     */
    private static boolean loadable(View v, DType compute) {
        if (v.dtype() == compute || v.dtype() == DType.BOOL) return true;
        for (long st : v.strides()) if (st != 0) return false;
        return true;
    }

    /**
     * A float32 or float64 scalar (one element, broadcast) as the second operand of * and /: PyTorch's CPU kernels take
     * its original value in float32 ({@code iter.original_scalar_value<opmath_t>}) rather than rounding it to the 16-bit
     * type first, so {@code bf16 * (1/3)} multiplies by float32's 1/3 (+ and - do round it: checked against PyTorch 2.13,
     * HalfOpsTest). {@link #load} reads it that way.
     */
    private static boolean floatScalar(BinaryOp op, View b) {
        if (op != BinaryOp.MUL && op != BinaryOp.DIV) return false;
        if (b.dtype() != DType.FLOAT32 && b.dtype() != DType.FLOAT64) return false;
        for (long st : b.strides()) if (st != 0) return false;
        return true;
    }

    /**
     * {@code len} elements from {@code off} (stride {@code step}) as float32 into {@code buf}; returns the stride to read
     * them with there: 0 for a broadcast element, loaded once. A scalar of another dtype is rounded to the half type
     * first (as the generic path converts operands to the compute dtype), unless {@code keep} ({@link #floatScalar}).
     */
    private static int load(CpuStorage s, boolean bf16, boolean keep, int off, int step, int len, float[] buf) {
        if (s instanceof CpuStorage.Bool) {
            boolean[] m = ((CpuStorage.Bool) s).a;
            if (step == 0) {
                buf[0] = m[off] ? 1f : 0f;
                return 0;
            }
            // branch-free where the Vector API is present: random masks (ReLU's backward) mispredict half the branches
            int i = step == 1 && VectorApi.AVAILABLE ? VectorMasks.maskToFloat(m, off, buf, 0, len) : 0;
            for (; i < len; i++) buf[i] = m[off + i * step] ? 1f : 0f;
            return 1;
        }
        if (!(s instanceof CpuStorage.F16) || ((CpuStorage.F16) s).bf16 != bf16) {
            float v = (float) s.getD(off); // a broadcast scalar
            buf[0] = keep ? v : Half.toFloat(bf16, Half.fromFloat(bf16, v));
            return 0;
        }
        CpuStorage.F16 h = (CpuStorage.F16) s;
        if (step == 0) {
            buf[0] = Half.toFloat(bf16, h.a[off]);
            return 0;
        }
        if (step == 1) HalfArrays.toFloat(bf16, h.a, off, buf, 0, len);
        else for (int i = 0; i < len; i++) buf[i] = Half.toFloat(bf16, h.a[off + i * step]);
        return 1;
    }

    private static void store(boolean bf16, float[] buf, short[] o, int off, int step, int len) {
        if (step == 1) HalfArrays.fromFloat(bf16, buf, 0, o, off, len);
        else for (int i = 0; i < len; i++) o[off + i * step] = Half.fromFloat(bf16, buf[i]);
    }

    /** A bool operand stays as it is (0 and 1 are exact in every dtype; the float32 kernel multiplies by masks directly). */
    private static View operand(CpuBackend be, View v, DType compute, Scratch.Slot slot) {
        return v.dtype() == DType.BOOL ? v : widen(be, v, compute, slot);
    }

    static boolean reduce(CpuBackend be, ReduceOp op, View in, int[] dims, View out) {
        if (!isHalf(in.dtype()) || op.isLogical()) return false;
        int runDims = op == ReduceOp.SUM ? RunSums.trailingDims(in, dims) : 0;
        if (runDims > 0) {
            // widened run by run rather than into a float32 copy of the whole input
            Operand x = MatMul.operand(in);
            if (isHalf(out.dtype())) roundInto(out, o -> RunSums.sum(in, x, dims, runDims, o));
            else if (out.dtype() == DType.FLOAT32) RunSums.sum(in, x, dims, runDims, out);
            else be.reduce(op, widen(be, in, in.dtype(), Scratch.Slot.HALF_A), dims, out);
            return true;
        }
        View x = widen(be, in, in.dtype(), Scratch.Slot.HALF_A);
        if (isHalf(out.dtype())) roundInto(out, true, o -> be.reduce(op, x, dims, o));
        else be.reduce(op, x, dims, out);
        return true;
    }

    static boolean argReduce(CpuBackend be, boolean max, View in, int dim, View values, View indices) {
        if (!isHalf(in.dtype()) || values.dtype() != in.dtype()) return false;
        View x = widen(be, in, in.dtype(), Scratch.Slot.HALF_A);
        roundInto(values, true, o -> be.argReduce(max, x, dim, o, indices));
        return true;
    }

    static boolean softmax(CpuBackend be, View in, int dim, boolean log, View out) {
        if (!isHalf(in.dtype())) return false;
        View x = widen(be, in, in.dtype(), Scratch.Slot.HALF_A);
        if (isHalf(out.dtype())) roundInto(out, o -> be.softmax(x, dim, log, o));
        else be.softmax(x, dim, log, out);
        return true;
    }

    /** col2im sums overlapping windows: in float32, rounded once. */
    static boolean col2im(CpuBackend be, View cols, Window2d w, View out) {
        if (!isHalf(cols.dtype()) || out.dtype() != cols.dtype()) return false;
        View o = widen(be, out, out.dtype(), Scratch.Slot.HALF_B); // col2im accumulates into what out holds
        if (!Windows.col2imFromHalf(cols, w, o)) Windows.col2im(widen(be, cols, cols.dtype(), Scratch.Slot.HALF_A), w, o);
        FastCopy.copy(o, out);
        return true;
    }

    static boolean maxPool2d(CpuBackend be, View in, Window2d w, View values, View indices) {
        if (!isHalf(in.dtype()) || values.dtype() != in.dtype()) return false;
        View x = widen(be, in, in.dtype(), Scratch.Slot.HALF_A);
        roundInto(values, o -> Windows.maxPool2d(x, w, o, indices));
        return true;
    }

    /**
     * The view's values as float32, in this thread's {@link Scratch} buffer {@code slot}. Broadcast
     * dimensions (stride 0) keep stride 0, so an expanded operand is converted once and not materialised. A view of
     * another dtype than {@code compute} is first rounded to it, as the generic path rounds operands to the compute dtype.
     */
    static View widen(CpuBackend be, View v, DType compute, Scratch.Slot slot) {
        long[] shape = v.shape(), st = v.strides();
        long[] compact = shape.clone();
        for (int d = 0; d < shape.length; d++) if (st[d] == 0) compact[d] = 1;
        View src = new View(v.storage(), compact, st, v.offset());
        if (v.dtype() != compute) {
            View t = new View(CpuStorage.allocate(compute, numel(compact)), compact, CpuBackend.contiguous(compact), 0);
            be.copy(src, t);
            src = t;
        }
        long[] dense = CpuBackend.contiguous(compact);
        CpuStorage.F32 f = new CpuStorage.F32(Scratch.floats(slot, Math.toIntExact(numel(compact))));
        be.copy(src, new View(f, compact, dense, 0)); // writes every element: the buffer needs no zeroing
        long[] strides = dense.clone();
        for (int d = 0; d < shape.length; d++) if (st[d] == 0) strides[d] = 0;
        return new View(f, shape, strides, 0);
    }

    /**
     * Runs {@code body} on a float32 buffer shaped like {@code out} (this thread's {@link Scratch} result slot), then
     * rounds it into {@code out}. Elementwise ops, pooling and softmax write every element; reductions get a zeroed
     * buffer, so none of them depends on how its kernel treats an empty reduction.
     */
    private static void roundInto(View out, java.util.function.Consumer<View> body) { roundInto(out, false, body); }

    private static void roundInto(View out, boolean zeroed, java.util.function.Consumer<View> body) {
        long[] shape = out.shape();
        int n = Math.toIntExact(numel(shape));
        float[] buf = Scratch.floats(Scratch.Slot.HALF_RESULT, n);
        if (zeroed) java.util.Arrays.fill(buf, 0, n, 0f);
        View o = new View(new CpuStorage.F32(buf), shape, CpuBackend.contiguous(shape), 0);
        body.accept(o);
        FastCopy.copy(o, out);
    }

    private static long numel(long[] shape) {
        long n = 1;
        for (long s : shape) n *= s;
        return n;
    }
}
