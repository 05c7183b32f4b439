package dev.kindling.backend.cuda;

import dev.kindling.api.DType;
import dev.kindling.api.Device;
import dev.kindling.kernel.spi.Availability;
import dev.kindling.kernel.spi.BackendDiagnostics;
import dev.kindling.kernel.spi.BinaryOp;
import dev.kindling.kernel.spi.ReduceOp;
import dev.kindling.kernel.spi.Storage;
import dev.kindling.kernel.spi.TensorBackend;
import dev.kindling.kernel.spi.UnaryOp;
import dev.kindling.kernel.spi.View;
import dev.kindling.kernel.spi.Window2d;
import jcuda.Pointer;
import jcuda.driver.CUdeviceptr;
import jcuda.jcublas.cublasOperation;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The CUDA backend: every primitive of the backend SPI as a PTX kernel (src/main/cuda/kindling_kernels.cu) on
 * JCuda, float32/float64 matmul through cuBLAS where its library loads. Where there is no driver or no suitable GPU
 * it registers anyway and reports itself unavailable with the reason, so the rest of the platform is unaffected.
 *
 * <p>Semantics follow the CPU backend element for element (the conformance test compares the two); floating sums
 * accumulate in double, in a different order than on the CPU, so reductions agree to rounding of the last bit.
 */
@Component(service = TensorBackend.class)
public class CudaBackend implements TensorBackend, BackendDiagnostics {
    public static final String NAME = "cuda-jcuda";
    private static final Set<UnaryOp> INTEGER_UNARY = EnumSet.of(UnaryOp.NEG, UnaryOp.ABS, UnaryOp.SIGN, UnaryOp.RELU,
            UnaryOp.FLOOR, UnaryOp.CEIL, UnaryOp.ROUND, UnaryOp.TRUNC, UnaryOp.SQUARE);
    /** The ops of k_binary_f32, the contiguous float32 fast path (its switch in kindling_kernels.cu). */
    private static final Set<BinaryOp> F32_FAST_BINARY = EnumSet.of(BinaryOp.ADD, BinaryOp.SUB, BinaryOp.MUL, BinaryOp.DIV);
    private static final long LL_MAX = Long.MAX_VALUE;

    private final CudaProbe probe;
    private final CudaDevice[] devices;
    private final java.util.function.IntFunction<CudaDevice> deviceFactory;
    private volatile String initFailure;

    public CudaBackend() {
        this(CudaProbe.run(), null);
    }

    /** For tests: a given probe result and, where non-null, devices made by {@code deviceFactory} instead of the driver. */
    CudaBackend(CudaProbe probe, java.util.function.IntFunction<CudaDevice> deviceFactory) {
        this.probe = probe;
        this.devices = new CudaDevice[probe.gpus.size()];
        this.deviceFactory = deviceFactory;
    }

    /** The bundle stops or updates: give the GPU memory and driver objects back; never throws. */
    @Deactivate
    void deactivate() {
        synchronized (devices) {
            for (int i = 0; i < devices.length; i++) {
                if (devices[i] == null) continue;
                try {
                    devices[i].close();
                } catch (LinkageError | RuntimeException e) {
                    // Nothing more to do for a device whose driver fails; the process keeps going.
                }
                devices[i] = null;
            }
            initFailure = "the CUDA backend was stopped";
        }
    }

    @Override public String name() { return NAME; }
    @Override public String deviceType() { return "cuda"; }
    @Override public int rank() { return 100; }
    @Override public String version() { return "0.1.0"; }

    @Override
    public Availability availability() {
        if (!probe.available) return Availability.no(probe.reason);
        if (initFailure != null) return Availability.no(initFailure);
        return new Availability(true, probe.reason);
    }

    @Override
    public List<Device> devices() {
        if (!availability().available()) return List.of();
        List<Device> out = new ArrayList<>();
        for (CudaProbe.Gpu g : probe.gpus) out.add(Device.of("cuda:" + g.index()));
        return out;
    }

    /**
     * Memory figures of one device, for {@code kindling:backends} and diagnostics: bytes allocated to tensors,
     * reserved from the device (allocated + cached), peak allocated, device allocations and cache hits. Empty where
     * the device was not used yet or the backend is unavailable.
     */
    public Map<String, Long> memoryStats(Device device) {
        Map<String, Long> m = new LinkedHashMap<>();
        int i = device.index() < 0 ? 0 : device.index();
        if (!device.isCuda() || i >= devices.length) return m;
        CudaDevice d;
        synchronized (devices) { d = devices[i]; }
        if (d == null) return m;
        CachingAllocator<CUdeviceptr> a = d.allocator;
        m.put("allocated", a.allocatedBytes());
        m.put("reserved", a.reservedBytes());
        m.put("peakAllocated", a.peakAllocatedBytes());
        m.put("deviceAllocations", a.deviceAllocations());
        m.put("cacheHits", a.cacheHits());
        return m;
    }

    /** For {@code kindling:backends}: one line per GPU with its name, total memory and, once used, the allocator's figures. */
    @Override
    public List<String> diagnostics() { return details(); }

    /** One line per device: name, total memory, bytes allocated and reserved by the caching allocator, matmul engine. */
    public List<String> details() {
        List<String> out = new ArrayList<>();
        for (CudaProbe.Gpu g : probe.gpus) {
            CudaDevice d;
            synchronized (devices) { d = devices[g.index()]; }
            String mem = d == null ? "not used yet"
                    : "allocated " + CachingAllocator.mib(d.allocator.allocatedBytes()) + ", reserved "
                    + CachingAllocator.mib(d.allocator.reservedBytes()) + ", matmul: " + d.matmulEngine();
            out.add("cuda:" + g.index() + " " + g.name() + " (" + CachingAllocator.mib(g.totalMemory()) + "): " + mem);
        }
        return out;
    }

    /** Gives every cached, unused block of {@code device} back to the driver ({@code torch.cuda.empty_cache()}). */
    public long emptyCache(Device device) {
        CudaDevice d = device(device);
        return d.allocator.emptyCache();
    }

    // ---- devices and storages ----

    private CudaDevice device(Device device) {
        if (!device.isCuda()) throw new IllegalArgumentException("the CUDA backend cannot hold tensors on device '" + device + "'");
        Availability a = availability();
        if (!a.available()) throw new IllegalStateException("CUDA is not available: " + a.reason());
        int i = device.index() < 0 ? 0 : device.index();
        if (i >= devices.length) {
            throw new IllegalArgumentException("CUDA device '" + device + "' does not exist; this machine has " + devices().toString());
        }
        synchronized (devices) {
            if (devices[i] == null) {
                try {
                    devices[i] = deviceFactory != null ? deviceFactory.apply(i) : new CudaDevice(i, probe.gpus.get(i).name());
                } catch (LinkageError | RuntimeException e) {
                    initFailure = "cuda:" + i + " could not be initialised: " + CudaProbe.firstLine(e);
                    throw new IllegalStateException(initFailure, e);
                }
            }
            devices[i].bind();
            return devices[i];
        }
    }

    private static CudaStorage st(View v) {
        if (!(v.storage() instanceof CudaStorage)) {
            throw new IllegalArgumentException("the CUDA backend was given a tensor on device '" + v.storage().device()
                    + "' (" + v.dtype().torchName() + "); move it with .cuda() or .to(Device.CUDA) first");
        }
        return (CudaStorage) v.storage();
    }

    /** The device all views live on (bound to this thread), or PyTorch's error naming two devices. */
    private CudaDevice on(String op, View... views) {
        CudaDevice d = null;
        for (View v : views) {
            if (v.storage() instanceof CudaStorage) {
                d = ((CudaStorage) v.storage()).dev;
                break;
            }
        }
        if (d == null) {
            throw new IllegalArgumentException("the CUDA backend was given no CUDA tensor (in " + op + "): the tensor is on device '"
                    + views[0].storage().device() + "'; move it with .cuda() or .to(Device.CUDA) first");
        }
        for (View v : views) {
            Device other = v.storage().device();
            if (!other.equals(d.device) || !(v.storage() instanceof CudaStorage)) {
                throw new IllegalArgumentException("Expected all tensors to be on the same device, but found at least two devices, "
                        + d.device + " and " + other + "! (in " + op + ")");
            }
        }
        d.bind();
        return d;
    }

    // Codes passed to the kernels: the enums' ordinals, which src/main/cuda/kindling_ops.h names (generated from the
    // enums by OpCodesHeader in the tests, and checked against them by OpCodesHeaderTest).
    private static int code(DType t) { return t.ordinal(); }

    private static int code(UnaryOp op) { return op.ordinal(); }

    private static int code(BinaryOp op) { return op.ordinal(); }

    private static int code(ReduceOp op) { return op.ordinal(); }

    private static long bytes(DType t, long numel) { return numel * t.itemSize(); }

    private static CUdeviceptr ptr(View v) { return st(v).ptr(); }

    /** A temporary device buffer, returned to the cache by close() (stream order keeps reuse safe). */
    private static final class Temp implements AutoCloseable {
        final CudaDevice dev;
        final CachingAllocator.Block<CUdeviceptr> block;

        Temp(CudaDevice dev, long bytes) {
            this.dev = dev;
            this.block = dev.allocator.allocate(bytes);
        }

        CUdeviceptr ptr() { return block.handle; }

        @Override public void close() { dev.allocator.release(block); }
    }

    // ---- storage ----

    @Override
    public Storage allocate(Device device, DType dtype, long numel) {
        CudaDevice d = device(device);
        if (numel < 0) throw new IllegalArgumentException("negative number of elements " + numel);
        CachingAllocator.Block<CUdeviceptr> b = d.allocator.allocate(bytes(dtype, numel));
        d.zero(b.handle, bytes(dtype, numel));
        return new CudaStorage(d, dtype, numel, b, true);
    }

    @Override
    public Storage fromHost(Device device, DType dtype, Object host) {
        CudaDevice d = device(device);
        Object arr = HostArrays.toDeviceLayout(dtype, host);
        int n = java.lang.reflect.Array.getLength(arr);
        CachingAllocator.Block<CUdeviceptr> b = d.allocator.allocate(bytes(dtype, n));
        d.copyHtoD(b.handle, hostPointer(arr), bytes(dtype, n));
        return new CudaStorage(d, dtype, n, b, true);
    }

    private static Pointer hostPointer(Object a) {
        if (a instanceof float[]) return Pointer.to((float[]) a);
        if (a instanceof double[]) return Pointer.to((double[]) a);
        if (a instanceof long[]) return Pointer.to((long[]) a);
        if (a instanceof int[]) return Pointer.to((int[]) a);
        if (a instanceof short[]) return Pointer.to((short[]) a);
        return Pointer.to((byte[]) a);
    }

    @Override
    public Object toHost(View src) {
        CudaDevice d = on("to", src);
        DType t = src.dtype();
        long n = src.numel();
        if (n > Integer.MAX_VALUE - 8) throw new IllegalArgumentException("cannot copy " + n + " elements into one Java array");
        Object arr = HostArrays.allocate(t, (int) n);
        if (n == 0) return HostArrays.toHostType(t, arr);
        if (src.isContiguous()) {
            d.copyDtoH(hostPointer(arr), ptr(src).withByteOffset(bytes(t, src.offset())), bytes(t, n));
        } else {
            // Gathered into a dense temporary first: one copy over the bus instead of one per element run.
            try (Temp tmp = new Temp(d, bytes(t, n))) {
                copy(src, new View(tempStorage(d, t, n, tmp), src.shape(), contiguous(src.shape()), 0));
                d.copyDtoH(hostPointer(arr), tmp.ptr(), bytes(t, n));
            }
        }
        return HostArrays.toHostType(t, arr);
    }

    static long[] contiguous(long[] shape) {
        long[] s = new long[shape.length];
        long acc = 1;
        for (int d = shape.length - 1; d >= 0; d--) {
            s[d] = acc;
            acc *= Math.max(1, shape[d]);
        }
        return s;
    }

    @Override
    public void fill(View out, double value) {
        CudaDevice d = on("fill", out);
        long n = out.numel();
        d.launch("k_fill", n, Geo.of(out.shape(), out), n, code(out.dtype()), value, (long) value, ptr(out));
    }

    @Override
    public void copy(View src, View dst) {
        CudaDevice d = on("copy", src, dst);
        long n = dst.numel();
        d.launch("k_copy", n, Geo.of(dst.shape(), src, dst), n, code(src.dtype()), code(dst.dtype()), ptr(src), ptr(dst));
    }

    @Override
    public void unary(UnaryOp op, View in, View out) {
        CudaDevice d = on(op.name().toLowerCase(), in, out);
        if (!op.isPredicate() && !out.dtype().isFloatingPoint() && !INTEGER_UNARY.contains(op)) {
            throw new IllegalArgumentException("\"" + op.name().toLowerCase() + "\" is not implemented for integer tensors");
        }
        long n = out.numel();
        d.launch("k_unary", n, Geo.of(out.shape(), in, out), n, code(op), code(in.dtype()), code(out.dtype()), ptr(in), ptr(out));
    }

    @Override
    public void clamp(View in, double min, double max, View out) {
        CudaDevice d = on("clamp", in, out);
        long n = out.numel();
        d.launch("k_clamp", n, Geo.of(out.shape(), in, out), n, code(in.dtype()), code(out.dtype()), min, max, ptr(in), ptr(out));
    }

    @Override
    public void binary(BinaryOp op, View a, View b, View out, DType compute) {
        CudaDevice d = on(op.name().toLowerCase(), a, b, out);
        long n = out.numel();
        if (n == 0) return;
        if (compute == DType.FLOAT32 && F32_FAST_BINARY.contains(op) && a.dtype() == DType.FLOAT32
                && b.dtype() == DType.FLOAT32 && out.dtype() == DType.FLOAT32 && out.isContiguous()
                && denseOrScalar(a) && denseOrScalar(b)) {
            d.launch("k_binary_f32", n, n, code(op), offsetPtr(a), a.isContiguous() ? 1L : 0L,
                    offsetPtr(b), b.isContiguous() ? 1L : 0L, offsetPtr(out));
            return;
        }
        d.launch("k_binary", n, Geo.of(out.shape(), a, b, out), n, code(op), code(a.dtype()), code(b.dtype()),
                code(out.dtype()), code(compute), ptr(a), ptr(b), ptr(out), d.errorWord());
        if (!compute.isFloatingPoint() && (op == BinaryOp.DIV || op == BinaryOp.REMAINDER || op == BinaryOp.POW)) {
            switch (d.takeError()) {
                case 1: throw new ArithmeticException("ZeroDivisionError: integer division by zero");
                case 2: throw new ArithmeticException("ZeroDivisionError: integer remainder by zero");
                case 3: throw new IllegalArgumentException("Integers to negative integer powers are not allowed.");
                default: break;
            }
        }
    }

    private static boolean denseOrScalar(View v) {
        if (v.isContiguous()) return true;
        for (long s : v.strides()) if (s != 0) return false;
        return true;
    }

    private static Pointer offsetPtr(View v) { return ptr(v).withByteOffset(bytes(v.dtype(), v.offset())); }

    @Override
    public void where(View condition, View a, View b, View out) {
        CudaDevice d = on("where", condition, a, b, out);
        long n = out.numel();
        d.launch("k_where", n, Geo.of(out.shape(), condition, a, b, out), n, code(condition.dtype()), code(a.dtype()),
                code(b.dtype()), code(out.dtype()), ptr(condition), ptr(a), ptr(b), ptr(out));
    }

    // ---- reductions ----

    @Override
    public void reduce(ReduceOp op, View in, int[] dims, View out) {
        CudaDevice d = on(op.name().toLowerCase(), in, out);
        int r = in.dim();
        boolean[] reduced = new boolean[r];
        for (int x : dims) reduced[x] = true;
        int kept = r - dims.length;
        long[] outerShape = new long[kept];
        long[] outerIn = new long[kept];
        long[] outerOut = new long[kept];
        long[] innerShape = new long[dims.length];
        long[] innerIn = new long[dims.length];
        for (int a = 0, k = 0; a < r; a++) {
            if (reduced[a]) continue;
            outerShape[k] = in.shape()[a];
            outerIn[k] = in.strides()[a];
            outerOut[k++] = out.strides()[a];
        }
        for (int j = 0; j < dims.length; j++) {
            innerShape[j] = in.shape()[dims[j]];
            innerIn[j] = in.strides()[dims[j]];
        }
        long nOuter = Geo.numel(outerShape);
        long nInner = Geo.numel(innerShape);
        if (nOuter == 0) return;
        long splits = Math.max(1, Math.min((nInner + 4095) / 4096, Math.max(1, 4096 / nOuter)));
        long blocks = nOuter * splits;
        checkGrid(blocks, "reduction");
        long[] gOuterIn = Geo.collapsed(outerShape, new long[][] {outerIn}, new long[] {in.offset()});
        long[] gOuterOut = Geo.collapsed(outerShape, new long[][] {outerOut}, new long[] {out.offset()});
        long[] gInner = Geo.collapsed(innerShape, new long[][] {innerIn}, new long[] {0});
        try (Temp part = new Temp(d, blocks * 8)) {
            d.launchGrid("k_reduce_part", (int) blocks, 1, 1, CudaDevice.THREADS, 1, gOuterIn, gInner, nInner, splits, code(op),
                    code(in.dtype()), ptr(in), part.ptr());
            d.launch("k_reduce_final", nOuter, gOuterOut, nOuter, splits, code(op), code(in.dtype()), code(out.dtype()),
                    part.ptr(), ptr(out));
        }
    }

    private static void checkGrid(long blocks, String what) {
        if (blocks > Integer.MAX_VALUE) throw new IllegalArgumentException("the CUDA " + what + " needs " + blocks + " blocks, more than a grid holds");
    }

    /** Geometry over all dims of {@code ref} but {@code dim}, for views that share its shape there. */
    private static long[] outerGeo(View ref, int dim, View... views) {
        int r = ref.dim();
        long[] shape = new long[Math.max(0, r - 1)];
        long[][] st = new long[views.length][Math.max(0, r - 1)];
        long[] offs = new long[views.length];
        for (int a = 0, k = 0; a < r; a++) {
            if (a == dim) continue;
            shape[k] = ref.shape()[a];
            for (int v = 0; v < views.length; v++) st[v][k] = views[v].strides()[a];
            k++;
        }
        for (int v = 0; v < views.length; v++) offs[v] = views[v].offset();
        return Geo.collapsed(shape, st, offs);
    }

    private static long outerCount(View ref, int dim) {
        long n = 1;
        for (int a = 0; a < ref.dim(); a++) if (a != dim) n *= ref.shape()[a];
        return n;
    }

    @Override
    public void argReduce(boolean max, View in, int dim, View values, View indices) {
        CudaDevice d = on(max ? "argmax" : "argmin", in, values, indices);
        long nOuter = outerCount(in, dim);
        if (nOuter == 0) return;
        checkGrid(nOuter, "argmax/argmin");
        long len = in.dim() == 0 ? 1 : in.shape()[dim];
        long stride = in.dim() == 0 ? 0 : in.strides()[dim];
        d.launchGrid("k_argreduce", (int) nOuter, 1, 1, CudaDevice.THREADS, 1, outerGeo(in, dim, in, values, indices), len, stride,
                max ? 1 : 0, code(in.dtype()), code(values.dtype()), ptr(in), ptr(values), ptr(indices));
    }

    @Override
    public void softmax(View in, int dim, boolean log, View out) {
        CudaDevice d = on(log ? "log_softmax" : "softmax", in, out);
        long nOuter = outerCount(in, dim);
        if (nOuter == 0 || in.numel() == 0) return;
        checkGrid(nOuter, "softmax");
        long len = in.dim() == 0 ? 1 : in.shape()[dim];
        long si = in.dim() == 0 ? 0 : in.strides()[dim];
        long so = out.dim() == 0 ? 0 : out.strides()[dim];
        d.launchGrid("k_softmax", (int) nOuter, 1, 1, CudaDevice.THREADS, 1, outerGeo(in, dim, in, out), len, si, so, log ? 1 : 0,
                code(in.dtype()), code(out.dtype()), ptr(in), ptr(out));
    }

    // ---- matmul ----

    @Override
    public void matmul(View a, View b, View out) {
        CudaDevice d = on("matmul", a, b, out);
        long batch = out.shape()[0];
        long m = a.shape()[1];
        long k = a.shape()[2];
        long n = b.shape()[2];
        if (batch == 0 || m == 0 || n == 0) return;
        DType t = out.dtype();
        if (d.hasBlas() && (t == DType.FLOAT32 || t == DType.FLOAT64) && a.dtype() == t && b.dtype() == t
                && Math.max(Math.max(m, n), Math.max(k, batch)) < Integer.MAX_VALUE / 2 && cublas(d, a, b, out, batch, m, k, n)) {
            return;
        }
        int gy = (int) Math.min((m + 15) / 16, 65535);
        int gz = (int) Math.min(batch, 65535);
        checkGrid((n + 15) / 16, "matmul");
        d.launchGrid("k_matmul", (int) ((n + 15) / 16), gy, gz, 16, 16, batch, m, n, k,
                code(a.dtype()), code(b.dtype()), code(t),
                ptr(a), a.offset(), a.strides()[0], a.strides()[1], a.strides()[2],
                ptr(b), b.offset(), b.strides()[0], b.strides()[1], b.strides()[2],
                ptr(out), out.offset(), out.strides()[0], out.strides()[1], out.strides()[2]);
    }

    /** How cuBLAS can read a [rows, cols] matrix in place: row-major (ld = row stride) or transposed; null if neither. */
    private record Layout(boolean rowMajor, long ld) {}

    private static Layout layout(long rows, long cols, long s1, long s2) {
        if (cols == 1 || s2 == 1) {
            long ld = rows == 1 ? Math.max(1, cols) : s1;
            if (ld >= Math.max(1, cols)) return new Layout(true, ld);
        }
        if (rows == 1 || s1 == 1) {
            long ld = cols == 1 ? Math.max(1, rows) : s2;
            if (ld >= Math.max(1, rows)) return new Layout(false, ld);
        }
        return null;
    }

    /**
     * Row-major C = A B through column-major cuBLAS as C^T = B^T A^T; operands cuBLAS cannot read in place are copied
     * to dense buffers first. Returns false only where the shapes exceed cuBLAS's int arguments.
     */
    private boolean cublas(CudaDevice d, View a, View b, View out, long batch, long m, long k, long n) {
        DType t = out.dtype();
        List<Temp> temps = new ArrayList<>();
        try {
            View av = denseIfNeeded(d, a, layout(m, k, a.strides()[1], a.strides()[2]), temps);
            View bv = denseIfNeeded(d, b, layout(k, n, b.strides()[1], b.strides()[2]), temps);
            Layout la = layout(m, k, av.strides()[1], av.strides()[2]);
            Layout lb = layout(k, n, bv.strides()[1], bv.strides()[2]);
            Layout lo = layout(m, n, out.strides()[1], out.strides()[2]);
            // Fresh outputs are dense; anything else is computed into a dense buffer and copied.
            boolean outInPlace = out.isContiguous() && lo != null && lo.rowMajor();
            View ov = out;
            if (!outInPlace) {
                Temp tmp = new Temp(d, bytes(t, batch * m * n));
                temps.add(tmp);
                long[] shape = {batch, m, n};
                ov = new View(tempStorage(d, t, batch * m * n, tmp), shape, contiguous(shape), 0);
                lo = new Layout(true, n);
            }
            long lda = Math.max(la.ld(), 1);
            long ldb = Math.max(lb.ld(), 1);
            if (lda > Integer.MAX_VALUE || ldb > Integer.MAX_VALUE || lo.ld() > Integer.MAX_VALUE || batch > Integer.MAX_VALUE) return false;
            int opB = lb.rowMajor() ? cublasOperation.CUBLAS_OP_N : cublasOperation.CUBLAS_OP_T;
            int opA = la.rowMajor() ? cublasOperation.CUBLAS_OP_N : cublasOperation.CUBLAS_OP_T;
            Pointer pa = offsetPtr(av);
            Pointer pb = offsetPtr(bv);
            Pointer po = offsetPtr(ov);
            d.gemm(t == DType.FLOAT32, opB, opA, (int) n, (int) m, (int) k, pb, (int) ldb, bv.strides()[0], pa, (int) lda, av.strides()[0],
                    po, (int) lo.ld(), ov.strides()[0], (int) batch);
            if (ov != out) copy(ov, out);
            return true;
        } finally {
            for (Temp tmp : temps) tmp.close();
        }
    }

    private View denseIfNeeded(CudaDevice d, View v, Layout l, List<Temp> temps) {
        if (l != null) return v;
        long n = v.numel();
        Temp tmp = new Temp(d, bytes(v.dtype(), n));
        temps.add(tmp);
        View dense = new View(tempStorage(d, v.dtype(), n, tmp), v.shape(), contiguous(v.shape()), 0);
        copy(v, dense);
        return dense;
    }

    /** A storage over a temporary block (not registered with the cleaner: the Temp returns it). */
    private static CudaStorage tempStorage(CudaDevice d, DType t, long numel, Temp tmp) {
        return new CudaStorage(d, t, numel, tmp.block, false);
    }

    // ---- indexing ----

    /** Throws PyTorch's error for the first index outside [-size, size), if any. */
    private void checkIndices(CudaDevice d, View index, long size, boolean selectWording, int dim) {
        long n = index.numel();
        if (n == 0) return;
        try (Temp bad = new Temp(d, 8)) {
            d.copyHtoD(bad.ptr(), Pointer.to(new long[] {LL_MAX}), 8);
            d.launch("k_index_check", n, Geo.of(index.shape(), index), n, code(index.dtype()), ptr(index), size, bad.ptr());
            long[] pos = {LL_MAX};
            d.copyDtoH(Pointer.to(pos), bad.ptr(), 8);
            if (pos[0] == LL_MAX) return;
            long value = ((Number) java.lang.reflect.Array.get(toHost(elementAt(index, pos[0])), 0)).longValue();
            if (selectWording) {
                throw new IndexOutOfBoundsException("index out of range in self: index " + value + " for dimension " + dim + " with size " + size);
            }
            throw new IndexOutOfBoundsException("index " + value + " is out of bounds for dimension " + dim + " with size " + size);
        }
    }

    /** The 0-dim view of the element at row-major position {@code pos}. */
    private static View elementAt(View v, long pos) {
        long off = v.offset();
        for (int dd = v.dim() - 1; dd >= 0; dd--) {
            long s = v.shape()[dd];
            off += (pos % s) * v.strides()[dd];
            pos /= s;
        }
        return new View(v.storage(), new long[0], new long[0], off);
    }

    private static long[] withZero(long[] strides, int dim) {
        long[] s = strides.clone();
        if (dim < s.length) s[dim] = 0;
        return s;
    }

    @Override
    public void indexSelect(View src, int dim, View index, View out) {
        CudaDevice d = on("index_select", src, index, out);
        long size = src.shape()[dim];
        checkIndices(d, index, size, true, dim);
        long n = out.numel();
        long is = index.dim() == 0 ? 0 : index.strides()[0];
        long[] g = Geo.pack(out.shape(), new long[][] {out.strides(), withZero(src.strides(), dim)}, new long[] {out.offset(), src.offset()});
        d.launch("k_index_select", n, g, n, dim, src.dtype().itemSize(), src.strides()[dim], size, ptr(index), code(index.dtype()),
                index.offset(), is, ptr(src), ptr(out));
    }

    @Override
    public void gather(View src, int dim, View index, View out) {
        CudaDevice d = on("gather", src, index, out);
        long size = src.shape()[dim];
        checkIndices(d, index, size, false, dim);
        requireSameDtype("gather", src, out);
        long n = index.numel();
        long[] g = Geo.pack(index.shape(), new long[][] {index.strides(), withZero(src.strides(), dim), out.strides()},
                new long[] {index.offset(), src.offset(), out.offset()});
        d.launch("k_gather", n, g, n, src.strides()[dim], size, code(index.dtype()), src.dtype().itemSize(), ptr(index), ptr(src), ptr(out));
    }

    private static void requireSameDtype(String op, View a, View b) {
        if (a.dtype() != b.dtype()) {
            throw new IllegalArgumentException(op + "(): expected " + a.dtype().torchName() + " and " + b.dtype().torchName() + " to match");
        }
    }

    @Override
    public void scatter(View self, int dim, View index, View src, boolean accumulate) {
        CudaDevice d = on(accumulate ? "scatter_add" : "scatter", self, index, src);
        long size = self.shape()[dim];
        checkIndices(d, index, size, false, dim);
        long n = index.numel();
        long[] g = Geo.pack(index.shape(), new long[][] {index.strides(), withZero(self.strides(), dim), src.strides()},
                new long[] {index.offset(), self.offset(), src.offset()});
        d.launch("k_scatter", n, g, n, self.strides()[dim], size, code(index.dtype()), code(self.dtype()), code(src.dtype()),
                accumulate ? 1 : 0, ptr(index), ptr(self), ptr(src));
    }

    @Override
    public void indexAdd(View self, int dim, View index, View src) {
        CudaDevice d = on("index_add", self, index, src);
        long size = self.dim() == 0 ? 1 : self.shape()[dim];
        checkIndices(d, index, size, false, dim);
        long len = index.numel();
        // A 0-dim src is added once per index; a 0-dim self receives every slice.
        long[] shape = src.dim() == 0 ? new long[] {len} : src.shape();
        long[] srcStrides = src.dim() == 0 ? new long[] {0} : src.strides();
        int r = shape.length;
        long[] selfStrides = self.dim() == 0 ? new long[r] : withZero(self.strides(), dim);
        long selfDimStride = self.dim() == 0 ? 0 : self.strides()[dim];
        int kdim = src.dim() == 0 ? 0 : dim;
        long n = Geo.numel(shape);
        long is = index.dim() == 0 ? 0 : index.strides()[0];
        long[] g = Geo.pack(shape, new long[][] {srcStrides, selfStrides}, new long[] {src.offset(), self.offset()});
        d.launch("k_index_add", n, g, n, kdim, selfDimStride, size, ptr(index), code(index.dtype()), index.offset(), is,
                code(self.dtype()), code(src.dtype()), ptr(self), ptr(src));
    }

    @Override
    public long countNonzero(View in) {
        CudaDevice d = on("count_nonzero", in);
        long n = in.numel();
        if (n == 0) return 0;
        try (Temp c = new Temp(d, 8)) {
            d.zero(c.ptr(), 8);
            d.launch("k_count_nonzero", n, Geo.of(in.shape(), in), n, code(in.dtype()), ptr(in), c.ptr());
            long[] out = new long[1];
            d.copyDtoH(Pointer.to(out), c.ptr(), 8);
            return out[0];
        }
    }

    @Override
    public void nonzero(View in, View out) {
        CudaDevice d = on("nonzero", in, out);
        long n = in.numel();
        if (n == 0) return;
        long per = (long) CudaDevice.THREADS * 4;
        long blocks = (n + per - 1) / per;
        checkGrid(blocks, "nonzero");
        // Coordinates are in the input's own dims, so its geometry is not merged.
        long[] g = Geo.pack(in.shape(), new long[][] {in.strides()}, new long[] {in.offset()});
        try (Temp counts = new Temp(d, blocks * 8); Temp starts = new Temp(d, blocks * 8)) {
            d.launchGrid("k_nonzero_blocks", (int) blocks, 1, 1, CudaDevice.THREADS, 1, g, n, code(in.dtype()), ptr(in), counts.ptr());
            long[] c = new long[(int) blocks];
            d.copyDtoH(Pointer.to(c), counts.ptr(), blocks * 8);
            long acc = 0;
            for (int i = 0; i < c.length; i++) {
                long v = c[i];
                c[i] = acc;
                acc += v;
            }
            d.copyHtoD(starts.ptr(), Pointer.to(c), blocks * 8);
            long os1 = out.dim() > 1 ? out.strides()[1] : 0;
            d.launchGrid("k_nonzero_write", (int) blocks, 1, 1, CudaDevice.THREADS, 1, g, n, code(in.dtype()), ptr(in), starts.ptr(),
                    ptr(out), out.offset(), out.strides()[0], os1);
        }
    }

    // ---- sliding windows ----

    private static int[] win(Window2d w) {
        return new int[] {w.kh(), w.kw(), w.sh(), w.sw(), w.ph(), w.pw(), w.dh(), w.dw(), w.oh(), w.ow()};
    }

    @Override
    public void im2col(View in, Window2d w, View out) {
        CudaDevice d = on("im2col", in, out);
        requireSameDtype("im2col", in, out);
        long[] s = in.shape();
        long n = out.numel();
        long[] is = in.strides();
        long[] os = out.strides();
        d.launch("k_im2col", n, win(w), s[0], s[1], s[2], s[3], in.dtype().itemSize(),
                ptr(in), in.offset(), is[0], is[1], is[2], is[3], ptr(out), out.offset(), os[0], os[1], os[2]);
    }

    @Override
    public void col2im(View cols, Window2d w, View out) {
        CudaDevice d = on("col2im", cols, out);
        requireSameDtype("col2im", cols, out);
        long[] s = out.shape();
        long n = out.numel();
        long[] cs = cols.strides();
        long[] os = out.strides();
        d.launch("k_col2im", n, win(w), s[0], s[1], s[2], s[3], code(out.dtype()),
                ptr(cols), cols.offset(), cs[0], cs[1], cs[2], ptr(out), out.offset(), os[0], os[1], os[2], os[3]);
    }

    @Override
    public void maxPool2d(View in, Window2d w, View values, View indices) {
        CudaDevice d = on("max_pool2d", in, values, indices);
        requireSameDtype("max_pool2d", in, values);
        long[] s = in.shape();
        long n = values.numel();
        long[] is = in.strides();
        long[] vs = values.strides();
        long[] xs = indices.strides();
        d.launch("k_maxpool2d", n, win(w), s[0], s[1], s[2], s[3], code(in.dtype()),
                ptr(in), in.offset(), is[0], is[1], is[2], is[3],
                ptr(values), values.offset(), vs[0], vs[1], vs[2], vs[3],
                ptr(indices), indices.offset(), xs[0], xs[1], xs[2], xs[3]);
    }

    // ---- linear algebra ----

    @Override
    public void inverse(View in, View out) {
        CudaDevice d = on("inverse", in, out);
        long batch = in.shape()[0];
        long n = in.shape()[1];
        if (batch == 0 || n == 0) return;
        try (Temp work = new Temp(d, batch * n * 2 * n * 8); Temp factors = new Temp(d, batch * n * 8);
             Temp singular = new Temp(d, batch * 4)) {
            d.zero(singular.ptr(), batch * 4);
            d.launchGrid("k_inverse", (int) Math.min(batch, 65535), 1, 1, CudaDevice.THREADS, 1, batch, n, code(in.dtype()), code(out.dtype()),
                    ptr(in), in.offset(), in.strides()[0], in.strides()[1], in.strides()[2],
                    ptr(out), out.offset(), out.strides()[0], out.strides()[1], out.strides()[2],
                    work.ptr(), factors.ptr(), singular.ptr());
            if (batch > Integer.MAX_VALUE) throw new IllegalArgumentException("too many matrices: " + batch);
            int[] flags = new int[(int) batch];
            d.copyDtoH(Pointer.to(flags), singular.ptr(), batch * 4);
            for (int bi = 0; bi < flags.length; bi++) {
                if (flags[bi] != 0) {
                    throw new ArithmeticException("linalg.inv: " + (batch > 1 ? "(Batch element " + bi + "): " : "") + "The diagonal element "
                            + flags[bi] + " is zero, the inversion could not be completed because the input matrix is singular.");
                }
            }
        }
    }

    @Override
    public String toString() { return NAME + " (" + availability().reason() + ")"; }
}
