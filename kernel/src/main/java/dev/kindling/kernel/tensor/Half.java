package dev.kindling.kernel.tensor;

/**
 * IEEE half (float16) and bfloat16 conversions, round-to-nearest-even, for Java 17 (no Float.float16ToFloat). The scalar
 * methods are the reference; the array methods are plain-Java bulk forms of them (the CPU backend runs Vector API
 * versions where it can, and falls back to these).
 */
public final class Half {
    private Half() {}

    public static float halfToFloat(short h) {
        int bits = h & 0xffff;
        int sign = (bits & 0x8000) << 16;
        int exp = (bits >>> 10) & 0x1f;
        int mant = bits & 0x3ff;
        if (exp == 0x1f) return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13));
        if (exp == 0) {
            if (mant == 0) return Float.intBitsToFloat(sign);
            float v = mant * 0x1.0p-24f;
            return sign != 0 ? -v : v;
        }
        return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
    }

    public static short floatToHalf(float f) {
        int bits = Float.floatToRawIntBits(f);
        int sign = (bits >>> 16) & 0x8000;
        int abs = bits & 0x7fffffff;
        if (abs >= 0x7f800000) return (short) (sign | 0x7c00 | (abs > 0x7f800000 ? 0x200 : 0));
        if (abs >= 0x477ff000) return (short) (sign | 0x7c00); // rounds to infinity
        if (abs < 0x38800000) { // subnormal half or zero
            float v = Float.intBitsToFloat(abs);
            int m = (int) Math.rint(v * 0x1.0p24);
            return (short) (sign | m);
        }
        int exp = (abs >>> 23) - 112;
        int mant = abs & 0x7fffff;
        int half = (exp << 10) | (mant >>> 13);
        int rest = mant & 0x1fff;
        if (rest > 0x1000 || (rest == 0x1000 && (half & 1) != 0)) half++;
        return (short) (sign | half);
    }

    public static float bf16ToFloat(short b) { return Float.intBitsToFloat((b & 0xffff) << 16); }

    public static short floatToBf16(float f) {
        int bits = Float.floatToRawIntBits(f);
        if ((bits & 0x7fffffff) > 0x7f800000) return (short) ((bits >>> 16) | 0x40);
        int rounding = 0x7fff + ((bits >>> 16) & 1);
        return (short) ((bits + rounding) >>> 16);
    }

    /** {@code dst[d + i] = toFloat(src[s + i])} for {@code i < n}; {@code bf16} picks bfloat16, else float16. */
    public static void toFloat(boolean bf16, short[] src, int s, float[] dst, int d, int n) {
        if (bf16) {
            // a shift and a reinterpretation: C2 vectorises this loop
            for (int i = 0; i < n; i++) dst[d + i] = Float.intBitsToFloat((src[s + i] & 0xffff) << 16);
        } else {
            for (int i = 0; i < n; i++) dst[d + i] = halfToFloat(src[s + i]);
        }
    }

    /** {@code dst[d + i] = fromFloat(src[s + i])} for {@code i < n}, rounding to nearest even. */
    public static void fromFloat(boolean bf16, float[] src, int s, short[] dst, int d, int n) {
        if (bf16) {
            for (int i = 0; i < n; i++) dst[d + i] = floatToBf16(src[s + i]);
        } else {
            for (int i = 0; i < n; i++) dst[d + i] = floatToHalf(src[s + i]);
        }
    }

    public static float toFloat(boolean bf16, short h) { return bf16 ? bf16ToFloat(h) : halfToFloat(h); }

    public static short fromFloat(boolean bf16, float f) { return bf16 ? floatToBf16(f) : floatToHalf(f); }
}
