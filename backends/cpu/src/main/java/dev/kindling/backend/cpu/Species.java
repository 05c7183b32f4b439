package dev.kindling.backend.cpu;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The species of {@link VectorApi#BITS}, the one vector width of every kernel, for the kernels' {@code static final}
 * fields (C2 folds those to constants). Touched only by the kernels, which run only where {@link VectorApi#AVAILABLE}.
 */
final class Species {
    private Species() {}

    private static final boolean WIDE = VectorApi.BITS == 512;

    static final VectorSpecies<Float> FLOAT = WIDE ? FloatVector.SPECIES_512 : FloatVector.SPECIES_256;
    static final VectorSpecies<Double> DOUBLE = WIDE ? DoubleVector.SPECIES_512 : DoubleVector.SPECIES_256;
    static final VectorSpecies<Integer> INT = WIDE ? IntVector.SPECIES_512 : IntVector.SPECIES_256;
    static final VectorSpecies<Long> LONG = WIDE ? LongVector.SPECIES_512 : LongVector.SPECIES_256;
    /** Half as wide: as many 16-bit lanes as {@link #FLOAT} has floats (bf16 / float16 storage). */
    static final VectorSpecies<Short> HALF_SHORT = WIDE ? ShortVector.SPECIES_256 : ShortVector.SPECIES_128;
}
