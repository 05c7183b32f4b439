package dev.kindling.backend.cpu;

import dev.kindling.kernel.spi.UnaryOp;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Contiguous float32 rows of the cheap unary ops (relu, neg, abs, square, sqrt, reciprocal) in 256-bit vectors (the width of every float kernel here: see {@link VectorApi}). C2 compiles
 * the scalar {@code Math.max(v, 0f)} of relu to a compare-and-blend sequence per element that it does not vectorise
 * (relu ran at a third of add's speed); here it is one compare and one blend per vector. Same bits as PyTorch: relu
 * keeps NaN (its payload and sign) and -0.0 (only values below zero become +0.0), neg flips the sign bit of every value
 * (NaN and zeros included), abs clears it. sqrt and reciprocal are IEEE's correctly rounded float operations, the bits
 * of the scalar loop's {@code (float) Math.sqrt(x)} and {@code (float) (1.0 / x)}: a double result rounded to float is
 * already the correctly rounded one for these (53 bits ≥ 2 · 24 + 2), and C2 compiles neither scalar loop to vectors
 * (sqrt of Adam's [128, 3136] second moment took 0.7 ms, seven times a multiply). Used only where {@link VectorApi#AVAILABLE}; {@link FastF32#unaryRow} runs
 * the tails and everything else.
 */
final class VectorUnary {
    private VectorUnary() {}

    private static final VectorSpecies<Float> S = Species.FLOAT; // one width in every kernel: see VectorApi
    private static final int L = S.length();

    /** Rows shorter than this are left to the scalar loop. */
    static final int MIN_LENGTH = L;

    /**
     * {@code o[oo+i] = op(x[xo+i])} for i below the returned count (a multiple of the vector length); the caller does the
     * rest. One loop per op, so each compiles to its own instructions.
     */
    static int row(UnaryOp op, float[] x, int xo, float[] o, int oo, int n) {
        int end = n - n % L;
        switch (op) {
            case RELU:
                for (int i = 0; i < end; i += L) {
                    FloatVector v = FloatVector.fromArray(S, x, xo + i);
                    v.blend(0f, v.compare(VectorOperators.LT, 0f)).intoArray(o, oo + i);
                }
                break;
            case NEG:
                for (int i = 0; i < end; i += L) FloatVector.fromArray(S, x, xo + i).neg().intoArray(o, oo + i);
                break;
            case ABS:
                // the sign bit cleared, as PyTorch's fabs (FloatVector.abs keeps a NaN's sign where not compiled)
                for (int i = 0; i < end; i += L) {
                    FloatVector.fromArray(S, x, xo + i).reinterpretAsInts().and(0x7fffffff).reinterpretAsFloats().intoArray(o, oo + i);
                }
                break;
            case SQUARE:
                for (int i = 0; i < end; i += L) {
                    FloatVector v = FloatVector.fromArray(S, x, xo + i);
                    v.mul(v).intoArray(o, oo + i);
                }
                break;
            case SQRT:
                for (int i = 0; i < end; i += L) FloatVector.fromArray(S, x, xo + i).sqrt().intoArray(o, oo + i);
                break;
            case RECIPROCAL:
                for (int i = 0; i < end; i += L) FloatVector.broadcast(S, 1f).div(FloatVector.fromArray(S, x, xo + i)).intoArray(o, oo + i);
                break;
            default:
                return 0;
        }
        return end;
    }
}
