package dev.kindling.backend.cpu;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * float32 sums at memory speed with double accuracy: eight floats at a time widened into two 4-lane double
 * accumulators (a float accumulator lost 3e-5 relative on a million values in [-1, 1]; double keeps the scalar loop's
 * accuracy). Used only where {@link VectorApi#AVAILABLE}; the scalar double loop stands in elsewhere.
 */
final class VectorSum {
    private VectorSum() {}

    static double sum(float[] x, int off, int n) {
        // four floats (128 bits) widen to four doubles (256 bits) in one instruction; a 256-bit float vector would need
        // its upper half shuffled down first
        VectorSpecies<Float> s = FloatVector.SPECIES_128;
        VectorSpecies<Double> d = DoubleVector.SPECIES_256;
        DoubleVector a0 = DoubleVector.zero(d), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
        int i = 0;
        // eight independent accumulators: a double add has 3 cycles of latency, so fewer chains stall before memory does
        for (; i + 32 <= n; i += 32) {
            a0 = a0.add((DoubleVector) FloatVector.fromArray(s, x, off + i).convertShape(VectorOperators.F2D, d, 0));
            a1 = a1.add((DoubleVector) FloatVector.fromArray(s, x, off + i + 4).convertShape(VectorOperators.F2D, d, 0));
            a2 = a2.add((DoubleVector) FloatVector.fromArray(s, x, off + i + 8).convertShape(VectorOperators.F2D, d, 0));
            a3 = a3.add((DoubleVector) FloatVector.fromArray(s, x, off + i + 12).convertShape(VectorOperators.F2D, d, 0));
            a4 = a4.add((DoubleVector) FloatVector.fromArray(s, x, off + i + 16).convertShape(VectorOperators.F2D, d, 0));
            a5 = a5.add((DoubleVector) FloatVector.fromArray(s, x, off + i + 20).convertShape(VectorOperators.F2D, d, 0));
            a6 = a6.add((DoubleVector) FloatVector.fromArray(s, x, off + i + 24).convertShape(VectorOperators.F2D, d, 0));
            a7 = a7.add((DoubleVector) FloatVector.fromArray(s, x, off + i + 28).convertShape(VectorOperators.F2D, d, 0));
        }
        a0 = a0.add(a4);
        a1 = a1.add(a5);
        a2 = a2.add(a6);
        a3 = a3.add(a7);
        double total = a0.add(a1).add(a2.add(a3)).reduceLanes(VectorOperators.ADD);
        return total + FastF32.sumRunScalar(x, off + i, n - i);
    }
}
