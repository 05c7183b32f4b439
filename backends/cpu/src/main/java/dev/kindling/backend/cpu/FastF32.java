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

    /** Returns false for ops it does not cover (the caller falls back to the generic path). */
    static boolean binary(BinaryOp op, View a, View b, View out) {
        switch (op) {
            case ADD: case SUB: case MUL: case DIV: case MAXIMUM: case MINIMUM: break;
            default: return false;
        }
        float[] x = ((CpuStorage.F32) a.storage()).a;
        float[] y = ((CpuStorage.F32) b.storage()).a;
        float[] o = ((CpuStorage.F32) out.storage()).a;
        if (out.isContiguous() && (a.isContiguous() || allZero(a.strides())) && (b.isContiguous() || allZero(b.strides()))) {
            int n = (int) out.numel();
            row(op, x, (int) a.offset(), allZero(a.strides()) ? 0 : 1, y, (int) b.offset(), allZero(b.strides()) ? 0 : 1,
                    o, (int) out.offset(), 1, n);
            return true;
        }
        Strided.rows(out.shape(), (base, n, step) -> row(op, x, base[0], step[0], y, base[1], step[1], o, base[2], step[2], n), a, b, out);
        return true;
    }

    private static void row(BinaryOp op, float[] x, int xo, int xs, float[] y, int yo, int ys, float[] o, int oo, int os, int n) {
        if (xs == 1 && ys == 1 && os == 1) {
            switch (op) {
                case ADD: for (int i = 0; i < n; i++) o[oo + i] = x[xo + i] + y[yo + i]; return;
                case SUB: for (int i = 0; i < n; i++) o[oo + i] = x[xo + i] - y[yo + i]; return;
                case MUL: for (int i = 0; i < n; i++) o[oo + i] = x[xo + i] * y[yo + i]; return;
                case DIV: for (int i = 0; i < n; i++) o[oo + i] = x[xo + i] / y[yo + i]; return;
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

    /** float32 in, float32 out; false for ops it does not cover. */
    static boolean unary(UnaryOp op, View in, View out) {
        switch (op) {
            case NEG: case ABS: case RELU: case SQUARE: case EXP: case SIGMOID: case TANH: case SQRT: case LOG: case RECIPROCAL: break;
            default: return false;
        }
        float[] x = ((CpuStorage.F32) in.storage()).a;
        float[] o = ((CpuStorage.F32) out.storage()).a;
        Strided.rows(out.shape(), (base, n, step) -> {
            int xo = base[0];
            int xs = step[0];
            int oo = base[1];
            int os = step[1];
            switch (op) {
                case NEG: for (int i = 0; i < n; i++) o[oo + i * os] = -x[xo + i * xs]; break;
                case ABS: for (int i = 0; i < n; i++) o[oo + i * os] = Math.abs(x[xo + i * xs]); break;
                case RELU:
                    for (int i = 0; i < n; i++) {
                        float v = x[xo + i * xs];
                        o[oo + i * os] = v != v ? v : Math.max(v, 0f); // branch-free except NaN, which relu keeps
                    }
                    break;
                case SQUARE: for (int i = 0; i < n; i++) { float v = x[xo + i * xs]; o[oo + i * os] = v * v; } break;
                case EXP: for (int i = 0; i < n; i++) o[oo + i * os] = (float) Math.exp(x[xo + i * xs]); break;
                case SIGMOID: for (int i = 0; i < n; i++) o[oo + i * os] = (float) (1 / (1 + Math.exp(-(double) x[xo + i * xs]))); break;
                case TANH: for (int i = 0; i < n; i++) o[oo + i * os] = (float) Math.tanh(x[xo + i * xs]); break;
                case SQRT: for (int i = 0; i < n; i++) o[oo + i * os] = (float) Math.sqrt(x[xo + i * xs]); break;
                case LOG: for (int i = 0; i < n; i++) o[oo + i * os] = (float) Math.log(x[xo + i * xs]); break;
                default: for (int i = 0; i < n; i++) o[oo + i * os] = (float) (1.0 / x[xo + i * xs]); break;
            }
        }, in, out);
        return true;
    }

    private static boolean allZero(long[] s) {
        for (long v : s) if (v != 0) return false;
        return true;
    }
}
