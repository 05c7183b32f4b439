package dev.kindling.backend.cuda;

import dev.kindling.api.Device;
import jcuda.Pointer;
import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUfunction;
import jcuda.driver.CUmodule;
import jcuda.driver.CUresult;
import jcuda.driver.CUstream;
import jcuda.driver.JCudaDriver;
import jcuda.jcublas.JCublas2;
import jcuda.jcublas.cublasHandle;
import jcuda.runtime.cudaStream_t;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One GPU: its primary context, the loaded PTX module, a stream on which every kernel and cuBLAS call runs in order,
 * the caching allocator, a cuBLAS handle where the library loads, and a small error word the kernels set for
 * conditions the host must report (integer division by zero and the like).
 */
class CudaDevice {
    static final String PTX_RESOURCE = "/dev/kindling/backend/cuda/kindling_kernels.ptx";
    /** Every kernel the Java code launches; the PTX must define each (checked by a test and at load). */
    static final List<String> KERNELS = List.of(
            "k_fill", "k_copy", "k_unary", "k_clamp", "k_binary", "k_binary_f32", "k_where",
            "k_reduce_part", "k_reduce_final", "k_argreduce", "k_matmul", "k_softmax",
            "k_index_check", "k_index_select", "k_gather", "k_scatter", "k_index_add",
            "k_count_nonzero", "k_nonzero_blocks", "k_nonzero_write",
            "k_im2col", "k_col2im", "k_maxpool2d", "k_inverse");
    static final int THREADS = 256;
    private static final int MAX_BLOCKS = 1 << 16;

    final int index;
    final Device device;
    final String name;
    final CachingAllocator<CUdeviceptr> allocator;
    private final PtxSignatures signatures;
    private final CUcontext context = new CUcontext();
    private final CUstream stream = new CUstream();
    private final Map<String, CUfunction> functions = new HashMap<>();
    private CUmodule module;
    private final CUdeviceptr errorWord;
    private cublasHandle cublas;
    private String cublasStatus;

    CudaDevice(int index, String name) {
        this.index = index;
        this.device = Device.of("cuda:" + index);
        this.name = name;
        byte[] image = ptx();
        this.signatures = PtxSignatures.parse(image);
        CUdevice d = new CUdevice();
        JCudaDriver.cuDeviceGet(d, index);
        JCudaDriver.cuDevicePrimaryCtxRetain(context, d);
        bind();
        module = new CUmodule();
        JCudaDriver.cuModuleLoadData(module, image);
        for (String k : KERNELS) {
            CUfunction f = new CUfunction();
            JCudaDriver.cuModuleGetFunction(f, module, k);
            functions.put(k, f);
        }
        JCudaDriver.cuStreamCreate(stream, 0); // a blocking stream: ordered with the synchronous copies too
        errorWord = new CUdeviceptr();
        JCudaDriver.cuMemAlloc(errorWord, 4);
        JCudaDriver.cuMemsetD8Async(errorWord, (byte) 0, 4, stream);
        allocator = new CachingAllocator<>(device.toString(), new CachingAllocator.DeviceMemory<>() {
            @Override
            public CUdeviceptr malloc(long bytes) {
                bind();
                CUdeviceptr p = new CUdeviceptr();
                try {
                    JCudaDriver.cuMemAlloc(p, bytes);
                } catch (jcuda.CudaException e) {
                    if (e.getMessage() != null && e.getMessage().contains(CUresult.stringFor(CUresult.CUDA_ERROR_OUT_OF_MEMORY))) return null;
                    throw e;
                }
                return p;
            }

            @Override
            public void free(CUdeviceptr p) {
                bind();
                JCudaDriver.cuCtxSynchronize(); // nothing queued may still use it
                JCudaDriver.cuMemFree(p);
            }
        });
        try {
            JCublas2.setExceptionsEnabled(true);
            cublasHandle h = new cublasHandle();
            JCublas2.cublasCreate(h);
            JCublas2.cublasSetStream(h, new cudaStream_t(stream));
            cublas = h;
            cublasStatus = "cuBLAS";
        } catch (LinkageError | RuntimeException e) {
            cublasStatus = "own tiled kernel (cuBLAS did not load: " + CudaProbe.firstLine(e) + ")";
        }
    }

    /**
     * A device that touches no driver (tests): launches are only checked against the PTX's signatures, copies do
     * nothing, memory comes from {@code memory}. Subclasses override the driver calls.
     */
    CudaDevice(int index, String name, CachingAllocator.DeviceMemory<CUdeviceptr> memory) {
        this.index = index;
        this.device = Device.of("cuda:" + index);
        this.name = name;
        this.signatures = PtxSignatures.parse(ptx());
        this.allocator = new CachingAllocator<>(device.toString(), memory);
        this.errorWord = allocator.allocate(4).handle; // zero-filled by the test devices
        this.cublasStatus = "none (no driver)";
    }

    static byte[] ptx() {
        try (InputStream in = CudaDevice.class.getResourceAsStream(PTX_RESOURCE)) {
            if (in == null) throw new IllegalStateException("the CUDA kernels " + PTX_RESOURCE + " are missing from the bundle");
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            in.transferTo(out);
            out.write(0); // cuModuleLoadData reads a NUL-terminated image
            return out.toByteArray();
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the CUDA kernels " + PTX_RESOURCE + ": " + e.getMessage(), e);
        }
    }

    /** Makes this device's context current on the calling thread (the driver keeps one per thread). */
    void bind() { JCudaDriver.cuCtxSetCurrent(context); }

    /** Whether cuBLAS loaded (else matmul uses the own tiled kernel). */
    boolean hasBlas() { return cublas != null; }

    /** Column-major strided batched GEMM through cuBLAS: {@code C = op(A) op(B)} for float32 or float64, on the stream. */
    void gemm(boolean f32, int transa, int transb, int m, int n, int k, Pointer a, int lda, long strideA,
              Pointer b, int ldb, long strideB, Pointer c, int ldc, long strideC, int batch) {
        if (f32) {
            JCublas2.cublasSgemmStridedBatched(cublas, transa, transb, m, n, k, Pointer.to(new float[] {1f}), a, lda, strideA,
                    b, ldb, strideB, Pointer.to(new float[] {0f}), c, ldc, strideC, batch);
        } else {
            JCublas2.cublasDgemmStridedBatched(cublas, transa, transb, m, n, k, Pointer.to(new double[] {1.0}), a, lda, strideA,
                    b, ldb, strideB, Pointer.to(new double[] {0.0}), c, ldc, strideC, batch);
        }
    }

    String matmulEngine() { return cublasStatus; }

    CUstream stream() { return stream; }

    /** Blocks for a grid-stride loop over {@code n} elements. */
    static int blocksFor(long n) { return (int) Math.max(1, Math.min(MAX_BLOCKS, (n + THREADS - 1) / THREADS)); }

    void launch(String kernel, long n, Object... args) {
        if (n <= 0) return;
        launchGrid(kernel, blocksFor(n), 1, 1, THREADS, 1, args);
    }

    /** Launches with an explicit grid, after checking the arguments against the kernel's PTX parameters; arguments: long[] (Geo), int[] (Win), Long, Integer, Double, CUdeviceptr. */
    void launchGrid(String kernel, int gx, int gy, int gz, int bx, int by, Object... args) {
        Pointer[] params = new Pointer[args.length];
        for (int i = 0; i < args.length; i++) {
            Object a = args[i];
            if (a instanceof long[]) params[i] = Pointer.to((long[]) a);
            else if (a instanceof int[]) params[i] = Pointer.to((int[]) a);
            else if (a instanceof Long) params[i] = Pointer.to(new long[] {(Long) a});
            else if (a instanceof Integer) params[i] = Pointer.to(new int[] {(Integer) a});
            else if (a instanceof Double) params[i] = Pointer.to(new double[] {(Double) a});
            else if (a instanceof Pointer) params[i] = Pointer.to((Pointer) a);
            else throw new IllegalArgumentException("unsupported kernel argument " + a);
        }
        signatures.check(kernel, args);
        launchNative(kernel, gx, gy, gz, bx, by, args, Pointer.to(params));
    }

    /** The driver call; {@code args} are the checked Java arguments that {@code params} points to. */
    void launchNative(String kernel, int gx, int gy, int gz, int bx, int by, Object[] args, Pointer params) {
        CUfunction f = functions.get(kernel);
        if (f == null) throw new IllegalStateException("kernel " + kernel + " is not loaded");
        JCudaDriver.cuLaunchKernel(f, gx, gy, gz, bx, by, 1, 0, stream, params, null);
    }

    void copyHtoD(CUdeviceptr dst, Pointer src, long bytes) {
        // cuMemcpyHtoD runs on the legacy default stream, which our blocking stream orders itself with.
        if (bytes > 0) JCudaDriver.cuMemcpyHtoD(dst, src, bytes);
    }

    void copyDtoH(Pointer dst, Pointer src, long bytes) {
        if (bytes > 0) JCudaDriver.cuMemcpyDtoH(dst, (CUdeviceptr) src, bytes);
    }

    void sync() { JCudaDriver.cuStreamSynchronize(stream); }

    /**
     * Releases what this device holds when the backend stops: the cached memory (blocks of tensors still reachable are
     * freed when they are collected), cuBLAS, the module and the stream. The primary context stays retained, so that
     * those late frees remain valid; the driver drops it at exit.
     */
    void close() {
        allocator.close();
        if (module == null) return; // a test device: nothing of the driver's to release
        bind();
        JCudaDriver.cuCtxSynchronize();
        if (cublas != null) JCublas2.cublasDestroy(cublas);
        cublas = null;
        JCudaDriver.cuModuleUnload(module);
        JCudaDriver.cuStreamDestroy(stream);
        JCudaDriver.cuMemFree(errorWord);
    }

    void zero(CUdeviceptr p, long bytes) {
        if (bytes > 0) JCudaDriver.cuMemsetD8Async(p, (byte) 0, bytes, stream);
    }

    /** The error word the last kernels set (0 = none), reset to 0. */
    int takeError() {
        int[] e = new int[1];
        copyDtoH(Pointer.to(e), errorWord, 4);
        if (e[0] != 0) zero(errorWord, 4);
        return e[0];
    }

    CUdeviceptr errorWord() { return errorWord; }
}
