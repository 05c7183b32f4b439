package dev.kindling.backend.cpu;

import dev.kindling.api.DType;
import dev.kindling.api.Device;
import dev.kindling.kernel.spi.Storage;
import dev.kindling.kernel.spi.TensorBackend;
import dev.kindling.kernel.spi.View;
import org.junit.jupiter.api.Test;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code matmulAt}: float32 operands read at bfloat16/float16 give bit for bit the product of their casts, into a half
 * output, a float32 one, or a float32 one rounded to the half values; the CPU backend's rounding while packing and the
 * SPI's default (explicit casts, what the CUDA backend runs) agree.
 */
class MatMulAtTest {
    private static final CpuBackend BE = new CpuBackend();

    /** The SPI's default matmulAt over the CPU backend's primitives. */
    private static final TensorBackend VIA_DEFAULT = (TensorBackend) Proxy.newProxyInstance(MatMulAtTest.class.getClassLoader(),
            new Class<?>[] {TensorBackend.class}, (proxy, method, args) -> {
                if (method.getName().equals("matmulAt")) return InvocationHandler.invokeDefault(proxy, method, args);
                try {
                    return method.invoke(BE, args);
                } catch (InvocationTargetException e) {
                    throw e.getCause();
                }
            });

    /** An operand [1, rows, cols] over a padded float32 array, row-major or (transposed) column-major. */
    private record Matrix(float[] values, long[] strides, long offset, long rows, long cols) {
        View view(Storage s) { return new View(s, new long[] {1, rows, cols}, strides, offset); }
    }

    private static Matrix matrix(Random r, long rows, long cols, boolean columnMajor) {
        int pad = 3, ld = (int) (columnMajor ? rows : cols) + 1;
        float[] v = new float[pad + (int) (columnMajor ? cols : rows) * ld];
        for (int i = 0; i < v.length; i++) v[i] = r.nextFloat() * 4 - 2;
        // values a half cast turns into infinities, NaNs and signed zeros, past the first vector
        v[(pad + 17) % v.length] = 3.3961776e38f;
        v[(pad + 23) % v.length] = 70000f;
        v[(pad + 29) % v.length] = -0f;
        long[] strides = columnMajor ? new long[] {0, 1, ld} : new long[] {0, ld, 1};
        return new Matrix(v, strides, pad, rows, cols);
    }

    private static View half(Matrix o, DType precision) {
        Storage f = BE.fromHost(Device.CPU, DType.FLOAT32, o.values());
        Storage h = BE.allocate(Device.CPU, precision, o.values().length);
        BE.copy(new View(f, new long[] {o.values().length}, new long[] {1}, 0), new View(h, new long[] {o.values().length}, new long[] {1}, 0));
        return o.view(h);
    }

    private static View float32(Matrix o) { return o.view(BE.fromHost(Device.CPU, DType.FLOAT32, o.values())); }

    private static View out(DType dtype, long m, long n) {
        return new View(BE.allocate(Device.CPU, dtype, m * n), new long[] {1, m, n}, new long[] {0, n, 1}, 0);
    }

    private static int[] bits(View v) {
        Object host = BE.toHost(v);
        if (host instanceof float[]) {
            float[] f = (float[]) host;
            int[] b = new int[f.length];
            for (int i = 0; i < f.length; i++) b[i] = Float.floatToRawIntBits(f[i]);
            return b;
        }
        short[] s = (short[]) host;
        int[] b = new int[s.length];
        for (int i = 0; i < s.length; i++) b[i] = s[i];
        return b;
    }

    /**
     * Bit for bit on every JDK: the dot-product kernel sums its lanes in a fixed order (reduceLanes, whose order differs
     * between JDK 25's compiled and interpreted code, made this comparison fail there while C2 warmed up).
     */
    private static void assertSame(View expected, View actual, String what) {
        assertArrayEquals(bits(expected), bits(actual), what);
    }

    @Test
    void float32OperandsReadAtHalfPrecisionGiveTheProductOfTheirCasts() {
        // x·Wᵀ (the dot-product kernel), plain and transposed operands (the packing kernel), a tiny product (the scalar
        // loop), one past the split size (two threads, by columns), a weight gradient, a thin product (computed as Cᵀ) and
        // one split by rows: each path rounds its own bands of a float32 output
        long[][] shapes = {{64, 256, 784}, {13, 10, 257}, {3, 2, 5}, {40, 1000, 520}, {100, 70, 33}, {256, 784, 64}, {300, 9, 40},
            {2000, 20, 500}};
        for (DType precision : new DType[] {DType.BFLOAT16, DType.FLOAT16}) {
            for (long[] s : shapes) {
                long m = s[0], n = s[1], k = s[2];
                for (boolean bColumnMajor : new boolean[] {true, false}) {
                    Random r = new Random(m * 7 + n + (bColumnMajor ? 1 : 0));
                    Matrix a = matrix(r, m, k, false), b = matrix(r, k, n, bColumnMajor);
                    String what = precision + " " + m + "x" + n + "x" + k + (bColumnMajor ? " b column-major" : "");
                    View halfOut = out(precision, m, n), float32Out = out(DType.FLOAT32, m, n), widened = out(DType.FLOAT32, m, n);
                    BE.matmul(half(a, precision), half(b, precision), halfOut);
                    BE.matmul(half(a, precision), half(b, precision), float32Out);
                    BE.copy(halfOut, widened);
                    for (TensorBackend be : new TensorBackend[] {BE, VIA_DEFAULT}) {
                        String who = what + (be == BE ? " (cpu)" : " (SPI default)");
                        View[][] operands = {{float32(a), float32(b)}, {half(a, precision), float32(b)}, {float32(a), half(b, precision)}};
                        for (View[] ab : operands) {
                            View o = out(precision, m, n);
                            be.matmulAt(ab[0], ab[1], o, precision, false);
                            assertSame(halfOut, o, who + ": half output, operands " + ab[0].dtype() + " x " + ab[1].dtype());
                            View f = out(DType.FLOAT32, m, n);
                            be.matmulAt(ab[0], ab[1], f, precision, false);
                            assertSame(float32Out, f, who + ": float32 output");
                            View fr = out(DType.FLOAT32, m, n);
                            be.matmulAt(ab[0], ab[1], fr, precision, true);
                            assertSame(widened, fr, who + ": float32 output rounded to " + precision);
                        }
                    }
                }
            }
        }
    }

    @Test
    void operandsAndOutputsOfOtherDtypesAreRefusedByName() {
        View d = new View(BE.allocate(Device.CPU, DType.FLOAT64, 4), new long[] {1, 2, 2}, new long[] {0, 2, 1}, 0);
        View f = out(DType.FLOAT32, 2, 2);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> BE.matmulAt(d, f, out(DType.FLOAT32, 2, 2), DType.BFLOAT16, false));
        assertTrue(e.getMessage().contains("float64"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> BE.matmulAt(f, f, out(DType.FLOAT16, 2, 2), DType.BFLOAT16, false));
        assertTrue(e.getMessage().contains("float16"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> BE.matmulAt(f, f, out(DType.FLOAT32, 2, 2), DType.FLOAT32, false));
        assertTrue(e.getMessage().contains("float16 or bfloat16"), e.getMessage());
    }
}
