package dev.kindling.backend.cpu;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * float32 sums at memory speed with double accumulation: each load of half the preferred vector width widens, in one
 * instruction, into a full-width double vector (8 floats into 512 bits where the CPU has AVX-512, 4 into 256 with AVX2)
 * added into one of eight double accumulators.
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

    private static final VectorSpecies<Double> D = DoubleVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Float> F = VectorSpecies.of(float.class, VectorShape.forBitSize(D.vectorBitSize() / 2));
    private static final int L = F.length();

    /** Runs shorter than this are summed by the scalar loop. */
    static final int MIN_LENGTH = 8 * L;

    static double sum(float[] x, int off, int n) {
        DoubleVector a0 = DoubleVector.zero(D), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
        int i = 0;
        // eight independent accumulators: a double add has 3-4 cycles of latency, so fewer chains stall before memory does
        for (; i + 8 * L <= n; i += 8 * L) {
            int p = off + i;
            a0 = a0.add(wide(x, p));
            a1 = a1.add(wide(x, p + L));
            a2 = a2.add(wide(x, p + 2 * L));
            a3 = a3.add(wide(x, p + 3 * L));
            a4 = a4.add(wide(x, p + 4 * L));
            a5 = a5.add(wide(x, p + 5 * L));
            a6 = a6.add(wide(x, p + 6 * L));
            a7 = a7.add(wide(x, p + 7 * L));
        }
        for (; i + L <= n; i += L) a0 = a0.add(wide(x, off + i));
        DoubleVector a = a0.add(a4).add(a1.add(a5)).add(a2.add(a6).add(a3.add(a7)));
        double total = 0;
        for (int k = 0; k < L; k++) total += a.lane(k);
        for (; i < n; i++) total += x[off + i];
        return total;
    }

    /** L floats from x[p], widened to doubles. */
    private static DoubleVector wide(float[] x, int p) {
        return (DoubleVector) FloatVector.fromArray(F, x, p).convertShape(VectorOperators.F2D, D, 0);
    }
}
