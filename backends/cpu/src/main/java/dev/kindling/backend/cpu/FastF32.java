package dev.kindling.backend.cpu;

import dev.kindling.kernel.spi.BinaryOp;
import dev.kindling.kernel.spi.UnaryOp;
import dev.kindling.kernel.spi.View;

/**
 * Tight loops for float32, the common case: contiguous operands (loops C2 vectorises) and, for any other layout,
 * row-by-row loops with strides, without the generic path's per-element virtual calls and dtype rounding. Results are
 * the same as the generic path's: float arithmetic on float operands.
 */
final class FastF32 {
    private FastF32() {}

    /**
     * float32 compute with float32 operands, or a broadcast scalar of another dtype (a wrapped Java number, rounded to
     * float first as the generic path does); float32 out, or bool out for comparisons. Returns false for what it does not
     * cover (the caller falls back to the generic path).
     */
    static boolean binary(BinaryOp op, View a, View b, View out) {
        if (isComparison(op)) return compare(op, a, b, out);
        if (op == BinaryOp.POW) return square(a, b, out);
        if (!coversBinary(op) || !(out.storage() instanceof CpuStorage.F32)) return false;
        if (op == BinaryOp.MUL && a.storage() instanceof CpuStorage.F32 && b.storage() instanceof CpuStorage.Bool) return mulMask(a, b, out);
        if (a.storage() instanceof CpuStorage.F32 && b.storage() instanceof CpuStorage.F32 && oneRow(out) && a.isContiguous()) {
            // b is the same row, or one broadcast element (stride 0)
            int ys = b.isContiguous() ? 1 : allZero(b.strides()) ? 0 : -1;
            if (ys >= 0) {
                row(op, ((CpuStorage.F32) a.storage()).a, (int) a.offset(), 1, ((CpuStorage.F32) b.storage()).a, (int) b.offset(), ys,
                        ((CpuStorage.F32) out.storage()).a, (int) out.offset(), 1, (int) out.numel());
                return true;
            }
        }
        Operand p = operand(a), q = operand(b);
        if (p == null || q == null) return false;
        float[] x = p.array, y = q.array;
        float[] o = ((CpuStorage.F32) out.storage()).a;
        Strided.rowsParallel(out.shape(), (base, n, step) -> row(op, x, base[0], step[0], y, base[1], step[1], o, base[2], step[2], n), p.view, q.view, out);
        return true;
    }

    /**
     * {@code a ** 2} ({@code Tensor.square()} is {@code pow(x, 2)}) as {@code a * a}: the same float as the generic path's
     * double {@code Math.pow(a, 2)} rounded to float (the double square of a float is exact), as PyTorch's pow special
     * case. Other exponents go to the generic path.
     */
    private static boolean square(View a, View b, View out) {
        if (!(a.storage() instanceof CpuStorage.F32) || !(out.storage() instanceof CpuStorage.F32) || !allZero(b.strides())) return false;
        if (((CpuStorage) b.storage()).getD((int) b.offset()) != 2) return false;
        return unary(UnaryOp.SQUARE, a, out);
    }

    /** float32 times a bool mask (ReLU's backward): the mask selects, no float copy of it is made. */
    private static boolean mulMask(View a, View b, View out) {
        float[] x = ((CpuStorage.F32) a.storage()).a;
        boolean[] m = ((CpuStorage.Bool) b.storage()).a;
        float[] o = ((CpuStorage.F32) out.storage()).a;
        Strided.rowsParallel(out.shape(), (base, n, st) -> {
            int xo = base[0], xs = st[0], mo = base[1], ms = st[1], oo = base[2], os = st[2];
            int i = xs == 1 && ms == 1 && os == 1 && VectorApi.AVAILABLE ? VectorMasks.mulMask(x, xo, m, mo, o, oo, n) : 0;
            for (; i < n; i++) o[oo + i * os] = x[xo + i * xs] * (m[mo + i * ms] ? 1f : 0f);
        }, a, b, out);
        return true;
    }

    /** Far below {@link Strided#rowsParallel}'s split size: such outputs are computed on the calling thread anyway. */
    private static final long ONE_ROW_MAX = 1 << 16;

    /**
     * Whether {@code out} is one contiguous row small enough to compute directly, without the row iterator and its
     * per-call arrays (the cost that dominates ops on a few elements: scalars, biases, autograd's bookkeeping).
     */
    private static boolean oneRow(View out) { return out.numel() <= ONE_ROW_MAX && out.isContiguous(); }

    /** A float32 operand's array and the view that indexes it. */
    private record Operand(float[] array, View view) {}

    /**
     * The operand as float32: its own array, or for a broadcast scalar of another dtype a one-element array holding its
     * value (the view then indexes from 0); null for anything else.
     */
    private static Operand operand(View v) {
        if (v.storage() instanceof CpuStorage.F32) return new Operand(((CpuStorage.F32) v.storage()).a, v);
        if (!allZero(v.strides())) return null;
        float value = (float) ((CpuStorage) v.storage()).getD((int) v.offset());
        return new Operand(new float[] {value}, new View(v.storage(), v.shape(), v.strides(), 0));
    }

    private static boolean compare(BinaryOp op, View a, View b, View out) {
        if (!(out.storage() instanceof CpuStorage.Bool)) return false;
        Operand p = operand(a), q = operand(b);
        if (p == null || q == null) return false;
        float[] x = p.array, y = q.array;
        boolean[] o = ((CpuStorage.Bool) out.storage()).a;
        Strided.rowsParallel(out.shape(), (base, n, st) -> compareRow(op, x, base[0], st[0], y, base[1], st[1], o, base[2], st[2], n), p.view, q.view, out);
        return true;
    }

    /** One row of a comparison (EQ to GE) on float arrays with strides, into a bool row. */
    static void compareRow(BinaryOp op, float[] x, int xo, int xs, float[] y, int yo, int ys, boolean[] o, int oo, int os, int n) {
        if (xs == 1 && ys <= 1 && os == 1 && VectorApi.AVAILABLE) {
            int done = VectorMasks.compare(op.ordinal() - BinaryOp.EQ.ordinal(), x, xo, y, yo, ys, o, oo, n);
            xo += done;
            yo += done * ys;
            oo += done;
            n -= done;
        }
        switch (op) {
            case EQ: for (int i = 0; i < n; i++) o[oo + i * os] = x[xo + i * xs] == y[yo + i * ys]; break;
            case NE: for (int i = 0; i < n; i++) o[oo + i * os] = x[xo + i * xs] != y[yo + i * ys]; break;
            case LT: for (int i = 0; i < n; i++) o[oo + i * os] = x[xo + i * xs] < y[yo + i * ys]; break;
            case LE: for (int i = 0; i < n; i++) o[oo + i * os] = x[xo + i * xs] <= y[yo + i * ys]; break;
            case GT: for (int i = 0; i < n; i++) o[oo + i * os] = x[xo + i * xs] > y[yo + i * ys]; break;
            default: for (int i = 0; i < n; i++) o[oo + i * os] = x[xo + i * xs] >= y[yo + i * ys]; break;
        }
    }

    /** Whether {@link #compareRow} computes {@code op}. */
    static boolean isComparison(BinaryOp op) {
        switch (op) {
            case EQ: case NE: case LT: case LE: case GT: case GE: return true;
            default: return false;
        }
    }

    /** One row of a covered binary op (ADD, SUB, MUL, DIV, MAXIMUM, MINIMUM) on float arrays with strides. */
    /** {@code o = x <= bound ? 0 : g} along a row (threshold_backward), eight lanes at a time where the strides are 1. */
    static void thresholdRow(float[] g, int go, int gs, float[] x, int xo, int xs, float bound, float[] o, int oo, int os, int n) {
        int i = gs == 1 && xs == 1 && os == 1 && VectorApi.AVAILABLE ? VectorMasks.thresholdBackward(g, go, x, xo, bound, o, oo, n) : 0;
        for (; i < n; i++) o[oo + i * os] = x[xo + i * xs] <= bound ? 0f : g[go + i * gs];
    }

    static void row(BinaryOp op, float[] x, int xo, int xs, float[] y, int yo, int ys, float[] o, int oo, int os, int n) {
        if (xs == 1 && os == 1 && (ys == 1 || ys == 0) && n >= VectorBinary.MIN_LENGTH && VectorApi.AVAILABLE && vectorBinary(op)) {
            int done = ys == 1 ? VectorBinary.row(op, x, xo, y, yo, o, oo, n) : VectorBinary.rowScalar(op, x, xo, y[yo], o, oo, n);
            xo += done;
            yo += done * ys;
            oo += done;
            n -= done;
        }
        if (xs == 1 && ys == 1 && os == 1) {
            switch (op) {
                case ADD: for (int i = 0; i < n; i++) o[oo + i] = x[xo + i] + y[yo + i]; return;
                case SUB: for (int i = 0; i < n; i++) o[oo + i] = x[xo + i] - y[yo + i]; return;
                case MUL: for (int i = 0; i < n; i++) o[oo + i] = x[xo + i] * y[yo + i]; return;
                case DIV: for (int i = 0; i < n; i++) o[oo + i] = x[xo + i] / y[yo + i]; return;
                default: break;
            }
        }
        if (xs == 1 && ys == 0 && os == 1) {
            // a tensor with a broadcast scalar (bias, optimizer coefficients): hoisted so the loop vectorises
            float q = y[yo];
            switch (op) {
                case ADD: for (int i = 0; i < n; i++) o[oo + i] = x[xo + i] + q; return;
                case SUB: for (int i = 0; i < n; i++) o[oo + i] = x[xo + i] - q; return;
                case MUL: for (int i = 0; i < n; i++) o[oo + i] = x[xo + i] * q; return;
                case DIV: for (int i = 0; i < n; i++) o[oo + i] = x[xo + i] / q; return;
                default: break;
            }
        }
        switch (op) {
            case ADD: for (int i = 0; i < n; i++) o[oo + i * os] = x[xo + i * xs] + y[yo + i * ys]; return;
            case SUB: for (int i = 0; i < n; i++) o[oo + i * os] = x[xo + i * xs] - y[yo + i * ys]; return;
            case MUL: for (int i = 0; i < n; i++) o[oo + i * os] = x[xo + i * xs] * y[yo + i * ys]; return;
            case DIV: for (int i = 0; i < n; i++) o[oo + i * os] = x[xo + i * xs] / y[yo + i * ys]; return;
            case MAXIMUM:
                for (int i = 0; i < n; i++) {
                    float p = x[xo + i * xs];
                    float q = y[yo + i * ys];
                    o[oo + i * os] = p != p || q != q ? Float.NaN : Math.max(p, q);
                }
                return;
            default:
                for (int i = 0; i < n; i++) {
                    float p = x[xo + i * xs];
                    float q = y[yo + i * ys];
                    o[oo + i * os] = p != p || q != q ? Float.NaN : Math.min(p, q);
                }
        }
    }

    /** Whether {@link #row} computes {@code op}. */
    static boolean coversBinary(BinaryOp op) {
        switch (op) {
            case ADD: case SUB: case MUL: case DIV: case MAXIMUM: case MINIMUM: return true;
            default: return false;
        }
    }

    /** Whether {@link #unary} and {@link #unaryRow} compute {@code op}. */
    static boolean coversUnary(UnaryOp op) {
        switch (op) {
            case NEG: case ABS: case RELU: case SQUARE: case EXP: case SIGMOID: case TANH: case SQRT: case LOG: case RECIPROCAL: return true;
            default: return false;
        }
    }

    /** float32 in, float32 out; false for ops it does not cover. */
    static boolean unary(UnaryOp op, View in, View out) {
        if (!coversUnary(op)) return false;
        float[] x = ((CpuStorage.F32) in.storage()).a;
        float[] o = ((CpuStorage.F32) out.storage()).a;
        if (oneRow(out) && in.isContiguous()) {
            unaryRow(op, x, (int) in.offset(), 1, o, (int) out.offset(), 1, (int) out.numel());
            return true;
        }
        Strided.rowsParallel(out.shape(), (base, n, step) -> unaryRow(op, x, base[0], step[0], o, base[1], step[1], n), in, out);
        return true;
    }

    /** One row of a covered unary op on float arrays with strides. */
    static void unaryRow(UnaryOp op, float[] x, int xo, int xs, float[] o, int oo, int os, int n) {
        if (xs == 1 && os == 1 && VectorApi.AVAILABLE && vectorUnary(op) && n >= VectorUnary.MIN_LENGTH) {
            int done = VectorUnary.row(op, x, xo, o, oo, n);
            xo += done;
            oo += done;
            n -= done;
        }
        switch (op) {
            case NEG: for (int i = 0; i < n; i++) o[oo + i * os] = -x[xo + i * xs]; break;
            case ABS:
                // the sign bit cleared, NaN included, as PyTorch's fabs (JDK 17's Math.abs keeps a NaN's sign when interpreted)
                for (int i = 0; i < n; i++) o[oo + i * os] = Float.intBitsToFloat(Float.floatToRawIntBits(x[xo + i * xs]) & 0x7fffffff);
                break;
            case RELU:
                // branch-free on the bits (a compare-and-select runs 14x slower on random data); Math.max would turn -0.0
                // into +0.0, where PyTorch keeps it
                for (int i = 0; i < n; i++) o[oo + i * os] = relu(x[xo + i * xs]);
                break;
            case SQUARE: for (int i = 0; i < n; i++) { float v = x[xo + i * xs]; o[oo + i * os] = v * v; } break;
            case EXP: for (int i = 0; i < n; i++) o[oo + i * os] = (float) Math.exp(x[xo + i * xs]); break;
            case SIGMOID: for (int i = 0; i < n; i++) o[oo + i * os] = (float) (1 / (1 + Math.exp(-(double) x[xo + i * xs]))); break;
            case TANH: for (int i = 0; i < n; i++) o[oo + i * os] = (float) Math.tanh(x[xo + i * xs]); break;
            case SQRT: for (int i = 0; i < n; i++) o[oo + i * os] = (float) Math.sqrt(x[xo + i * xs]); break;
            case LOG: for (int i = 0; i < n; i++) o[oo + i * os] = (float) Math.log(x[xo + i * xs]); break;
            default: for (int i = 0; i < n; i++) o[oo + i * os] = (float) (1.0 / x[xo + i * xs]); break;
        }
    }

    /** Whether {@link VectorBinary#row} computes {@code op} (asked here, so the Vector API class loads only when used). */
    private static boolean vectorBinary(BinaryOp op) {
        return op == BinaryOp.ADD || op == BinaryOp.SUB || op == BinaryOp.MUL || op == BinaryOp.DIV;
    }

    /** Whether {@link VectorUnary#row} computes {@code op} (asked here, so the Vector API class loads only when used). */
    private static boolean vectorUnary(UnaryOp op) {
        switch (op) {
            case RELU: case NEG: case ABS: case SQUARE: case SQRT: case RECIPROCAL: return true;
            default: return false;
        }
    }

    /**
     * PyTorch's relu: +0.0 for values below zero (-inf included), the value itself otherwise (NaN with its payload and
     * sign, -0.0). Integer arithmetic only: the values zeroed are the bit patterns 0x80000001..0xff800000, which
     * {@code b + 0x7fffffff} maps onto 0..0x7f7fffff.
     */
    static float relu(float v) {
        int b = Float.floatToRawIntBits(v);
        int u = b + 0x7fffffff;
        int zero = (~u & (u - 0x7f800000)) >> 31;
        return Float.intBitsToFloat(b & ~zero);
    }

    /** Sum of a strided float32 view, accumulated in double. */
    static double sum(float[] x, View v) {
        double[] acc = new double[1];
        Strided.rows(v.shape(), (b, n, st) -> acc[0] += st[0] == 1 ? sumRun(x, b[0], n) : sumStrided(x, b[0], st[0], n), v);
        return acc[0];
    }

    /**
     * Sum of a contiguous run, split across the compute pool when long. The chunks start on whole blocks of
     * {@link VectorSum} counted from the run's start, so each sums the blocks one run would: whatever the thread count,
     * the float parts of the sum are the same, and only the double additions of the chunks' sums group differently.
     */
    static double sumParallel(float[] x, int off, int n) {
        int chunks = ComputePool.chunksFor(n / 4096, n);
        if (chunks <= 1) return sumRun(x, off, n);
        int unit = VectorApi.AVAILABLE ? VectorSum.BLOCK : 1;
        int units = (n + unit - 1) / unit;
        double[] part = new double[chunks];
        ComputePool.ranges(chunks, units, (c, lo, hi) -> {
            int from = lo * unit, to = Math.min(n, hi * unit);
            part[c] = sumRun(x, off + from, to - from);
        });
        double t = 0;
        for (double p : part) t += p;
        return t;
    }

    /**
     * Column sums of a contiguous {@code [rows, cols]} block: {@code o[oo + j] = Σ_i x[xo + i * cols + j]}, accumulated in
     * double in row order (as exact as {@link #sumRun}'s lanes, and the same bits on any thread count), split across
     * threads by columns when large. Reading whole rows keeps the walk sequential, where a sum per column would stride.
     */
    static void sumLeading(float[] x, int xo, int rows, int cols, float[] o, int oo) {
        ComputePool.parallelFor((cols + 255) / 256, 256L * rows, block -> {
            int j0 = block * 256, j1 = Math.min(cols, j0 + 256);
            double[] acc = new double[j1 - j0];
            for (int i = 0; i < rows; i++) {
                int base = xo + i * cols + j0;
                for (int j = 0; j < acc.length; j++) acc[j] += x[base + j];
            }
            for (int j = 0; j < acc.length; j++) o[oo + j0 + j] = (float) acc[j];
        });
    }

    /**
     * Sums over the last dims when they are contiguous: each element of {@code outerOut} gets the sum of the
     * {@code len} floats starting at the matching offset of {@code outerIn}, one contiguous run each (no per-row views),
     * split across the compute pool by rows when large.
     */
    static void sumRows(float[] x, View outerIn, int len, float[] o, View outerOut) {
        Strided.rowsParallel(outerIn.shape(), Math.max(1, len), (b, n, st) -> {
            for (int j = 0; j < n; j++) o[b[1] + j * st[1]] = (float) sumRun(x, b[0] + j * st[0], len);
        }, outerIn, outerOut);
    }

    /** The sum of a contiguous run: the Vector API kernel where present, else {@link #sumRunScalar}. */
    static double sumRun(float[] x, int off, int n) {
        return VectorApi.AVAILABLE && n >= VectorSum.MIN_LENGTH ? VectorSum.sum(x, off, n) : sumRunScalar(x, off, n);
    }

    /** Four double accumulators, so additions overlap instead of waiting on one another. */
    static double sumRunScalar(float[] x, int off, int n) {
        double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        int i = 0;
        for (; i + 3 < n; i += 4) {
            s0 += x[off + i];
            s1 += x[off + i + 1];
            s2 += x[off + i + 2];
            s3 += x[off + i + 3];
        }
        for (; i < n; i++) s0 += x[off + i];
        return (s0 + s1) + (s2 + s3);
    }

    private static double sumStrided(float[] x, int off, int stride, int n) {
        double s = 0;
        for (int i = 0; i < n; i++) s += x[off + i * stride];
        return s;
    }

    private static boolean allZero(long[] s) {
        for (long v : s) if (v != 0) return false;
        return true;
    }

    /**
     * {@code a[off, off+n) *= inv} in place; whether an element was inf or NaN before. The test is branch-free on the
     * exponent bits (all ones for inf and NaN: adding one exponent step then carries into the sign bit), so the loop
     * stays one pass that C2 can vectorise.
     */
    static boolean scaleCheckingFinite(float[] a, int off, int n, float inv) {
        int nonFinite = 0;
        for (int i = off, end = off + n; i < end; i++) {
            float v = a[i];
            nonFinite |= ((Float.floatToRawIntBits(v) & 0x7f800000) + 0x00800000) >>> 31;
            a[i] = v * inv;
        }
        return nonFinite != 0;
    }
}
