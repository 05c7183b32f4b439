package dev.kindling.backend.cuda;

import dev.kindling.api.DType;
import dev.kindling.kernel.tensor.Half;

/**
 * Host-side conversions between the SPI's host arrays and the device layout of each dtype (float32 float, float16 and
 * bfloat16 as 16-bit patterns, int8/uint8/bool as bytes), with the CPU backend's casting rules, so that data moved
 * to the GPU holds exactly what the CPU backend would hold.
 */
final class HostArrays {
    private HostArrays() {}

    /** An array in {@code dtype}'s device layout holding {@code host} converted as {@code TensorBackend.fromHost} does. */
    static Object toDeviceLayout(DType dtype, Object host) {
        int n = java.lang.reflect.Array.getLength(host);
        if (host instanceof float[] && dtype == DType.FLOAT32) return host;
        if (host instanceof double[] && dtype == DType.FLOAT64) return host;
        if (host instanceof long[] && dtype == DType.INT64) return host;
        if (host instanceof int[] && dtype == DType.INT32) return host;
        if (host instanceof short[] && (dtype == DType.FLOAT16 || dtype == DType.BFLOAT16)) return host;
        Object out = allocate(dtype, n);
        if (host instanceof float[]) {
            float[] a = (float[]) host;
            for (int i = 0; i < n; i++) setD(out, dtype, i, a[i]);
        } else if (host instanceof double[]) {
            double[] a = (double[]) host;
            for (int i = 0; i < n; i++) setD(out, dtype, i, a[i]);
        } else if (host instanceof long[]) {
            long[] a = (long[]) host;
            for (int i = 0; i < n; i++) setL(out, dtype, i, a[i]);
        } else if (host instanceof int[]) {
            int[] a = (int[]) host;
            for (int i = 0; i < n; i++) setL(out, dtype, i, a[i]);
        } else if (host instanceof short[]) {
            short[] a = (short[]) host;
            for (int i = 0; i < n; i++) setL(out, dtype, i, a[i]);
        } else if (host instanceof byte[]) {
            // Bytes are read as unsigned (uint8 pixels) unless the target is int8, as on the CPU.
            byte[] a = (byte[]) host;
            for (int i = 0; i < n; i++) setL(out, dtype, i, dtype == DType.INT8 ? a[i] : a[i] & 0xff);
        } else if (host instanceof boolean[]) {
            boolean[] a = (boolean[]) host;
            for (int i = 0; i < n; i++) setL(out, dtype, i, a[i] ? 1 : 0);
        } else {
            throw new IllegalArgumentException("unsupported host array type " + host.getClass().getSimpleName());
        }
        return out;
    }

    /** A zeroed array in {@code dtype}'s device layout. */
    static Object allocate(DType dtype, int n) {
        switch (dtype) {
            case FLOAT32: return new float[n];
            case FLOAT64: return new double[n];
            case FLOAT16: case BFLOAT16: return new short[n];
            case INT64: return new long[n];
            case INT32: return new int[n];
            default: return new byte[n];
        }
    }

    /** The SPI's host type for a device-layout array: only bool differs (bytes on the device, boolean[] on the host). */
    static Object toHostType(DType dtype, Object deviceLayout) {
        if (dtype != DType.BOOL) return deviceLayout;
        byte[] b = (byte[]) deviceLayout;
        boolean[] out = new boolean[b.length];
        for (int i = 0; i < b.length; i++) out[i] = b[i] != 0;
        return out;
    }

    private static void setD(Object a, DType t, int i, double v) {
        switch (t) {
            case FLOAT32: ((float[]) a)[i] = (float) v; break;
            case FLOAT64: ((double[]) a)[i] = v; break;
            case FLOAT16: ((short[]) a)[i] = Half.floatToHalf((float) v); break;
            case BFLOAT16: ((short[]) a)[i] = Half.floatToBf16((float) v); break;
            case INT64: ((long[]) a)[i] = (long) v; break;
            case INT32: ((int[]) a)[i] = (int) (long) v; break;
            case INT8: case UINT8: ((byte[]) a)[i] = (byte) (long) v; break;
            default: ((byte[]) a)[i] = (byte) (v != 0 ? 1 : 0); break;
        }
    }

    private static void setL(Object a, DType t, int i, long v) {
        switch (t) {
            case FLOAT32: ((float[]) a)[i] = v; break;
            case FLOAT64: ((double[]) a)[i] = v; break;
            case FLOAT16: case BFLOAT16: setD(a, t, i, v); break;
            case INT64: ((long[]) a)[i] = v; break;
            case INT32: ((int[]) a)[i] = (int) v; break;
            case INT8: case UINT8: ((byte[]) a)[i] = (byte) v; break;
            default: ((byte[]) a)[i] = (byte) (v != 0 ? 1 : 0); break;
        }
    }
}
