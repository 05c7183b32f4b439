package dev.kindling.backend.cpu;

import dev.kindling.api.DType;
import dev.kindling.api.Device;
import dev.kindling.kernel.spi.Availability;
import dev.kindling.kernel.spi.BackendDiagnostics;
import dev.kindling.kernel.spi.BinaryOp;
import dev.kindling.kernel.spi.GradScalingKernels;
import dev.kindling.kernel.spi.HostBuffers;
import dev.kindling.kernel.spi.ReduceOp;
import dev.kindling.kernel.spi.FusedOptimizerKernels;
import dev.kindling.kernel.spi.ScaledAddKernels;
import dev.kindling.kernel.spi.Storage;
import dev.kindling.kernel.spi.TensorBackend;
import dev.kindling.kernel.spi.UnaryOp;
import dev.kindling.kernel.spi.View;
import dev.kindling.kernel.spi.Window2d;
import dev.kindling.kernel.tensor.Half;
import org.osgi.service.component.annotations.Component;

import java.util.List;

/**
 * The pure-Java CPU backend: every primitive of the backend SPI over strided views of Java arrays. Floating values
 * compute in double and round to the compute dtype (float32 ops see float32 operands, so results equal float
 * arithmetic for + - * / and sqrt); floating sums accumulate in double, in blocks. float16 and bfloat16 compute in
 * float32 and round once ({@link HalfOps}, and {@link MatMul} for products).
 */
@Component(service = TensorBackend.class)
public class CpuBackend implements TensorBackend, BackendDiagnostics, GradScalingKernels, ScaledAddKernels, FusedOptimizerKernels {
    public static final String NAME = "cpu-java";
    private static final int BLOCK = 4096;

    @Override public String name() { return NAME; }
    @Override public String deviceType() { return "cpu"; }
    @Override public int rank() { return 100; }
    @Override public String version() { return "0.1.0"; }
    @Override public Availability availability() { return Availability.yes(); }
    @Override public List<Device> devices() { return List.of(Device.CPU); }

    /** One pass per gradient: the check reads the value it scales (a float32 product, float64 for float64 gradients). */
    @Override
    public void nonFiniteCheckAndUnscale(View grad, View foundInf, View invScale) {
        CpuStorage g = s(grad);
        float inv = (float) s(invScale).getD((int) invScale.offset());
        boolean found;
        if (g instanceof CpuStorage.F32 f && grad.isContiguous()) {
            found = FastF32.scaleCheckingFinite(f.a, (int) grad.offset(), (int) grad.numel(), inv);
        } else {
            DType t = grad.dtype();
            boolean[] bad = {false};
            Strided.rows(grad.shape(), (b, n, st) -> {
                for (int j = 0; j < n; j++) {
                    int i = (int) (b[0] + j * st[0]);
                    double v = g.getD(i);
                    if (!Double.isFinite(v)) bad[0] = true;
                    g.setD(i, t == DType.FLOAT64 ? v * inv : CpuMath.round(t, (float) v * inv));
                }
            }, grad);
            found = bad[0];
        }
        if (found) s(foundInf).setD((int) foundInf.offset(), 1.0);
    }

    @Override
    public List<String> diagnostics() {
        return List.of("ops use up to " + ComputePool.threads() + " threads (configuration " + CpuConfiguration.PID + ", key threads), "
                + (VectorApi.AVAILABLE ? "Vector API kernels (" + VectorApi.BITS + "-bit)" : "plain Java kernels (no Vector API: start the JVM with --add-modules=jdk.incubator.vector)"));
    }

    private static void checkDevice(Device d) {
        if (!d.isCpu()) throw new IllegalArgumentException("the CPU backend cannot hold tensors on device '" + d + "'");
    }

    static CpuStorage s(View v) { return (CpuStorage) v.storage(); }

    @Override
    public Storage allocate(Device device, DType dtype, long numel) {
        checkDevice(device);
        return CpuStorage.allocate(dtype, numel);
    }

    @Override
    public Storage fromHost(Device device, DType dtype, Object host) {
        checkDevice(device);
        int n = java.lang.reflect.Array.getLength(host);
        CpuStorage out = CpuStorage.allocate(dtype, n);
        if (host instanceof float[] && dtype == DType.FLOAT32) {
            System.arraycopy(host, 0, ((CpuStorage.F32) out).a, 0, n);
        } else if (host instanceof double[] && dtype == DType.FLOAT64) {
            System.arraycopy(host, 0, ((CpuStorage.F64) out).a, 0, n);
        } else if (host instanceof long[] && dtype == DType.INT64) {
            System.arraycopy(host, 0, ((CpuStorage.I64) out).a, 0, n);
        } else if (host instanceof float[]) {
            float[] a = (float[]) host;
            for (int i = 0; i < n; i++) out.setD(i, a[i]);
        } else if (host instanceof double[]) {
            double[] a = (double[]) host;
            for (int i = 0; i < n; i++) out.setD(i, a[i]);
        } else if (host instanceof long[]) {
            long[] a = (long[]) host;
            for (int i = 0; i < n; i++) out.setL(i, a[i]);
        } else if (host instanceof int[]) {
            int[] a = (int[]) host;
            for (int i = 0; i < n; i++) out.setL(i, a[i]);
        } else if (host instanceof short[]) {
            short[] a = (short[]) host;
            boolean bits = dtype == DType.FLOAT16 || dtype == DType.BFLOAT16;
            if (bits) System.arraycopy(a, 0, ((CpuStorage.F16) out).a, 0, n);
            else for (int i = 0; i < n; i++) out.setL(i, a[i]);
        } else if (host instanceof byte[]) {
            // Bytes are read as unsigned (uint8 pixels) unless the target is int8.
            byte[] a = (byte[]) host;
            for (int i = 0; i < n; i++) out.setL(i, dtype == DType.INT8 ? a[i] : a[i] & 0xff);
        } else if (host instanceof boolean[]) {
            boolean[] a = (boolean[]) host;
            for (int i = 0; i < n; i++) out.setL(i, a[i] ? 1 : 0);
        } else {
            throw new IllegalArgumentException("unsupported host array type " + host.getClass().getSimpleName());
        }
        return out;
    }

    @Override
    public Object toHost(View src) {
        CpuStorage out = CpuStorage.allocate(src.dtype(), src.numel());
        copy(src, new View(out, src.shape(), contiguous(src.shape()), 0));
        return out.array();
    }

    /** Row by row from the storage array into the buffer; a view with strided rows takes the default's staged copy. */
    @Override
    public void toHost(View src, java.nio.Buffer dst) {
        if (!unitStrideRows(src)) {
            TensorBackend.super.toHost(src, dst);
            return;
        }
        Object a = s(src).array();
        Strided.rows(src.shape(), (b, n, st) -> HostBuffers.put(dst, a, b[0], n), src);
    }

    /** Row by row from the buffer into the storage array; a view with strided rows takes the default's staged copy. */
    @Override
    public void fromHost(java.nio.Buffer src, View dst) {
        if (!unitStrideRows(dst)) {
            TensorBackend.super.fromHost(src, dst);
            return;
        }
        Object a = s(dst).array();
        Strided.rows(dst.shape(), (b, n, st) -> HostBuffers.get(src, a, b[0], n), dst);
    }

    /** Whether every row {@link Strided#rows} gives for {@code v} is contiguous (its last non-trivial dim has stride 1). */
    private static boolean unitStrideRows(View v) {
        long[] shape = v.shape(), strides = v.strides();
        for (int d = shape.length - 1; d >= 0; d--) {
            if (shape[d] != 1) return strides[d] == 1;
        }
        return true;
    }

    static long[] contiguous(long[] shape) { return dev.kindling.kernel.tensor.Shapes.contiguousStrides(shape); }

    /** Whether {@code dims} are 0, 1, ..., k-1 in some order. */
    private static boolean leading(int[] dims) {
        long seen = 0;
        for (int d : dims) {
            if (d >= 63) return false;
            seen |= 1L << d;
        }
        return seen == (1L << dims.length) - 1;
    }

    /** Whether strides walk shape as one contiguous row-major run (dims of size 1 may have any stride). */
    private static boolean rowMajor(long[] shape, long[] strides) {
        long expect = 1;
        for (int d = shape.length - 1; d >= 0; d--) {
            if (shape[d] == 1) continue;
            if (strides[d] != expect) return false;
            expect *= shape[d];
        }
        return true;
    }

    @Override
    public void fill(View out, double value) {
        CpuStorage o = s(out);
        if (o instanceof CpuStorage.F32 || o instanceof CpuStorage.F16) {
            // zero_ of every gradient each step: one converted value stored along rows, not a setD per element
            float f = (float) value;
            float[] fa = o instanceof CpuStorage.F32 ? ((CpuStorage.F32) o).a : null;
            short[] ha = fa == null ? ((CpuStorage.F16) o).a : null;
            short h = fa == null ? Half.fromFloat(((CpuStorage.F16) o).bf16, f) : 0;
            Strided.rowsParallel(out.shape(), (b, n, st) -> {
                if (fa != null && st[0] == 1) java.util.Arrays.fill(fa, b[0], b[0] + n, f); // intrinsic; the strided loop stays scalar
                else if (fa != null) for (int j = 0; j < n; j++) fa[b[0] + j * st[0]] = f;
                else for (int j = 0; j < n; j++) ha[b[0] + j * st[0]] = h;
            }, out);
            return;
        }
        boolean floating = out.dtype().isFloatingPoint();
        long lv = (long) value;
        Strided.rows(out.shape(), (b, n, st) -> {
            for (int j = 0; j < n; j++) {
                if (floating) o.setD(b[0] + j * st[0], value);
                else o.setL(b[0] + j * st[0], lv);
            }
        }, out);
    }

    @Override
    public void copy(View src, View dst) {
        CpuStorage a = s(src);
        CpuStorage o = s(dst);
        if (FastCopy.copy(src, dst)) return;
        boolean viaDouble = src.dtype().isFloatingPoint() && dst.dtype() != DType.BOOL;
        DType dt = dst.dtype();
        Strided.rows(dst.shape(), (b, n, st) -> {
            for (int j = 0; j < n; j++) {
                int i = b[0] + j * st[0];
                int k = b[1] + j * st[1];
                if (viaDouble) o.setD(k, a.getD(i));
                else if (dt == DType.BOOL) o.setL(k, a.getD(i) != 0 ? 1 : 0);
                else o.setL(k, a.getL(i));
            }
        }, src, dst);
    }

    @Override
    public void unary(UnaryOp op, View in, View out) {
        if (HalfOps.unary(this, op, in, out)) return;
        CpuStorage a = s(in);
        CpuStorage o = s(out);
        if (op.isPredicate()) {
            Strided.rows(out.shape(), (b, n, st) -> {
                for (int j = 0; j < n; j++) o.setL(b[1] + j * st[1], CpuMath.predicate(op, a.getD(b[0] + j * st[0])) ? 1 : 0);
            }, in, out);
            return;
        }
        DType t = out.dtype();
        if (a instanceof CpuStorage.F32 && o instanceof CpuStorage.F32 && FastF32.unary(op, in, out)) return;
        if (t.isFloatingPoint()) {
            Strided.rows(out.shape(), (b, n, st) -> {
                for (int j = 0; j < n; j++) {
                    o.setD(b[1] + j * st[1], CpuMath.unary(op, CpuMath.round(t, a.getD(b[0] + j * st[0]))));
                }
            }, in, out);
        } else {
            Strided.rows(out.shape(), (b, n, st) -> {
                for (int j = 0; j < n; j++) o.setL(b[1] + j * st[1], CpuMath.unaryLong(op, a.getL(b[0] + j * st[0])));
            }, in, out);
        }
    }

    @Override
    public void clamp(View in, double min, double max, View out) {
        if (HalfOps.clamp(this, in, min, max, out)) return;
        CpuStorage a = s(in);
        CpuStorage o = s(out);
        DType t = out.dtype();
        Strided.rows(out.shape(), (b, n, st) -> {
            for (int j = 0; j < n; j++) {
                int k = b[1] + j * st[1];
                if (t.isFloatingPoint()) {
                    double v = CpuMath.round(t, a.getD(b[0] + j * st[0]));
                    if (!Double.isNaN(min)) v = Double.isNaN(v) ? v : Math.max(v, min);
                    if (!Double.isNaN(max)) v = Double.isNaN(v) ? v : Math.min(v, max);
                    o.setD(k, v);
                } else {
                    long v = a.getL(b[0] + j * st[0]);
                    if (!Double.isNaN(min)) v = Math.max(v, (long) min);
                    if (!Double.isNaN(max)) v = Math.min(v, (long) max);
                    o.setL(k, v);
                }
            }
        }, in, out);
    }

    @Override
    public boolean sgd(View param, View buffer, View grad, double lr, double momentum, double dampening) {
        return FusedSgd.run(param, buffer, grad, lr, momentum, dampening);
    }

    @Override
    public boolean adam(View param, View expAvg, View expAvgSq, View grad, double beta1, double beta2, double stepSize, double biasCorrection2Sqrt,
                        double eps) {
        return FusedAdam.run(param, expAvg, expAvgSq, grad, beta1, beta2, stepSize, biasCorrection2Sqrt, eps);
    }

    @Override
    public boolean addScaled(View a, View b, double alpha, View out, DType compute) {
        return compute == DType.FLOAT32 && ScaledAdd.run(a, b, (float) alpha, out);
    }

    @Override
    public void binary(BinaryOp op, View a, View b, View out, DType compute) {
        CpuStorage x = s(a);
        CpuStorage y = s(b);
        CpuStorage o = s(out);
        if (compute == DType.FLOAT32 && FastF32.binary(op, a, b, out)) return;
        if (HalfOps.binary(this, op, a, b, out, compute)) return;
        if (compute.isFloatingPoint()) {
            Strided.rows(out.shape(), (bs, n, st) -> {
                for (int j = 0; j < n; j++) {
                    double va = CpuMath.round(compute, x.getD(bs[0] + j * st[0]));
                    double vb = CpuMath.round(compute, y.getD(bs[1] + j * st[1]));
                    o.setD(bs[2] + j * st[2], CpuMath.binary(op, va, vb));
                }
            }, a, b, out);
        } else {
            boolean bool = compute == DType.BOOL;
            Strided.rows(out.shape(), (bs, n, st) -> {
                for (int j = 0; j < n; j++) {
                    long va = cast(compute, x.getL(bs[0] + j * st[0]));
                    long vb = cast(compute, y.getL(bs[1] + j * st[1]));
                    o.setL(bs[2] + j * st[2], bool ? CpuMath.binaryBool(op, va, vb) : CpuMath.binaryLong(op, va, vb));
                }
            }, a, b, out);
        }
    }

    /** Wraps a value into an integral compute dtype's range, as a C cast would. */
    private static long cast(DType t, long v) {
        switch (t) {
            case INT32: return (int) v;
            case INT8: return (byte) v;
            case UINT8: return v & 0xff;
            case BOOL: return v != 0 ? 1 : 0;
            default: return v;
        }
    }

    @Override
    public void where(View condition, View a, View b, View out) {
        if (FastCopy.where(condition, a, b, out)) return;
        CpuStorage c = s(condition);
        CpuStorage x = s(a);
        CpuStorage y = s(b);
        CpuStorage o = s(out);
        boolean floating = out.dtype().isFloatingPoint();
        Strided.rows(out.shape(), (bs, n, st) -> {
            for (int j = 0; j < n; j++) {
                boolean pick = c.getL(bs[0] + j * st[0]) != 0;
                int k = bs[3] + j * st[3];
                if (floating) o.setD(k, pick ? x.getD(bs[1] + j * st[1]) : y.getD(bs[2] + j * st[2]));
                else o.setL(k, pick ? x.getL(bs[1] + j * st[1]) : y.getL(bs[2] + j * st[2]));
            }
        }, condition, a, b, out);
    }

    @Override
    public void conv2dColumns(View columns, View weight, View bias, View out) {
        if (!ConvColumns.run(columns, weight, bias, out)) TensorBackend.super.conv2dColumns(columns, weight, bias, out);
    }

    @Override
    public void conv2dBackwardInput(View grad, View weight, Window2d w, View out) {
        if (!ConvColumns.backwardInput(grad, weight, w, out)) TensorBackend.super.conv2dBackwardInput(grad, weight, w, out);
    }

    @Override
    public void conv2dColumnsBackwardWeight(View grad, View columns, View out) {
        if (!ConvColumns.backwardWeight(grad, columns, out)) TensorBackend.super.conv2dColumnsBackwardWeight(grad, columns, out);
    }

    @Override
    public void thresholdBackward(View grad, View self, double threshold, View out) {
        if (HalfOps.thresholdBackward(grad, self, threshold, out)) return;
        if (!(s(out) instanceof CpuStorage.F32)) {
            TensorBackend.super.thresholdBackward(grad, self, threshold, out);
            return;
        }
        float[] g = ((CpuStorage.F32) s(grad)).a, x = ((CpuStorage.F32) s(self)).a, o = ((CpuStorage.F32) s(out)).a;
        float bound = (float) threshold; // compared in the tensor's dtype, as PyTorch's kernel does
        Strided.rowsParallel(out.shape(), (b, n, st) -> FastF32.thresholdRow(g, b[0], st[0], x, b[1], st[1], bound, o, b[2], st[2], n), grad, self, out);
    }

    @Override
    public void reduce(ReduceOp op, View in, int[] dims, View out) {
        if (HalfOps.reduce(this, op, in, dims, out)) return;
        View moved = Strided.moveToEnd(in, dims);
        int r = in.dim();
        int kept = r - dims.length;
        long[] outerShape = java.util.Arrays.copyOf(moved.shape(), kept);
        long[] innerShape = java.util.Arrays.copyOfRange(moved.shape(), kept, r);
        long[] innerStrides = java.util.Arrays.copyOfRange(moved.strides(), kept, r);
        // The output, viewed with only the kept dims (reduced dims have size 1 there).
        long[] outStrides = new long[kept];
        for (int a = 0, k = 0; a < r; a++) {
            boolean reduced = false;
            for (int d : dims) reduced |= d == a;
            if (!reduced) outStrides[k++] = out.strides()[a];
        }
        View outerIn = new View(in.storage(), outerShape, java.util.Arrays.copyOf(moved.strides(), kept), in.offset());
        View outerOut = new View(out.storage(), outerShape, outStrides, out.offset());
        CpuStorage x = s(in);
        CpuStorage o = s(out);
        if (op == ReduceOp.SUM && x instanceof CpuStorage.F32 && o instanceof CpuStorage.F32) {
            float[] xa = ((CpuStorage.F32) x).a, oa = ((CpuStorage.F32) o).a;
            if (kept == 0 && in.isContiguous()) {
                oa[(int) out.offset()] = (float) FastF32.sumParallel(xa, (int) in.offset(), (int) in.numel());
                return;
            }
            if (in.isContiguous() && leading(dims) && rowMajor(outerShape, outStrides)) {
                // the reduced dims lead (a bias gradient: a [N, C] sum over N): whole rows added into per-column sums
                FastF32.sumLeading(xa, (int) in.offset(), Math.toIntExact(dev.kindling.kernel.tensor.Shapes.numel(innerShape)),
                        Math.toIntExact(dev.kindling.kernel.tensor.Shapes.numel(outerShape)), oa, (int) out.offset());
                return;
            }
            if (rowMajor(innerShape, innerStrides)) {
                // the reduced dims are one contiguous run per output element (a sum over the last dims): summed directly
                FastF32.sumRows(xa, outerIn, Math.toIntExact(dev.kindling.kernel.tensor.Shapes.numel(innerShape)), oa, outerOut);
                return;
            }
            int runDims = RunSums.trailingDims(in, dims);
            if (runDims > 0) {
                // the last dims and some leading ones (a convolution's bias gradient): each run summed once, in memory order
                RunSums.sum(in, Operand.of(xa), dims, runDims, out);
                return;
            }
            Strided.rows(outerShape, (bs, n, st) -> {
                for (int j = 0; j < n; j++) {
                    oa[bs[1] + j * st[1]] = (float) FastF32.sum(xa, new View(x, innerShape, innerStrides, bs[0] + (long) j * st[0]));
                }
            }, outerIn, outerOut);
            return;
        }
        boolean floating = in.dtype().isFloatingPoint();
        Strided.rows(outerShape, (bs, n, st) -> {
            for (int j = 0; j < n; j++) {
                View inner = new View(in.storage(), innerShape, innerStrides, bs[0] + (long) j * st[0]);
                int k = bs[1] + j * st[1];
                if (op == ReduceOp.ALL || op == ReduceOp.ANY) {
                    o.setL(k, reduceBool(op, x, inner) ? 1 : 0);
                } else if (floating) {
                    o.setD(k, reduceD(op, x, inner));
                } else {
                    o.setL(k, reduceL(op, x, inner));
                }
            }
        }, outerIn, outerOut);
    }

    private static boolean reduceBool(ReduceOp op, CpuStorage x, View v) {
        boolean[] acc = {op == ReduceOp.ALL};
        Strided.rows(v.shape(), (b, n, st) -> {
            for (int j = 0; j < n; j++) {
                boolean t = x.getD(b[0] + j * st[0]) != 0;
                acc[0] = op == ReduceOp.ALL ? acc[0] && t : acc[0] || t;
            }
        }, v);
        return acc[0];
    }

    private static double reduceD(ReduceOp op, CpuStorage x, View v) {
        // acc[0]: running total, acc[1]: current block, acc[2]: count in block.
        double[] acc = new double[3];
        switch (op) {
            case PROD: acc[0] = 1; break;
            case MAX: acc[0] = Double.NEGATIVE_INFINITY; break;
            case MIN: acc[0] = Double.POSITIVE_INFINITY; break;
            default: break;
        }
        Strided.rows(v.shape(), (b, n, st) -> {
            for (int j = 0; j < n; j++) {
                double t = x.getD(b[0] + j * st[0]);
                switch (op) {
                    case SUM:
                        acc[1] += t;
                        if (++acc[2] == BLOCK) {
                            acc[0] += acc[1];
                            acc[1] = 0;
                            acc[2] = 0;
                        }
                        break;
                    case PROD: acc[0] *= t; break;
                    case MAX: acc[0] = Double.isNaN(t) || Double.isNaN(acc[0]) ? Double.NaN : Math.max(acc[0], t); break;
                    default: acc[0] = Double.isNaN(t) || Double.isNaN(acc[0]) ? Double.NaN : Math.min(acc[0], t); break;
                }
            }
        }, v);
        return op == ReduceOp.SUM ? acc[0] + acc[1] : acc[0];
    }

    private static long reduceL(ReduceOp op, CpuStorage x, View v) {
        long[] acc = new long[1];
        switch (op) {
            case PROD: acc[0] = 1; break;
            case MAX: acc[0] = Long.MIN_VALUE; break;
            case MIN: acc[0] = Long.MAX_VALUE; break;
            default: break;
        }
        Strided.rows(v.shape(), (b, n, st) -> {
            for (int j = 0; j < n; j++) {
                long t = x.getL(b[0] + j * st[0]);
                switch (op) {
                    case SUM: acc[0] += t; break;
                    case PROD: acc[0] *= t; break;
                    case MAX: acc[0] = Math.max(acc[0], t); break;
                    default: acc[0] = Math.min(acc[0], t); break;
                }
            }
        }, v);
        return acc[0];
    }

    @Override
    public void argReduce(boolean max, View in, int dim, View values, View indices) {
        if (HalfOps.argReduce(this, max, in, dim, values, indices)) return;
        View moved = Strided.moveToEnd(in, new int[] {dim});
        int r = in.dim();
        long[] outerShape = java.util.Arrays.copyOf(moved.shape(), r - 1);
        long len = in.shape()[dim];
        long st = in.strides()[dim];
        View outerIn = new View(in.storage(), outerShape, java.util.Arrays.copyOf(moved.strides(), r - 1), in.offset());
        View outerV = Strided.select(values, dim, 0);
        View outerI = Strided.select(indices, dim, 0);
        CpuStorage x = s(in);
        CpuStorage ov = s(values);
        CpuStorage oi = s(indices);
        boolean floating = in.dtype().isFloatingPoint();
        Strided.rows(outerShape, (bs, n, sts) -> {
            for (int j = 0; j < n; j++) {
                int base = bs[0] + j * sts[0];
                int best = 0;
                if (floating) {
                    double bv = x.getD(base);
                    for (int i = 1; i < len && !Double.isNaN(bv); i++) {
                        double v = x.getD((int) (base + i * st));
                        if (Double.isNaN(v) || (max ? v > bv : v < bv)) {
                            bv = v;
                            best = i;
                        }
                    }
                    ov.setD(bs[1] + j * sts[1], bv);
                } else {
                    long bv = x.getL(base);
                    for (int i = 1; i < len; i++) {
                        long v = x.getL((int) (base + i * st));
                        if (max ? v > bv : v < bv) {
                            bv = v;
                            best = i;
                        }
                    }
                    ov.setL(bs[1] + j * sts[1], bv);
                }
                oi.setL(bs[2] + j * sts[2], best);
            }
        }, outerIn, outerV, outerI);
    }

    @Override
    public void matmul(View a, View b, View out) {
        MatMul.batched(a, b, out);
    }

    @Override
    public void matmulAt(View a, View b, View out, DType precision, boolean roundOutput) {
        MatMul.batchedAt(a, b, out, precision, roundOutput);
    }

    @Override
    public void softmax(View in, int dim, boolean log, View out) {
        if (HalfOps.softmax(this, in, dim, log, out)) return;
        View movedIn = Strided.moveToEnd(in, new int[] {dim});
        View movedOut = Strided.moveToEnd(out, new int[] {dim});
        int r = in.dim();
        long[] outerShape = java.util.Arrays.copyOf(movedIn.shape(), r - 1);
        int len = (int) in.shape()[dim];
        long si = in.strides()[dim];
        long so = out.strides()[dim];
        View oi = new View(in.storage(), outerShape, java.util.Arrays.copyOf(movedIn.strides(), r - 1), in.offset());
        View oo = new View(out.storage(), outerShape, java.util.Arrays.copyOf(movedOut.strides(), r - 1), out.offset());
        CpuStorage x = s(in);
        CpuStorage o = s(out);
        DType t = in.dtype();
        Strided.rows(outerShape, (bs, n, st) -> {
            double[] buf = new double[len];
            for (int j = 0; j < n; j++) {
                int bi = bs[0] + j * st[0];
                int bo = bs[1] + j * st[1];
                double m = Double.NEGATIVE_INFINITY;
                for (int i = 0; i < len; i++) {
                    buf[i] = CpuMath.round(t, x.getD((int) (bi + i * si)));
                    m = Math.max(m, buf[i]);
                }
                if (Double.isInfinite(m)) m = 0;
                double sum = 0;
                for (int i = 0; i < len; i++) sum += Math.exp(buf[i] - m);
                double lse = Math.log(sum);
                for (int i = 0; i < len; i++) {
                    double v = log ? buf[i] - m - lse : Math.exp(buf[i] - m) / sum;
                    o.setD((int) (bo + i * so), v);
                }
            }
        }, oi, oo);
    }

    private static void checkIndex(long idx, long size, int dim) {
        if (idx < -size || idx >= size) {
            throw new IndexOutOfBoundsException("index " + idx + " is out of bounds for dimension " + dim + " with size " + size);
        }
    }

    @Override
    public void indexSelect(View src, int dim, View index, View out) {
        int[] idxOff = Strided.offsets(index);
        CpuStorage ix = s(index);
        long size = src.shape()[dim];
        for (int j = 0; j < idxOff.length; j++) {
            long i = ix.getL(idxOff[j]);
            if (i < -size || i >= size) throw new IndexOutOfBoundsException("index out of range in self: index " + i + " for dimension "
                    + dim + " with size " + size);
            if (i < 0) i += size;
            copy(Strided.select(src, dim, i), Strided.select(out, dim, j));
        }
    }

    /** Calls body(indexOffset, srcOffsetWithoutDim, position along dim) for every element of {@code index}. */
    private static void forEachIndexed(View index, View other, int dim, IndexedBody body) {
        int r = index.dim();
        long[] pos = new long[r];
        long total = index.numel();
        for (long e = 0; e < total; e++) {
            long io = index.offset();
            long oo = other.offset();
            for (int d = 0; d < r; d++) {
                io += pos[d] * index.strides()[d];
                if (d != dim) oo += pos[d] * other.strides()[d];
            }
            body.apply((int) io, oo, pos);
            for (int d = r - 1; d >= 0; d--) {
                if (++pos[d] < index.shape()[d]) break;
                pos[d] = 0;
            }
        }
    }

    /** One element of a scatter: {@code self[to] = src[from]}, or {@code +=}. */
    @FunctionalInterface
    private interface ScatterPut {
        void apply(int to, int from);
    }

    @FunctionalInterface
    private interface IndexedBody {
        void apply(int indexOffset, long otherBase, long[] pos);
    }

    private static long posOffset(View v, long[] pos) {
        long o = v.offset();
        for (int d = 0; d < pos.length; d++) o += pos[d] * v.strides()[d];
        return o;
    }

    @Override
    public void gather(View src, int dim, View index, View out) {
        CpuStorage ix = s(index);
        CpuStorage x = s(src);
        CpuStorage o = s(out);
        long size = src.shape()[dim];
        boolean floating = src.dtype().isFloatingPoint();
        forEachIndexed(index, src, dim, (io, base, pos) -> {
            long i = ix.getL(io);
            checkIndex(i, size, dim);
            if (i < 0) i += size;
            int from = (int) (base + i * src.strides()[dim]);
            int to = (int) posOffset(out, pos);
            if (floating) o.setD(to, x.getD(from));
            else o.setL(to, x.getL(from));
        });
    }

    @Override
    public void scatter(View self, int dim, View index, View src, boolean accumulate) {
        CpuStorage ix = s(index);
        CpuStorage x = s(src);
        CpuStorage o = s(self);
        long size = self.shape()[dim];
        if (ix instanceof CpuStorage.I64 && o.getClass() == x.getClass() && self.dtype() == src.dtype()
                && (o instanceof CpuStorage.F32 || o instanceof CpuStorage.F16)) {
            ScatterPut put;
            if (o instanceof CpuStorage.F32) {
                float[] oa = ((CpuStorage.F32) o).a, xa = ((CpuStorage.F32) x).a;
                put = accumulate ? (to, from) -> oa[to] += xa[from] : (to, from) -> oa[to] = xa[from];
            } else {
                // half: a copy moves bits; an accumulation adds in float32 and rounds each time, as PyTorch's scatter_add does
                short[] oa = ((CpuStorage.F16) o).a, xa = ((CpuStorage.F16) x).a;
                boolean bf16 = ((CpuStorage.F16) o).bf16;
                put = accumulate ? (to, from) -> oa[to] = Half.fromFloat(bf16, Half.toFloat(bf16, oa[to]) + Half.toFloat(bf16, xa[from]))
                        : (to, from) -> oa[to] = xa[from];
            }
            // row by row: self viewed with a 0-stride along dim gives each position's base, the index adds the offset
            long[] ia = ((CpuStorage.I64) ix).a;
            long[] flat = self.strides().clone();
            int along = (int) flat[dim];
            flat[dim] = 0;
            View bases = new View(self.storage(), index.shape(), flat, self.offset());
            View from = new View(src.storage(), index.shape(), src.strides(), src.offset());
            Strided.Row scatterRow = (b, n, st) -> {
                for (int j = 0; j < n; j++) {
                    long i = ia[b[0] + j * st[0]];
                    checkIndex(i, size, dim);
                    if (i < 0) i += size;
                    put.apply(b[1] + j * st[1] + (int) i * along, b[2] + j * st[2]);
                }
            };
            // rows in parallel when they cannot meet: positions that differ along the split dimension stay apart unless
            // that dimension is the one being indexed (max pooling's backward scatters [N, C, h*w] along its last
            // dimension); an element is four memory visits (index, source, and the target read and written)
            if (Strided.splitDimension(index.shape()) != dim) Strided.rowsParallel(index.shape(), 4, scatterRow, index, bases, from);
            else Strided.rows(index.shape(), scatterRow, index, bases, from);
            return;
        }
        boolean floating = self.dtype().isFloatingPoint();
        forEachIndexed(index, self, dim, (io, base, pos) -> {
            long i = ix.getL(io);
            checkIndex(i, size, dim);
            if (i < 0) i += size;
            int to = (int) (base + i * self.strides()[dim]);
            int from = (int) posOffset(src, pos);
            if (floating) o.setD(to, accumulate ? o.getD(to) + x.getD(from) : x.getD(from));
            else o.setL(to, accumulate ? o.getL(to) + x.getL(from) : x.getL(from));
        });
    }

    @Override
    public void indexAdd(View self, int dim, View index, View src) {
        int[] idxOff = Strided.offsets(index);
        CpuStorage ix = s(index);
        long size = self.dim() == 0 ? 1 : self.shape()[dim];
        for (int j = 0; j < idxOff.length; j++) {
            long i = ix.getL(idxOff[j]);
            checkIndex(i, size, dim);
            if (i < 0) i += size;
            View to = self.dim() == 0 ? self : Strided.select(self, dim, i);
            View from = src.dim() == 0 ? src : Strided.select(src, dim, j);
            binary(BinaryOp.ADD, to, from, to, self.dtype());
        }
    }

    @Override
    public long countNonzero(View in) {
        CpuStorage x = s(in);
        long[] c = new long[1];
        Strided.rows(in.shape(), (b, n, st) -> {
            for (int j = 0; j < n; j++) if (x.getD(b[0] + j * st[0]) != 0) c[0]++;
        }, in);
        return c[0];
    }

    @Override
    public void nonzero(View in, View out) {
        CpuStorage x = s(in);
        CpuStorage o = s(out);
        int r = in.dim();
        long[] pos = new long[r];
        long total = in.numel();
        int row = 0;
        for (long e = 0; e < total; e++) {
            if (x.getD((int) posOffset(in, pos)) != 0) {
                for (int d = 0; d < r; d++) o.setL((int) (out.offset() + row * out.strides()[0] + d * out.strides()[1]), pos[d]);
                row++;
            }
            for (int d = r - 1; d >= 0; d--) {
                if (++pos[d] < in.shape()[d]) break;
                pos[d] = 0;
            }
        }
    }

    @Override
    public void im2col(View in, Window2d w, View out) { Windows.im2col(in, w, out); }

    @Override
    public void col2im(View cols, Window2d w, View out) {
        if (!HalfOps.col2im(this, cols, w, out)) Windows.col2im(cols, w, out);
    }

    @Override
    public void maxPool2d(View in, Window2d w, View values, View indices) {
        if (!HalfOps.maxPool2d(this, in, w, values, indices)) Windows.maxPool2d(in, w, values, indices);
    }

    @Override
    public void maxPool2dBackward(View grad, View indices, View out) {
        boolean f32 = s(out) instanceof CpuStorage.F32 && s(grad) instanceof CpuStorage.F32;
        boolean half = HalfOps.isHalf(out.dtype()) && grad.dtype() == out.dtype();
        if (f32 || half) Windows.maxPool2dBackward(grad, indices, out);
        else TensorBackend.super.maxPool2dBackward(grad, indices, out);
    }

    @Override
    public void inverse(View in, View out) {
        int batch = (int) in.shape()[0];
        int n = (int) in.shape()[1];
        CpuStorage x = s(in);
        CpuStorage o = s(out);
        for (int bi = 0; bi < batch; bi++) {
            double[][] m = new double[n][2 * n];
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < n; j++) {
                    m[i][j] = x.getD((int) (in.offset() + bi * in.strides()[0] + i * in.strides()[1] + j * in.strides()[2]));
                }
                m[i][n + i] = 1;
            }
            for (int c = 0; c < n; c++) {
                int p = c;
                for (int i = c + 1; i < n; i++) if (Math.abs(m[i][c]) > Math.abs(m[p][c])) p = i;
                if (m[p][c] == 0) {
                    throw new ArithmeticException("linalg.inv: " + (batch > 1 ? "(Batch element " + bi + "): " : "") + "The diagonal element "
                            + (c + 1) + " is zero, the inversion could not be completed because the input matrix is singular.");
                }
                double[] tmp = m[p];
                m[p] = m[c];
                m[c] = tmp;
                double piv = m[c][c];
                for (int j = 0; j < 2 * n; j++) m[c][j] /= piv;
                for (int i = 0; i < n; i++) {
                    if (i == c || m[i][c] == 0) continue;
                    double f = m[i][c];
                    for (int j = 0; j < 2 * n; j++) m[i][j] -= f * m[c][j];
                }
            }
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < n; j++) {
                    o.setD((int) (out.offset() + bi * out.strides()[0] + i * out.strides()[1] + j * out.strides()[2]), m[i][n + j]);
                }
            }
        }
    }

}
