package dev.kindling.backend.cpu;

import dev.kindling.kernel.spi.BinaryOp;
import dev.kindling.kernel.spi.View;

/** Tight loops for the common float32 case: contiguous operands, or a contiguous operand and a broadcast scalar. */
final class FastF32 {
    private FastF32() {}

    /** Returns false where the layout is not one of the fast cases (the caller falls back to the strided path). */
    static boolean binary(BinaryOp op, View a, View b, View out) {
        if (!out.isContiguous()) return false;
        boolean aFull = a.isContiguous();
        boolean bFull = b.isContiguous();
        boolean bScalar = allZero(b.strides());
        boolean aScalar = allZero(a.strides());
        if (!((aFull || aScalar) && (bFull || bScalar))) return false;
        float[] x = ((CpuStorage.F32) a.storage()).a;
        float[] y = ((CpuStorage.F32) b.storage()).a;
        float[] o = ((CpuStorage.F32) out.storage()).a;
        int n = (int) out.numel();
        int ao = (int) a.offset();
        int bo = (int) b.offset();
        int oo = (int) out.offset();
        int as = aScalar ? 0 : 1;
        int bs = bScalar ? 0 : 1;
        switch (op) {
            case ADD: for (int i = 0; i < n; i++) o[oo + i] = x[ao + i * as] + y[bo + i * bs]; return true;
            case SUB: for (int i = 0; i < n; i++) o[oo + i] = x[ao + i * as] - y[bo + i * bs]; return true;
            case MUL: for (int i = 0; i < n; i++) o[oo + i] = x[ao + i * as] * y[bo + i * bs]; return true;
            case DIV: for (int i = 0; i < n; i++) o[oo + i] = x[ao + i * as] / y[bo + i * bs]; return true;
            default: return false;
        }
    }

    private static boolean allZero(long[] s) {
        for (long v : s) if (v != 0) return false;
        return true;
    }
}
