package dev.kindling.backend.cpu;

import dev.kindling.api.DType;
import dev.kindling.kernel.spi.View;

/**
 * Batched matrix product. float32, float16 and bfloat16 go to {@link Sgemm#best()} straight from the operands' arrays
 * (a Vector API micro-kernel where the module is present); other dtypes are copied into contiguous arrays for simple
 * loops.
 */
final class MatMul {
    private MatMul() {}

    private static final long VECTOR_MIN_WORK = 32L * 32 * 32;
    private static final Sgemm SCALAR = new ScalarSgemm();

    static void batched(View a, View b, View out) {
        int batch = (int) out.shape()[0];
        int m = (int) a.shape()[1];
        int k = (int) a.shape()[2];
        int n = (int) b.shape()[2];
        DType t = out.dtype();
        DType in = a.dtype();
        boolean onFloatKernel = in == DType.FLOAT32 ? t == in : HalfOps.isHalf(in) && (t == in || t == DType.FLOAT32);
        if (onFloatKernel && b.dtype() == in) {
            float32(a, b, out, operand(a), operand(b), null);
            return;
        }
        CpuStorage o = CpuBackend.s(out);
        for (int bi = 0; bi < batch; bi++) {
            View ab = Strided.select(a, 0, bi);
            View bb = Strided.select(b, 0, bi);
            View ob = Strided.select(out, 0, bi);
            if (t.isFloatingPoint()) {
                double[] pa = packD(ab);
                double[] pb = packD(bb);
                double[] c = new double[m * n];
                ComputePool.parallelFor(m, (long) k * n, i -> rowD(pa, pb, c, i, k, n));
                int[] offs = Strided.offsets(ob);
                for (int i = 0; i < offs.length; i++) o.setD(offs[i], c[i]);
            } else {
                long[] pa = packL(ab);
                long[] pb = packL(bb);
                long[] c = new long[m * n];
                for (int i = 0; i < m; i++) {
                    for (int p = 0; p < k; p++) {
                        long av = pa[i * k + p];
                        if (av == 0) continue;
                        for (int j = 0; j < n; j++) c[i * n + j] += av * pb[p * n + j];
                    }
                }
                int[] offs = Strided.offsets(ob);
                for (int i = 0; i < offs.length; i++) o.setL(offs[i], t == DType.BOOL ? (c[i] != 0 ? 1 : 0) : c[i]);
            }
        }
    }

    /**
     * The product of {@code a} and {@code b} read at {@code precision} (float32 operands rounded to it as they are
     * packed; see {@link dev.kindling.kernel.spi.TensorBackend#matmulAt}), into a half output or a float32 one, rounded
     * to {@code precision} in place when {@code roundOutput}.
     */
    static void batchedAt(View a, View b, View out, DType precision, boolean roundOutput) {
        if (!HalfOps.isHalf(precision)) throw new IllegalArgumentException("matmulAt reads operands at float16 or bfloat16, not " + precision);
        for (View v : new View[] {a, b}) {
            if (v.dtype() != DType.FLOAT32 && v.dtype() != precision) {
                throw new IllegalArgumentException("matmulAt at " + precision + " takes float32 or " + precision + " operands, not " + v.dtype());
            }
        }
        if (out.dtype() != DType.FLOAT32 && out.dtype() != precision) {
            throw new IllegalArgumentException("matmulAt at " + precision + " writes float32 or " + precision + ", not " + out.dtype());
        }
        boolean bf16 = precision == DType.BFLOAT16;
        float32(a, b, out, operandAt(a, bf16), operandAt(b, bf16), out.dtype() == DType.FLOAT32 && roundOutput ? precision : null);
    }

    /**
     * float32 accumulation on the float32 kernel, for float32 operands and for float16/bfloat16 ones (widened as they are
     * packed; the float32 result is rounded once into a half output, or is the output when that is float32),
     * straight from the operands' arrays (their strides go to the packing routines, so transposed and broadcast
     * operands are never copied) into the output, or into a contiguous buffer copied to a strided output. Several small
     * products run one per thread; a single large one splits inside the GEMM. A float32 result is rounded to
     * {@code roundTo}'s values when that is not null, by the GEMM, band by band ({@link Sgemm}).
     */
    private static void float32(View a, View b, View out, Operand fa, Operand fb, DType roundTo) {
        int batch = (int) out.shape()[0];
        int m = (int) a.shape()[1];
        int k = (int) a.shape()[2];
        int n = (int) b.shape()[2];
        boolean direct = out.isContiguous() && out.dtype() == DType.FLOAT32;
        // a contiguous half output is narrowed block by block by the GEMM, from cache, instead of in a second pass
        boolean narrowed = out.isContiguous() && HalfOps.isHalf(out.dtype());
        // the kernel overwrites C, so a reused buffer needs no zeroing
        float[] fc = direct ? ((CpuStorage.F32) CpuBackend.s(out)).a : Scratch.floats(Scratch.Slot.PRODUCT, batch * m * n);
        int oOff = direct ? (int) out.offset() : 0;
        long[] sa = a.strides(), sb = b.strides();
        Sgemm g = kernelFor((long) m * n * k);
        CpuStorage.F16 half = narrowed ? (CpuStorage.F16) CpuBackend.s(out) : null;
        ComputePool.parallelFor(batch, (long) m * n * k, bi -> {
            int cOff = oOff + bi * m * n;
            Sgemm.Epilogue epilogue = narrowed ? Sgemm.narrowing(half.bf16, cOff, half.a, (int) out.offset() + bi * m * n, n) : Sgemm.rounding(roundTo);
            g.gemm(m, n, k, fa, (int) (a.offset() + bi * sa[0]), (int) sa[1], (int) sa[2], fb, (int) (b.offset() + bi * sb[0]), (int) sb[1], (int) sb[2],
                    fc, cOff, n, epilogue);
        });
        if (!direct && !narrowed) {
            View c = new View(new CpuStorage.F32(fc), out.shape(), CpuBackend.contiguous(out.shape()), 0);
            FastCopy.copy(c, out);
        }
    }

    private static Operand operandAt(View v, boolean bf16) {
        CpuStorage s = CpuBackend.s(v);
        return s instanceof CpuStorage.F32 ? Operand.rounded(((CpuStorage.F32) s).a, bf16) : operand(v);
    }

    /** The GEMM for a product of {@code work} multiply-adds: packing costs more than it saves on tiny ones, which stay on the plain loop. */
    static Sgemm kernelFor(long work) { return work >= VECTOR_MIN_WORK ? Sgemm.best() : SCALAR; }

    /** A float32 or half view's array, for the GEMM. */
    static Operand operand(View v) {
        CpuStorage s = CpuBackend.s(v);
        if (s instanceof CpuStorage.F32) return Operand.of(((CpuStorage.F32) s).a);
        return Operand.of(((CpuStorage.F16) s).a, ((CpuStorage.F16) s).bf16);
    }

    private static void rowD(double[] a, double[] b, double[] c, int i, int k, int n) {
        int ci = i * n;
        for (int p = 0; p < k; p++) {
            double av = a[i * k + p];
            int bp = p * n;
            for (int j = 0; j < n; j++) c[ci + j] += av * b[bp + j];
        }
    }

    private static double[] packD(View v) {
        CpuStorage s = CpuBackend.s(v);
        int[] offs = Strided.offsets(v);
        double[] out = new double[offs.length];
        for (int i = 0; i < offs.length; i++) out[i] = s.getD(offs[i]);
        return out;
    }

    private static long[] packL(View v) {
        CpuStorage s = CpuBackend.s(v);
        int[] offs = Strided.offsets(v);
        long[] out = new long[offs.length];
        for (int i = 0; i < offs.length; i++) out[i] = s.getL(offs[i]);
        return out;
    }
}
