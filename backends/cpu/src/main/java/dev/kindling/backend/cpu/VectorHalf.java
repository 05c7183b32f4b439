package dev.kindling.backend.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * float32 to and from bfloat16 / float16, a vector at a time, bit-identical to {@link dev.kindling.kernel.tensor.Half}
 * (round to nearest even, NaNs kept quiet, subnormals and infinities exact). Neither JDK 17 nor 25 has a half
 * conversion in {@code VectorOperators}, so these are integer bit manipulations. Used only where
 * {@link VectorApi#AVAILABLE}; each method converts whole vectors and returns how many elements it did, the caller
 * finishes the tail with the scalar code.
 */
final class VectorHalf {
    private VectorHalf() {}

    private static final VectorSpecies<Float> F = Species.FLOAT;
    private static final VectorSpecies<Integer> I = Species.INT;
    private static final VectorSpecies<Short> S = Species.HALF_SHORT;
    private static final int L = F.length();

    /** {@link #convert}'s operations: half to float32, float32 to half, float32 rounded to half values. */
    static final int WIDEN = 0, NARROW = 1, ROUND = 2;

    /**
     * Converts whole vectors of the {@code n} elements and returns how many it did; the caller finishes the tail with
     * the scalar code. {@link #WIDEN}: {@code h} from {@code hAt} into {@code out} from {@code outAt}. {@link #NARROW}:
     * {@code f} from {@code fAt} into {@code h} from {@code hAt}. {@link #ROUND}: {@code f} from {@code fAt} into
     * {@code out} from {@code outAt} (the same array at the same offset is fine).
     *
     * <p>All six loops live in this one method on purpose. C2 inlines at most 15 calls deep ({@code MaxInlineLevel}),
     * and one Vector API operation is 6 to 12 of those calls. A small kernel inlined into a deep caller (the rounding of
     * a weight gradient sits 12 calls below the op's entry) lost its intrinsics there and ran its vectors as boxed
     * objects: the bf16 MLP step's weight-gradient product took 660–2,500 us instead of 400 in about half of the JVMs.
     * C2 never inlines a hot method of more than 325 bytecode bytes ({@code FreqInlineSize}), so this one is always
     * compiled as its own unit, with its vector operations in reach wherever it is called from
     * ({@code VectorKernelBoundaryTest} keeps it that size).
     *
     * <p>One loop per format: a vector chosen by a condition inside the loop is a merge C2 cannot keep in registers, and
     * the loop then allocated a vector object per step (measured: the conversion took a quarter of a bf16 CNN step).
     */
    static int convert(int op, boolean bf16, float[] f, int fAt, short[] h, int hAt, float[] out, int outAt, int n) {
        int i = 0;
        switch (op) {
            case WIDEN:
                if (bf16) {
                    // S2I sign-extends (ZERO_EXTEND_S2I throws on JDK 17.0.15); the shift drops the copied sign bits
                    for (; i + L <= n; i += L) widen(h, hAt + i).lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().intoArray(out, outAt + i);
                } else {
                    for (; i + L <= n; i += L) halfBits(widen(h, hAt + i)).reinterpretAsFloats().intoArray(out, outAt + i);
                }
                return i;
            case NARROW:
                if (bf16) {
                    for (; i + L <= n; i += L) narrow(bf16Bits(FloatVector.fromArray(F, f, fAt + i).reinterpretAsInts()), h, hAt + i);
                } else {
                    for (; i + L <= n; i += L) narrow(halfBits16(FloatVector.fromArray(F, f, fAt + i).reinterpretAsInts()), h, hAt + i);
                }
                return i;
            case ROUND:
                if (bf16) {
                    for (; i + L <= n; i += L) {
                        bf16Bits(FloatVector.fromArray(F, f, fAt + i).reinterpretAsInts()).lanewise(VectorOperators.LSHL, 16)
                                .reinterpretAsFloats().intoArray(out, outAt + i);
                    }
                } else {
                    for (; i + L <= n; i += L) {
                        halfBits(halfBits16(FloatVector.fromArray(F, f, fAt + i).reinterpretAsInts())).reinterpretAsFloats().intoArray(out, outAt + i);
                    }
                }
                return i;
            default:
                throw new IllegalArgumentException("no half conversion " + op);
        }
    }

    private static IntVector widen(short[] src, int at) {
        return (IntVector) ShortVector.fromArray(S, src, at).convertShape(VectorOperators.S2I, I, 0);
    }

    /**
     * float16 to float32 bits: the magnitude shifted into float position and scaled by 2^112 rebiases the exponent of
     * normals and normalises subnormals, exactly; infinities and NaNs (exponent 31) take the all-ones float exponent.
     */
    private static IntVector halfBits(IntVector h) {
        IntVector abs = h.and(0x7fff);
        IntVector shifted = abs.lanewise(VectorOperators.LSHL, 13);
        IntVector finite = shifted.reinterpretAsFloats().mul(0x1.0p112f).reinterpretAsInts();
        IntVector special = shifted.or(0x7f800000);
        IntVector mag = finite.blend(special, abs.compare(VectorOperators.GE, 0x7c00));
        return mag.or(h.and(0x8000).lanewise(VectorOperators.LSHL, 16));
    }

    private static void narrow(IntVector h, short[] dst, int at) {
        ((ShortVector) h.convertShape(VectorOperators.I2S, S, 0)).intoArray(dst, at);
    }

    /** Adding 0x7fff plus the lowest kept bit rounds to nearest even; NaNs are truncated and made quiet instead. */
    private static IntVector bf16Bits(IntVector bits) {
        IntVector high = bits.lanewise(VectorOperators.LSHR, 16);
        IntVector rounded = bits.add(high.and(1).add(0x7fff)).lanewise(VectorOperators.LSHR, 16);
        VectorMask<Integer> nan = bits.and(0x7fffffff).compare(VectorOperators.GT, 0x7f800000);
        return rounded.blend(high.or(0x40), nan);
    }

    /**
     * float32 to float16 bits. Normals: rebias the exponent and round on the 13 dropped bits (0xfff plus the lowest kept
     * bit, the carry running into the exponent when the mantissa overflows). Subnormal results: a float add of 0.5 puts
     * the value's 2^-24 units in the low mantissa bits, rounded to nearest even by the FPU. From 65520 up: infinity, or
     * the quiet NaN 0x7e00.
     */
    private static IntVector halfBits16(IntVector bits) {
        IntVector sign = bits.and(0x80000000).lanewise(VectorOperators.LSHR, 16);
        IntVector abs = bits.and(0x7fffffff);
        IntVector odd = abs.lanewise(VectorOperators.LSHR, 13).and(1);
        IntVector normal = abs.add(0xc8000fff).add(odd).lanewise(VectorOperators.LSHR, 13);
        IntVector sub = abs.reinterpretAsFloats().add(0.5f).reinterpretAsInts().sub(0x3f000000);
        IntVector big = IntVector.broadcast(I, 0x7c00).blend(0x7e00, abs.compare(VectorOperators.GT, 0x7f800000));
        IntVector mag = normal.blend(sub, abs.compare(VectorOperators.LT, 0x38800000)).blend(big, abs.compare(VectorOperators.GE, 0x47800000));
        return mag.or(sign);
    }
}
