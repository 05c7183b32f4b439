package dev.kindling.backend.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Comparisons into bool masks and masks back into floats, eight lanes at a time. Scalar Java compiles these to
 * branches (a float select has no cmov on x86), and on random data such as activations half of them mispredict: a
 * [64, 32, 28, 28] comparison took 2.2 ns per element. Used only where {@code jdk.incubator.vector} is present
 * ({@link VectorSum#AVAILABLE}); callers run the scalar loops elsewhere and for the tails.
 */
final class VectorMasks {
    private VectorMasks() {}

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_256;

    /** {@code o[oo+i] = x[xo+i] op y[yo+i*ys]} for i below the returned count (a multiple of 8); ys is 0 or 1. */
    static int compare(int op, float[] x, int xo, float[] y, int yo, int ys, boolean[] o, int oo, int n) {
        VectorOperators.Comparison c;
        switch (op) {
            case 0: c = VectorOperators.EQ; break;
            case 1: c = VectorOperators.NE; break;
            case 2: c = VectorOperators.LT; break;
            case 3: c = VectorOperators.LE; break;
            case 4: c = VectorOperators.GT; break;
            default: c = VectorOperators.GE; break;
        }
        int end = n & ~7;
        if (ys == 0) {
            FloatVector q = FloatVector.broadcast(S, y[yo]);
            for (int i = 0; i < end; i += 8) FloatVector.fromArray(S, x, xo + i).compare(c, q).intoArray(o, oo + i);
        } else {
            for (int i = 0; i < end; i += 8) FloatVector.fromArray(S, x, xo + i).compare(c, FloatVector.fromArray(S, y, yo + i)).intoArray(o, oo + i);
        }
        return end;
    }

    /** {@code o[oo+i] = x[xo+i] * (m[mo+i] ? 1 : 0)} (a true multiply: NaN * 0 stays NaN) for i below the returned count. */
    static int mulMask(float[] x, int xo, boolean[] m, int mo, float[] o, int oo, int n) {
        int end = n & ~7;
        FloatVector zero = FloatVector.zero(S);
        for (int i = 0; i < end; i += 8) {
            VectorMask<Float> keep = VectorMask.fromArray(S, m, mo + i);
            FloatVector.fromArray(S, x, xo + i).mul(zero.blend(1f, keep)).intoArray(o, oo + i);
        }
        return end;
    }

    /** {@code o[oo+i] = m[mo+i] ? 1 : 0} for i below the returned count. */
    static int maskToFloat(boolean[] m, int mo, float[] o, int oo, int n) {
        int end = n & ~7;
        FloatVector zero = FloatVector.zero(S);
        for (int i = 0; i < end; i += 8) zero.blend(1f, VectorMask.fromArray(S, m, mo + i)).intoArray(o, oo + i);
        return end;
    }
}
