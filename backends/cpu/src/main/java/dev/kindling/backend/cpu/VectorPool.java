package dev.kindling.backend.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * 2 x 2 max pooling, a vector of outputs at a time. The scalar loop picks each window's winner with float selects, which C2
 * compiles to branches (x86 has no float cmov), and on activations a third of them mispredict: a [64, 32, 28, 28]
 * pooling took 2.3 ms on one thread. Here the four cells of a vector of windows are gathered into four vectors, the winners
 * picked by compares and blends, in PyTorch's scan order (a strictly greater value takes over, so the first of equal
 * values wins). Windows containing a NaN go back to the scalar rule (the last NaN wins): the caller finishes
 * from the returned output. Used only where {@link VectorApi#AVAILABLE}.
 */
final class VectorPool {
    private VectorPool() {}

    private static final VectorSpecies<Float> S = Species.FLOAT;
    private static final VectorSpecies<Integer> SI = Species.INT;
    private static final VectorSpecies<Long> SL = Species.LONG;
    private static final int L = S.length();

    /**
     * One plane's outputs [0, returned) of 2 x 2 windows into dense output planes: {@code cells[u]} is window u's
     * top-left cell as an offset from {@code inBase} (rows {@code rowStride} apart), {@code positions[u]} the same cell
     * as the index PyTorch reports (rows {@code wd} apart). Stops early at a vector of windows with a NaN.
     */
    static int pool2x2(float[] in, int inBase, int rowStride, int wd, int[] cells, int[] positions, int outs, float[] values, int vBase,
                       long[] indices, int xBase) {
        IntVector one = IntVector.broadcast(SI, 1), down = IntVector.broadcast(SI, wd), downRight = IntVector.broadcast(SI, wd + 1);
        int u = 0;
        for (; u + L <= outs; u += L) {
            FloatVector a = FloatVector.fromArray(S, in, inBase, cells, u);
            FloatVector b = FloatVector.fromArray(S, in, inBase + 1, cells, u);
            FloatVector d = FloatVector.fromArray(S, in, inBase + rowStride, cells, u);
            FloatVector e = FloatVector.fromArray(S, in, inBase + rowStride + 1, cells, u);
            VectorMask<Float> nan = a.compare(VectorOperators.NE, a).or(b.compare(VectorOperators.NE, b))
                    .or(d.compare(VectorOperators.NE, d)).or(e.compare(VectorOperators.NE, e));
            if (nan.anyTrue()) return u;
            VectorMask<Float> right0 = b.compare(VectorOperators.GT, a), right1 = e.compare(VectorOperators.GT, d);
            FloatVector top = a.blend(b, right0), bottom = d.blend(e, right1);
            VectorMask<Float> low = bottom.compare(VectorOperators.GT, top);
            top.blend(bottom, low).intoArray(values, vBase + u);
            IntVector dTop = IntVector.zero(SI).blend(one, right0.cast(SI)), dBottom = down.blend(downRight, right1.cast(SI));
            IntVector at = IntVector.fromArray(SI, positions, u).add(dTop.blend(dBottom, low.cast(SI)));
            ((LongVector) at.convertShape(VectorOperators.I2L, SL, 0)).intoArray(indices, xBase + u);
            ((LongVector) at.convertShape(VectorOperators.I2L, SL, 1)).intoArray(indices, xBase + u + L / 2);
        }
        return u;
    }
}
