package dev.kindling.backend.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Comparisons into bool masks and masks back into floats, a vector at a time. Scalar Java compiles these to
 * branches (a float select has no cmov on x86), and on random data such as activations half of them mispredict: a
 * [64, 32, 28, 28] comparison took 2.2 ns per element. Used only where {@code jdk.incubator.vector} is present
 * ({@link VectorApi#AVAILABLE}); callers run the scalar loops elsewhere and for the tails.
 */
final class VectorMasks {
    private VectorMasks() {}

    private static final VectorSpecies<Float> S = Species.FLOAT;
    private static final int L = S.length();

    /**
     * {@code o[oo+i] = x[xo+i] op y[yo+i*ys]} for i below the returned count (a multiple of the vector length); ys is 0 or 1. One loop per
     * comparison: the Vector API compiles {@code compare} to one instruction only for a constant operator.
     */
    static int compare(int op, float[] x, int xo, float[] y, int yo, int ys, boolean[] o, int oo, int n) {
        int end = n - n % L;
        switch (op) {
            case 0: for (int i = 0; i < end; i += L) v(x, xo + i).compare(VectorOperators.EQ, w(y, yo, ys, i)).intoArray(o, oo + i); break;
            case 1: for (int i = 0; i < end; i += L) v(x, xo + i).compare(VectorOperators.NE, w(y, yo, ys, i)).intoArray(o, oo + i); break;
            case 2: for (int i = 0; i < end; i += L) v(x, xo + i).compare(VectorOperators.LT, w(y, yo, ys, i)).intoArray(o, oo + i); break;
            case 3: for (int i = 0; i < end; i += L) v(x, xo + i).compare(VectorOperators.LE, w(y, yo, ys, i)).intoArray(o, oo + i); break;
            case 4: for (int i = 0; i < end; i += L) v(x, xo + i).compare(VectorOperators.GT, w(y, yo, ys, i)).intoArray(o, oo + i); break;
            default: for (int i = 0; i < end; i += L) v(x, xo + i).compare(VectorOperators.GE, w(y, yo, ys, i)).intoArray(o, oo + i); break;
        }
        return end;
    }

    private static FloatVector v(float[] a, int i) { return FloatVector.fromArray(S, a, i); }

    /** Lanes from i of the other operand: its values, or its one value broadcast. */
    private static FloatVector w(float[] y, int yo, int ys, int i) {
        return ys == 0 ? FloatVector.broadcast(S, y[yo]) : FloatVector.fromArray(S, y, yo + i);
    }

    // The constants below are broadcast before the loops: a scalar operand inside one costs five more levels of C2's
    // inline depth per step, and these small kernels may be inlined into deep callers (see VectorApi).

    /** {@code o[oo+i] = x[xo+i] * (m[mo+i] ? 1 : 0)} (a true multiply: NaN * 0 stays NaN) for i below the returned count. */
    static int mulMask(float[] x, int xo, boolean[] m, int mo, float[] o, int oo, int n) {
        int end = n - n % L;
        FloatVector zero = FloatVector.zero(S), one = FloatVector.broadcast(S, 1f);
        for (int i = 0; i < end; i += L) {
            VectorMask<Float> keep = VectorMask.fromArray(S, m, mo + i);
            FloatVector.fromArray(S, x, xo + i).mul(zero.blend(one, keep)).intoArray(o, oo + i);
        }
        return end;
    }

    /** {@code o[oo+i] = x[xo+i] <= bound ? 0 : g[go+i]} (threshold_backward: NaN in x passes g) for i below the returned count. */
    static int thresholdBackward(float[] g, int go, float[] x, int xo, float bound, float[] o, int oo, int n) {
        int end = n - n % L;
        FloatVector zero = FloatVector.zero(S), b = FloatVector.broadcast(S, bound);
        for (int i = 0; i < end; i += L) {
            VectorMask<Float> dropped = FloatVector.fromArray(S, x, xo + i).compare(VectorOperators.LE, b);
            FloatVector.fromArray(S, g, go + i).blend(zero, dropped).intoArray(o, oo + i);
        }
        return end;
    }

    /** {@code o[oo+i] = m[mo+i] ? 1 : 0} for i below the returned count. */
    static int maskToFloat(boolean[] m, int mo, float[] o, int oo, int n) {
        int end = n - n % L;
        FloatVector zero = FloatVector.zero(S), one = FloatVector.broadcast(S, 1f);
        for (int i = 0; i < end; i += L) zero.blend(one, VectorMask.fromArray(S, m, mo + i)).intoArray(o, oo + i);
        return end;
    }
}
