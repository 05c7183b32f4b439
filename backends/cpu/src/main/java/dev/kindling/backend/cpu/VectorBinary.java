package dev.kindling.backend.cpu;

import dev.kindling.kernel.spi.BinaryOp;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Contiguous float32 rows of add, sub, mul, div (tensor with tensor, or with a broadcast scalar) and of add-with-alpha
 * in 256-bit vectors (the width of every float kernel here: see {@link VectorApi}). C2 on JDK 17 leaves the plain loops {@code o[oo+i] = x[xo+i] + y[yo+i]} scalar
 * when the arrays might be one array at other offsets (an in-place {@code add_} is), so an optimizer's in-place updates
 * of a 200,000-float weight ran at about 0.7 elements per cycle from L2 (78 µs for {@code mul_(0.9)} on a Zen 4 core).
 * Same bits as the scalar loops: one IEEE operation per element (one fused multiply-add for add-with-alpha). Used only
 * where {@link VectorApi#AVAILABLE}; the callers run the tails.
 */
final class VectorBinary {
    private VectorBinary() {}

    private static final VectorSpecies<Float> S = Species.FLOAT; // one width in every kernel: see VectorApi
    private static final int L = S.length();

    /** Rows shorter than this are left to the scalar loop. */
    static final int MIN_LENGTH = L;

    /** {@code o = x op y} for i below the returned count (a multiple of the vector length); 0 for ops not covered. */
    static int row(BinaryOp op, float[] x, int xo, float[] y, int yo, float[] o, int oo, int n) {
        int end = n - n % L;
        switch (op) {
            case ADD:
                for (int i = 0; i < end; i += L) FloatVector.fromArray(S, x, xo + i).add(FloatVector.fromArray(S, y, yo + i)).intoArray(o, oo + i);
                break;
            case SUB:
                for (int i = 0; i < end; i += L) FloatVector.fromArray(S, x, xo + i).sub(FloatVector.fromArray(S, y, yo + i)).intoArray(o, oo + i);
                break;
            case MUL:
                for (int i = 0; i < end; i += L) FloatVector.fromArray(S, x, xo + i).mul(FloatVector.fromArray(S, y, yo + i)).intoArray(o, oo + i);
                break;
            case DIV:
                for (int i = 0; i < end; i += L) FloatVector.fromArray(S, x, xo + i).div(FloatVector.fromArray(S, y, yo + i)).intoArray(o, oo + i);
                break;
            default:
                return 0;
        }
        return end;
    }

    /** {@code o = x op q} for a broadcast scalar {@code q}, as {@link #row}. */
    static int rowScalar(BinaryOp op, float[] x, int xo, float q, float[] o, int oo, int n) {
        int end = n - n % L;
        FloatVector s = FloatVector.broadcast(S, q);
        switch (op) {
            case ADD: for (int i = 0; i < end; i += L) FloatVector.fromArray(S, x, xo + i).add(s).intoArray(o, oo + i); break;
            case SUB: for (int i = 0; i < end; i += L) FloatVector.fromArray(S, x, xo + i).sub(s).intoArray(o, oo + i); break;
            case MUL: for (int i = 0; i < end; i += L) FloatVector.fromArray(S, x, xo + i).mul(s).intoArray(o, oo + i); break;
            case DIV: for (int i = 0; i < end; i += L) FloatVector.fromArray(S, x, xo + i).div(s).intoArray(o, oo + i); break;
            default: return 0;
        }
        return end;
    }

    /** {@code o = fma(y, alpha, x)}, as {@link #row}. */
    static int scaledAdd(float[] x, int xo, float[] y, int yo, float alpha, float[] o, int oo, int n) {
        int end = n - n % L;
        FloatVector a = FloatVector.broadcast(S, alpha);
        for (int i = 0; i < end; i += L) FloatVector.fromArray(S, y, yo + i).fma(a, FloatVector.fromArray(S, x, xo + i)).intoArray(o, oo + i);
        return end;
    }

    /** {@link FusedSgd}'s rows: {@code b = fma(g, keep, b * mom); p = fma(b, step, p)}; returns the count done (a multiple of L). */
    static int sgd(float[] p, int po, float[] b, int bo, float[] g, int go, float mom, float keep, float step, int n) {
        int end = n - n % L;
        FloatVector m = FloatVector.broadcast(S, mom), k = FloatVector.broadcast(S, keep), st = FloatVector.broadcast(S, step);
        for (int i = 0; i < end; i += L) {
            FloatVector buf = FloatVector.fromArray(S, g, go + i).fma(k, FloatVector.fromArray(S, b, bo + i).mul(m));
            buf.intoArray(b, bo + i);
            buf.fma(st, FloatVector.fromArray(S, p, po + i)).intoArray(p, po + i);
        }
        return end;
    }

    /** {@link FusedAdam}'s rows, {@code k} as there; returns the count done (a multiple of L). */
    static int adam(float[] p, int po, float[] m, int mo, float[] v, int vo, float[] g, int go, float[] k, int n) {
        int end = n - n % L;
        FloatVector b1 = FloatVector.broadcast(S, k[0]), c1 = FloatVector.broadcast(S, k[1]), b2 = FloatVector.broadcast(S, k[2]);
        FloatVector c2 = FloatVector.broadcast(S, k[3]), bc = FloatVector.broadcast(S, k[4]), eps = FloatVector.broadcast(S, k[5]);
        FloatVector step = FloatVector.broadcast(S, k[6]);
        for (int i = 0; i < end; i += L) {
            FloatVector gv = FloatVector.fromArray(S, g, go + i);
            FloatVector mv = gv.fma(c1, FloatVector.fromArray(S, m, mo + i).mul(b1));
            FloatVector vv = gv.mul(gv).fma(c2, FloatVector.fromArray(S, v, vo + i).mul(b2));
            mv.intoArray(m, mo + i);
            vv.intoArray(v, vo + i);
            FloatVector denom = vv.sqrt().div(bc).add(eps);
            mv.div(denom).fma(step, FloatVector.fromArray(S, p, po + i)).intoArray(p, po + i);
        }
        return end;
    }
}