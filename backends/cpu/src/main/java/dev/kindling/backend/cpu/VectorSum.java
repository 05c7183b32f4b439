package dev.kindling.backend.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * float32 sums at memory speed: four 8-lane float accumulators over blocks of {@link #BLOCK} elements (so each lane adds
 * at most 64 values in float, as PyTorch's cascade sum does), each block's total added to a double. Used only where
 * {@code jdk.incubator.vector} is present ({@link #AVAILABLE}); the scalar double loop stands in elsewhere.
 */
final class VectorSum {
    private VectorSum() {}

    static final boolean AVAILABLE = available();
    private static final int BLOCK = 2048;

    private static boolean available() {
        if (Boolean.getBoolean("kindling.cpu.noVector") || ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) return false;
        try {
            return Probe.lanes() == 8;
        } catch (LinkageError | RuntimeException e) {
            return false; // present but not readable by this class loader (not imported in OSGi)
        }
    }

    /** Touches the Vector API in a separate class, so a missing module fails there and not in this class's initialiser. */
    private static final class Probe {
        static int lanes() { return FloatVector.SPECIES_256.length(); }
    }

    static double sum(float[] x, int off, int n) {
        VectorSpecies<Float> s = FloatVector.SPECIES_256;
        double total = 0;
        int i = 0;
        while (n - i >= 32) {
            int end = i + Math.min(BLOCK, (n - i) & ~31);
            FloatVector a0 = FloatVector.zero(s), a1 = FloatVector.zero(s), a2 = FloatVector.zero(s), a3 = FloatVector.zero(s);
            for (; i < end; i += 32) {
                a0 = a0.add(FloatVector.fromArray(s, x, off + i));
                a1 = a1.add(FloatVector.fromArray(s, x, off + i + 8));
                a2 = a2.add(FloatVector.fromArray(s, x, off + i + 16));
                a3 = a3.add(FloatVector.fromArray(s, x, off + i + 24));
            }
            total += a0.add(a1).add(a2.add(a3)).reduceLanes(VectorOperators.ADD);
        }
        return total + FastF32.sumRunScalar(x, off + i, n - i);
    }
}
