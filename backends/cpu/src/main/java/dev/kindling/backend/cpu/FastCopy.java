package dev.kindling.backend.cpu;

import dev.kindling.api.DType;
import dev.kindling.kernel.spi.View;
import dev.kindling.kernel.tensor.Half;

/**
 * Copies that skip the generic per-element path: same dtype (one {@code System.arraycopy} per contiguous run, which is
 * what reading a tensor back to the host mostly is), and the conversions a training step makes into float32 (masks
 * from comparisons, uint8 pixels, int64 labels, float64), and float32 to and from float16/bfloat16 (vectorised on
 * contiguous runs).
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
            if (a instanceof CpuStorage.F16) {
                short[] sx = (short[]) x, sy = (short[]) y;
                Strided.rowsParallel(dst.shape(), (b, n, st) -> {
                    if (st[0] == 1 && st[1] == 1) System.arraycopy(sx, b[0], sy, b[1], n);
                    else for (int j = 0; j < n; j++) sy[b[1] + j * st[1]] = sx[b[0] + j * st[0]];
                }, src, dst);
                return true;
            }
            return false;
        }
        if (o instanceof CpuStorage.F16 && a instanceof CpuStorage.F32) {
            float[] x = ((CpuStorage.F32) a).a;
            short[] y = ((CpuStorage.F16) o).a;
            boolean bf16 = ((CpuStorage.F16) o).bf16;
            Strided.rowsParallel(dst.shape(), (b, n, st) -> {
                if (st[0] == 1 && st[1] == 1) HalfArrays.fromFloat(bf16, x, b[0], y, b[1], n);
                else for (int j = 0; j < n; j++) y[b[1] + j * st[1]] = Half.fromFloat(bf16, x[b[0] + j * st[0]]);
            }, src, dst);
            return true;
        }
        if (o instanceof CpuStorage.F16 && a instanceof CpuStorage.F16) {
            // float16 <-> bfloat16: widening is exact, so this rounds once
            short[] x = ((CpuStorage.F16) a).a, y = ((CpuStorage.F16) o).a;
            boolean from = ((CpuStorage.F16) a).bf16, to = ((CpuStorage.F16) o).bf16;
            Strided.rowsParallel(dst.shape(), (b, n, st) -> {
                for (int j = 0; j < n; j++) y[b[1] + j * st[1]] = Half.fromFloat(to, Half.toFloat(from, x[b[0] + j * st[0]]));
            }, src, dst);
            return true;
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
        if (a instanceof CpuStorage.F16) {
            short[] x = ((CpuStorage.F16) a).a;
            boolean bf16 = ((CpuStorage.F16) a).bf16;
            Strided.rowsParallel(dst.shape(), (b, n, st) -> {
                if (st[0] == 1 && st[1] == 1) HalfArrays.toFloat(bf16, x, b[0], y, b[1], n);
                else for (int j = 0; j < n; j++) y[b[1] + j * st[1]] = Half.toFloat(bf16, x[b[0] + j * st[0]]);
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

    /**
     * {@code where} with a bool condition and value operands of the output's dtype, float32 or half: a select of array
     * elements (half values are selected as bits, nothing to convert). False otherwise.
     */
    static boolean where(View condition, View a, View b, View out) {
        if (!(condition.storage() instanceof CpuStorage.Bool) || a.dtype() != out.dtype() || b.dtype() != out.dtype()) return false;
        boolean[] c = ((CpuStorage.Bool) condition.storage()).a;
        CpuStorage o = CpuBackend.s(out);
        if (o instanceof CpuStorage.F32) {
            float[] x = ((CpuStorage.F32) a.storage()).a, y = ((CpuStorage.F32) b.storage()).a, z = ((CpuStorage.F32) o).a;
            Strided.rowsParallel(out.shape(), (bs, n, st) -> {
                for (int j = 0; j < n; j++) z[bs[3] + j * st[3]] = c[bs[0] + j * st[0]] ? x[bs[1] + j * st[1]] : y[bs[2] + j * st[2]];
            }, condition, a, b, out);
            return true;
        }
        if (o instanceof CpuStorage.F16) {
            short[] x = ((CpuStorage.F16) a.storage()).a, y = ((CpuStorage.F16) b.storage()).a, z = ((CpuStorage.F16) o).a;
            Strided.rowsParallel(out.shape(), (bs, n, st) -> {
                for (int j = 0; j < n; j++) z[bs[3] + j * st[3]] = c[bs[0] + j * st[0]] ? x[bs[1] + j * st[1]] : y[bs[2] + j * st[2]];
            }, condition, a, b, out);
            return true;
        }
        return false;
    }
}
