package dev.kindling.backend.cpu;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * float32 sums at memory speed with double accumulation: each load of a float vector widens into two double vectors of
 * the same width, added into two of eight double accumulators.
 *
 * <p>Why not a float cascade as PyTorch's {@code cascade_sum}: one with four 16-lane accumulators of 16 steps per block
 * ran 2-3 times faster on cache-resident data, but on data from memory, where sums of any size are, it was within 15%
 * of this kernel (42 vs 36 GB/s, one thread, 2^24 floats, Zen 4) and its block errors (about u * sqrt(n) of the
 * partial sums) put it one ulp further from the exact sum than PyTorch on 10^7 normal values. Accumulating the exact
 * float values in double leaves only the final rounding: the result is the float nearest the exact sum but for a
 * double rounding error of about 1e-16 relative, so no float32 sum (PyTorch's included) is closer. SumAccuracyTest
 * holds it there.
 *
 * <p>Deterministic: lane-wise additions, then the lanes in index order (reduceLanes' order is unspecified), so
 * interpreted and compiled code give the same bits. Used only where {@link VectorApi#AVAILABLE}; the scalar double
 * loop {@link FastF32#sumRunScalar} stands in elsewhere.
 */
final class VectorSum {
    private VectorSum() {}

    // the doubles in the floats' width too: one width in every kernel (VectorApi; a 512-bit double accumulator here made
    // the 256-bit SGEMM and elementwise code 5x slower in an inference loop on Zen 4)
    private static final VectorSpecies<Double> D = Species.DOUBLE;
    private static final VectorSpecies<Float> F = Species.FLOAT;
    private static final int L = F.length();

    /** Runs shorter than this are summed by the scalar loop. */
    static final int MIN_LENGTH = 4 * L;

    static double sum(float[] x, int off, int n) {
        DoubleVector a0 = DoubleVector.zero(D), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
        int i = 0;
        // eight independent accumulators (each load's two halves): a double add has 3-4 cycles of latency, so fewer
        // chains stall before memory does
        for (; i + 4 * L <= n; i += 4 * L) {
            int p = off + i;
            FloatVector v0 = FloatVector.fromArray(F, x, p), v1 = FloatVector.fromArray(F, x, p + L);
            FloatVector v2 = FloatVector.fromArray(F, x, p + 2 * L), v3 = FloatVector.fromArray(F, x, p + 3 * L);
            a0 = a0.add(low(v0));
            a1 = a1.add(high(v0));
            a2 = a2.add(low(v1));
            a3 = a3.add(high(v1));
            a4 = a4.add(low(v2));
            a5 = a5.add(high(v2));
            a6 = a6.add(low(v3));
            a7 = a7.add(high(v3));
        }
        for (; i + L <= n; i += L) {
            FloatVector v = FloatVector.fromArray(F, x, off + i);
            a0 = a0.add(low(v));
            a1 = a1.add(high(v));
        }
        DoubleVector a = a0.add(a4).add(a1.add(a5)).add(a2.add(a6).add(a3.add(a7)));
        double total = 0;
        for (int k = 0; k < D.length(); k++) total += a.lane(k);
        for (; i < n; i++) total += x[off + i];
        return total;
    }

    /** Lanes 0-3 of v, widened to doubles. */
    private static DoubleVector low(FloatVector v) { return (DoubleVector) v.convertShape(VectorOperators.F2D, D, 0); }

    /** Lanes 4-7 of v, widened to doubles. */
    private static DoubleVector high(FloatVector v) { return (DoubleVector) v.convertShape(VectorOperators.F2D, D, 1); }
}
