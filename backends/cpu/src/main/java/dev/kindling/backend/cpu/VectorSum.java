package dev.kindling.backend.cpu;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * float32 sums at memory speed, as PyTorch's {@code cascade_sum} aims for, with a tighter error: whole blocks of 16
 * vectors are added as a pairwise tree of float additions (each element meets four roundings, at partial sums of 2,
 * 4, 8 and 16 values), and each block's sum is widened into double accumulators once; what is left of a run (fewer
 * than 16 vectors, or a whole short run) is widened vector by vector and accumulated exactly.
 *
 * <p>Error: at most about {@code 4u * sum|x|} (u = 2^-24) before the final rounding, against PyTorch's sequential
 * levels of 16-32 float additions each; on SumAccuracyTest's 10^7 values it lands on the float nearest the exact sum
 * (PyTorch's is one to four floats off), and its row sums stay below PyTorch's largest and mean errors.
 *
 * <p>Speed, 2^24 floats from memory on Zen 5 (benchmarks/RESULTS.md): 36-39 GB/s on one thread and 62-65 on two, where
 * widening every vector into doubles (this kernel's former form, the float nearest the exact sum every time) ran at
 * 33-34 and 46-49: the three instructions per vector of the widening made the loop keep fewer cache lines in flight.
 * Blocks of 16 vectors added sequentially into four accumulators were as fast, but their 16 roundings per element put
 * the 2-thread sum of the normal values one float further from the exact sum than PyTorch.
 *
 * <p>Deterministic: lane-wise additions, then the lanes in index order (reduceLanes' order is unspecified), so
 * interpreted and compiled code give the same bits; {@link FastF32#sumParallel} splits runs on whole blocks, so the
 * thread count does not change the blocks. Used only where {@link VectorApi#AVAILABLE}; the scalar double loop
 * {@link FastF32#sumRunScalar} stands in elsewhere.
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

    /** The floats of one pairwise block: 16 vectors. */
    static final int BLOCK = 16 * L;

    static double sum(float[] x, int off, int n) {
        DoubleVector a0 = DoubleVector.zero(D), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
        // whole blocks of 16 vectors, each a pairwise tree of float additions (four roundings per element), widened
        // into doubles once: counted from 0 to a bound, which keeps C2 from range-checking every load
        int blocks = n - n % BLOCK;
        int i = 0;
        for (; i < blocks; i += BLOCK) {
            int p = off + i;
            FloatVector q0 = FloatVector.fromArray(F, x, p).add(FloatVector.fromArray(F, x, p + L))
                    .add(FloatVector.fromArray(F, x, p + 2 * L).add(FloatVector.fromArray(F, x, p + 3 * L)));
            FloatVector q1 = FloatVector.fromArray(F, x, p + 4 * L).add(FloatVector.fromArray(F, x, p + 5 * L))
                    .add(FloatVector.fromArray(F, x, p + 6 * L).add(FloatVector.fromArray(F, x, p + 7 * L)));
            FloatVector q2 = FloatVector.fromArray(F, x, p + 8 * L).add(FloatVector.fromArray(F, x, p + 9 * L))
                    .add(FloatVector.fromArray(F, x, p + 10 * L).add(FloatVector.fromArray(F, x, p + 11 * L)));
            FloatVector q3 = FloatVector.fromArray(F, x, p + 12 * L).add(FloatVector.fromArray(F, x, p + 13 * L))
                    .add(FloatVector.fromArray(F, x, p + 14 * L).add(FloatVector.fromArray(F, x, p + 15 * L)));
            FloatVector block = q0.add(q1).add(q2.add(q3));
            a0 = a0.add(low(block));
            a1 = a1.add(high(block));
        }
        // the rest (fewer than 16 vectors, and all of a short run) widened vector by vector, exactly, into eight
        // independent accumulators: a double add has 3-4 cycles of latency, so fewer chains would stall
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
