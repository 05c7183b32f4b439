package dev.kindling.backend.cpu;

import dev.kindling.api.DType;
import dev.kindling.kernel.spi.BinaryOp;
import dev.kindling.kernel.spi.UnaryOp;
import dev.kindling.kernel.tensor.Half;

/** Scalar definitions of the elementwise primitives, in double (floating dtypes) and long (integral dtypes). */
final class CpuMath {
    private CpuMath() {}

    private static final double TWO_OVER_SQRT_PI = 1.1283791670955126;
    private static final double INV_SQRT_PI = 0.5641895835477563;

    /** Rounds a double to the precision of a floating compute dtype, so that float32 ops see float32 operands. */
    static double round(DType t, double v) {
        switch (t) {
            case FLOAT32: return (float) v;
            case FLOAT16: return Half.halfToFloat(Half.floatToHalf((float) v));
            case BFLOAT16: return Half.bf16ToFloat(Half.floatToBf16((float) v));
            default: return v;
        }
    }

    static double unary(UnaryOp op, double x) {
        switch (op) {
            case NEG: return -x;
            case ABS: return Math.abs(x);
            case SIGN: return Double.isNaN(x) ? 0 : Math.signum(x);
            case EXP: return Math.exp(x);
            case EXP2: return Math.pow(2, x);
            case EXPM1: return Math.expm1(x);
            case LOG: return Math.log(x);
            case LOG2: return Math.log(x) / Math.log(2);
            case LOG10: return Math.log10(x);
            case LOG1P: return Math.log1p(x);
            case SQRT: return Math.sqrt(x);
            case RSQRT: return 1 / Math.sqrt(x);
            case SIN: return Math.sin(x);
            case COS: return Math.cos(x);
            case TAN: return Math.tan(x);
            case ASIN: return Math.asin(x);
            case ACOS: return Math.acos(x);
            case ATAN: return Math.atan(x);
            case SINH: return Math.sinh(x);
            case COSH: return Math.cosh(x);
            case TANH: return Math.tanh(x);
            case SIGMOID: return 1 / (1 + Math.exp(-x));
            case RELU: return Math.max(x, 0);
            case ERF: return erf(x);
            case FLOOR: return Math.floor(x);
            case CEIL: return Math.ceil(x);
            case ROUND: return Math.rint(x);
            case TRUNC: return x < 0 ? Math.ceil(x) : Math.floor(x);
            case RECIPROCAL: return 1 / x;
            case SQUARE: return x * x;
            default: throw new IllegalArgumentException("not a floating unary op: " + op);
        }
    }

    static long unaryLong(UnaryOp op, long x) {
        switch (op) {
            case NEG: return -x;
            case ABS: return Math.abs(x);
            case SIGN: return Long.signum(x);
            case RELU: return Math.max(x, 0);
            case FLOOR: case CEIL: case ROUND: case TRUNC: return x;
            case SQUARE: return x * x;
            default: throw new IllegalArgumentException("\"" + op.name().toLowerCase() + "\" is not implemented for integer tensors");
        }
    }

    static boolean predicate(UnaryOp op, double x) {
        switch (op) {
            case LOGICAL_NOT: return x == 0;
            case ISNAN: return Double.isNaN(x);
            case ISINF: return Double.isInfinite(x);
            case ISFINITE: return Double.isFinite(x);
            default: throw new IllegalArgumentException("not a predicate: " + op);
        }
    }

    /** erf to double precision: Taylor series near 0, Lentz continued fraction for erfc beyond. */
    static double erf(double x) {
        if (Double.isNaN(x)) return x;
        double ax = Math.abs(x);
        if (ax > 6) return Math.signum(x);
        if (ax < 2.5) {
            double sum = 0;
            double term = x;
            double x2 = x * x;
            for (int n = 0; n < 80; n++) {
                double add = term / (2 * n + 1);
                sum += add;
                if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
                term *= -x2 / (n + 1);
            }
            return TWO_OVER_SQRT_PI * sum;
        }
        double f = ax;
        for (int n = 80; n >= 1; n--) f = ax + (n / 2.0) / f;
        double erfc = Math.exp(-ax * ax) * INV_SQRT_PI / f;
        return x > 0 ? 1 - erfc : erfc - 1;
    }

    static double binary(BinaryOp op, double a, double b) {
        switch (op) {
            case ADD: return a + b;
            case SUB: return a - b;
            case MUL: return a * b;
            case DIV: return a / b;
            case REMAINDER: {
                if (b == 0) return Double.NaN;
                double r = a % b;
                if (r != 0 && (r < 0) != (b < 0)) r += b;
                return r;
            }
            case POW: return a == 1 ? 1 : Math.pow(a, b); // C pow(1, NaN) is 1; Java says NaN
            case MAXIMUM: return Double.isNaN(a) || Double.isNaN(b) ? Double.NaN : Math.max(a, b);
            case MINIMUM: return Double.isNaN(a) || Double.isNaN(b) ? Double.NaN : Math.min(a, b);
            case ATAN2: return Math.atan2(a, b);
            case EQ: return a == b ? 1 : 0;
            case NE: return a != b ? 1 : 0;
            case LT: return a < b ? 1 : 0;
            case LE: return a <= b ? 1 : 0;
            case GT: return a > b ? 1 : 0;
            case GE: return a >= b ? 1 : 0;
            case LOGICAL_AND: return a != 0 && b != 0 ? 1 : 0;
            case LOGICAL_OR: return a != 0 || b != 0 ? 1 : 0;
            default: return (a != 0) != (b != 0) ? 1 : 0;
        }
    }

    static long binaryLong(BinaryOp op, long a, long b) {
        switch (op) {
            case ADD: return a + b;
            case SUB: return a - b;
            case MUL: return a * b;
            case DIV:
                if (b == 0) throw new ArithmeticException("ZeroDivisionError: integer division by zero");
                return Math.floorDiv(a, b);
            case REMAINDER:
                if (b == 0) throw new ArithmeticException("ZeroDivisionError: integer remainder by zero");
                return Math.floorMod(a, b);
            case POW: {
                if (b < 0) {
                    if (a == 1) return 1;
                    if (a == -1) return (b & 1) == 0 ? 1 : -1;
                    throw new IllegalArgumentException("Integers to negative integer powers are not allowed.");
                }
                long r = 1;
                long base = a;
                long e = b;
                while (e > 0) {
                    if ((e & 1) != 0) r *= base;
                    base *= base;
                    e >>= 1;
                }
                return r;
            }
            case MAXIMUM: return Math.max(a, b);
            case MINIMUM: return Math.min(a, b);
            case ATAN2: return (long) Math.atan2(a, b);
            case EQ: return a == b ? 1 : 0;
            case NE: return a != b ? 1 : 0;
            case LT: return a < b ? 1 : 0;
            case LE: return a <= b ? 1 : 0;
            case GT: return a > b ? 1 : 0;
            case GE: return a >= b ? 1 : 0;
            case LOGICAL_AND: return a != 0 && b != 0 ? 1 : 0;
            case LOGICAL_OR: return a != 0 || b != 0 ? 1 : 0;
            default: return (a != 0) != (b != 0) ? 1 : 0;
        }
    }

    /** Bool arithmetic as PyTorch: + is or, * is and. */
    static long binaryBool(BinaryOp op, long a, long b) {
        switch (op) {
            case ADD: case MAXIMUM: return (a | b) != 0 ? 1 : 0;
            case MUL: case MINIMUM: return (a & b) != 0 ? 1 : 0;
            default: return binaryLong(op, a, b) != 0 ? 1 : 0;
        }
    }
}
