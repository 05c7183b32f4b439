package dev.kindling.backend.cpu;

import dev.kindling.api.DType;
import dev.kindling.api.Device;
import dev.kindling.kernel.spi.Storage;
import dev.kindling.kernel.tensor.Half;

/**
 * A Java array holding one dtype. Element access goes through {@code getD/setD} (floating view) and
 * {@code getL/setL} (integral view); writes convert as PyTorch's casts do (float to int truncates toward zero).
 */
abstract class CpuStorage implements Storage {
    private final DType dtype;
    private final int numel;

    CpuStorage(DType dtype, int numel) {
        this.dtype = dtype;
        this.numel = numel;
    }

    @Override public DType dtype() { return dtype; }
    @Override public long numel() { return numel; }
    @Override public Device device() { return Device.CPU; }

    abstract double getD(int i);
    abstract void setD(int i, double v);
    abstract long getL(int i);
    abstract void setL(int i, long v);
    /** The backing array. */
    abstract Object array();

    static int checkedSize(long numel) {
        if (numel < 0 || numel > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("the CPU backend holds at most " + (Integer.MAX_VALUE - 8) + " elements per tensor, asked for " + numel);
        }
        return (int) numel;
    }

    static CpuStorage allocate(DType dtype, long numel) {
        int n = checkedSize(numel);
        switch (dtype) {
            case FLOAT32: return new F32(new float[n]);
            case FLOAT64: return new F64(new double[n]);
            case FLOAT16: return new F16(new short[n], false);
            case BFLOAT16: return new F16(new short[n], true);
            case INT64: return new I64(new long[n]);
            case INT32: return new I32(new int[n]);
            case INT8: return new I8(new byte[n], false);
            case UINT8: return new I8(new byte[n], true);
            default: return new Bool(new boolean[n]);
        }
    }

    static final class F32 extends CpuStorage {
        final float[] a;
        F32(float[] a) { super(DType.FLOAT32, a.length); this.a = a; }
        @Override double getD(int i) { return a[i]; }
        @Override void setD(int i, double v) { a[i] = (float) v; }
        @Override long getL(int i) { return (long) a[i]; }
        @Override void setL(int i, long v) { a[i] = v; }
        @Override Object array() { return a; }
    }

    static final class F64 extends CpuStorage {
        final double[] a;
        F64(double[] a) { super(DType.FLOAT64, a.length); this.a = a; }
        @Override double getD(int i) { return a[i]; }
        @Override void setD(int i, double v) { a[i] = v; }
        @Override long getL(int i) { return (long) a[i]; }
        @Override void setL(int i, long v) { a[i] = v; }
        @Override Object array() { return a; }
    }

    static final class F16 extends CpuStorage {
        final short[] a;
        final boolean bf16;
        F16(short[] a, boolean bf16) { super(bf16 ? DType.BFLOAT16 : DType.FLOAT16, a.length); this.a = a; this.bf16 = bf16; }
        @Override double getD(int i) { return bf16 ? Half.bf16ToFloat(a[i]) : Half.halfToFloat(a[i]); }
        @Override void setD(int i, double v) { a[i] = bf16 ? Half.floatToBf16((float) v) : Half.floatToHalf((float) v); }
        @Override long getL(int i) { return (long) getD(i); }
        @Override void setL(int i, long v) { setD(i, v); }
        @Override Object array() { return a; }
    }

    static final class I64 extends CpuStorage {
        final long[] a;
        I64(long[] a) { super(DType.INT64, a.length); this.a = a; }
        @Override double getD(int i) { return a[i]; }
        @Override void setD(int i, double v) { a[i] = (long) v; }
        @Override long getL(int i) { return a[i]; }
        @Override void setL(int i, long v) { a[i] = v; }
        @Override Object array() { return a; }
    }

    static final class I32 extends CpuStorage {
        final int[] a;
        I32(int[] a) { super(DType.INT32, a.length); this.a = a; }
        @Override double getD(int i) { return a[i]; }
        @Override void setD(int i, double v) { a[i] = (int) (long) v; }
        @Override long getL(int i) { return a[i]; }
        @Override void setL(int i, long v) { a[i] = (int) v; }
        @Override Object array() { return a; }
    }

    static final class I8 extends CpuStorage {
        final byte[] a;
        final boolean unsigned;
        I8(byte[] a, boolean unsigned) { super(unsigned ? DType.UINT8 : DType.INT8, a.length); this.a = a; this.unsigned = unsigned; }
        @Override double getD(int i) { return getL(i); }
        @Override void setD(int i, double v) { a[i] = (byte) (long) v; }
        @Override long getL(int i) { return unsigned ? a[i] & 0xff : a[i]; }
        @Override void setL(int i, long v) { a[i] = (byte) v; }
        @Override Object array() { return a; }
    }

    static final class Bool extends CpuStorage {
        final boolean[] a;
        Bool(boolean[] a) { super(DType.BOOL, a.length); this.a = a; }
        @Override double getD(int i) { return a[i] ? 1 : 0; }
        @Override void setD(int i, double v) { a[i] = v != 0; }
        @Override long getL(int i) { return a[i] ? 1 : 0; }
        @Override void setL(int i, long v) { a[i] = v != 0; }
        @Override Object array() { return a; }
    }
}
