package dev.kindling.backend.cpu;

import dev.kindling.api.DType;
import dev.kindling.kernel.spi.View;

/**
 * Copies that skip the generic per-element path: same dtype (one {@code System.arraycopy} per contiguous run, which is
 * what reading a tensor back to the host mostly is), and the conversions a training step makes into float32 (masks
 * from comparisons, uint8 pixels, int64 labels, float64).
 */
final class FastCopy {
    private FastCopy() {}

    static boolean copy(View src, View dst) {
        CpuStorage a = CpuBackend.s(src), o = CpuBackend.s(dst);
        if (src.dtype() == dst.dtype()) {
            Object x = a.array(), y = o.array();
            if (src.isContiguous() && dst.isContiguous()) {
                System.arraycopy(x, (int) src.offset(), y, (int) dst.offset(), (int) dst.numel());
                return true;
            }
            if (a instanceof CpuStorage.F32) {
                float[] fx = (float[]) x, fy = (float[]) y;
                Strided.rowsParallel(dst.shape(), (b, n, st) -> {
                    if (st[0] == 1 && st[1] == 1) System.arraycopy(fx, b[0], fy, b[1], n);
                    else for (int j = 0; j < n; j++) fy[b[1] + j * st[1]] = fx[b[0] + j * st[0]];
                }, src, dst);
                return true;
            }
            return false;
        }
        if (!(o instanceof CpuStorage.F32)) return false;
        float[] y = ((CpuStorage.F32) o).a;
        if (a instanceof CpuStorage.Bool) {
            boolean[] x = ((CpuStorage.Bool) a).a;
            Strided.rowsParallel(dst.shape(), (b, n, st) -> {
                int j = st[0] == 1 && st[1] == 1 && VectorApi.AVAILABLE ? VectorMasks.maskToFloat(x, b[0], y, b[1], n) : 0;
                for (; j < n; j++) y[b[1] + j * st[1]] = x[b[0] + j * st[0]] ? 1f : 0f;
            }, src, dst);
            return true;
        }
        if (a instanceof CpuStorage.I8 && src.dtype() == DType.UINT8) {
            byte[] x = (byte[]) a.array();
            Strided.rowsParallel(dst.shape(), (b, n, st) -> {
                for (int j = 0; j < n; j++) y[b[1] + j * st[1]] = x[b[0] + j * st[0]] & 0xff;
            }, src, dst);
            return true;
        }
        if (a instanceof CpuStorage.I64) {
            long[] x = ((CpuStorage.I64) a).a;
            Strided.rowsParallel(dst.shape(), (b, n, st) -> {
                for (int j = 0; j < n; j++) y[b[1] + j * st[1]] = x[b[0] + j * st[0]];
            }, src, dst);
            return true;
        }
        if (a instanceof CpuStorage.F64) {
            double[] x = ((CpuStorage.F64) a).a;
            Strided.rowsParallel(dst.shape(), (b, n, st) -> {
                for (int j = 0; j < n; j++) y[b[1] + j * st[1]] = (float) x[b[0] + j * st[0]];
            }, src, dst);
            return true;
        }
        return false;
    }
}
