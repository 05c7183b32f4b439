package dev.kindling.backend.cuda;

import jcuda.NativePointerObject;
import jcuda.Pointer;
import jcuda.driver.CUdeviceptr;

import java.io.File;
import java.io.IOException;
import java.lang.reflect.Field;
import java.nio.Buffer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A CUDA device emulated on the host: kindling_kernels.cu compiled with g++ against a small emulation of the CUDA
 * execution model (src/test/emulator/cuda_emulator.cpp) and called through JNI, device memory in host memory. Lets the
 * conformance cases run the real kernel code on a machine without a GPU (cuBLAS excepted: matmul takes the own kernel).
 */
final class EmulatedDevice extends CudaDevice {
    static final String NO_COMPILER = "no g++ on this machine";
    private static String loadFailure;
    private static boolean loaded;

    static native long malloc(long bytes);
    static native void free(long p);
    static native void memset0(long p, long bytes);
    static native void htod(long dst, Object array, long bytes);
    static native void dtoh(Object array, long src, long bytes);
    static native void launch(String kernel, int gx, int gy, int gz, int bx, int by, byte[] params);
    static native void gemm(boolean f32, int ta, int tb, int m, int n, int k, long a, int lda, long sa, long b, int ldb, long sb,
                            long c, int ldc, long sc, int batch);

    /** Whether matmul goes to the emulated cuBLAS (checks the backend's column-major mapping) or the own kernel. */
    private final boolean blas;

    /** Builds and loads the emulator once; null when that worked, else why not ({@link #NO_COMPILER}, a compile error). */
    static synchronized String load() {
        if (loaded) return loadFailure;
        loaded = true;
        try {
            try {
                Process v = new ProcessBuilder("g++", "--version").redirectErrorStream(true).start();
                v.getInputStream().readAllBytes();
                if (v.waitFor() != 0) return loadFailure = NO_COMPILER;
            } catch (IOException e) {
                return loadFailure = NO_COMPILER;
            }
            File base = new File(System.getProperty("user.dir"));
            File src = new File(base, "src/test/emulator/cuda_emulator.cpp");
            File out = new File(base, "target/emulator/libkindling_cuda_emulator.so");
            out.getParentFile().mkdirs();
            String javaHome = System.getProperty("java.home");
            List<String> cmd = List.of("g++", "-std=c++20", "-O2", "-shared", "-fPIC", "-pthread",
                    "-I" + javaHome + "/include", "-I" + javaHome + "/include/linux", "-x", "c++", src.getPath(), "-o", out.getPath());
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String log = new String(p.getInputStream().readAllBytes());
            if (!p.waitFor(300, TimeUnit.SECONDS) || p.exitValue() != 0) return loadFailure = "g++ failed: " + log;
            System.load(out.getAbsolutePath());
            return null;
        } catch (IOException | InterruptedException | UnsatisfiedLinkError e) {
            return loadFailure = "cannot build the CUDA emulator: " + e;
        }
    }

    EmulatedDevice(int index, boolean blas) {
        super(index, "emulated", new CachingAllocator.DeviceMemory<>() {
            @Override public CUdeviceptr malloc(long bytes) { return devicePointer(EmulatedDevice.malloc(bytes)); }
            @Override public void free(CUdeviceptr handle) { EmulatedDevice.free(address(handle)); }
        });
        this.blas = blas;
    }

    @Override boolean hasBlas() { return blas; }

    @Override
    void gemm(boolean f32, int transa, int transb, int m, int n, int k, Pointer a, int lda, long strideA,
              Pointer b, int ldb, long strideB, Pointer c, int ldc, long strideC, int batch) {
        int tA = transa == jcuda.jcublas.cublasOperation.CUBLAS_OP_N ? 0 : 1;
        int tB = transb == jcuda.jcublas.cublasOperation.CUBLAS_OP_N ? 0 : 1;
        // cuBLAS's argument rules, which the real library would reject with CUBLAS_STATUS_INVALID_VALUE.
        if (lda < Math.max(1, tA == 0 ? m : k) || ldb < Math.max(1, tB == 0 ? k : n) || ldc < Math.max(1, m)) {
            throw new IllegalStateException("invalid leading dimension: lda " + lda + ", ldb " + ldb + ", ldc " + ldc + " for m " + m + ", n " + n + ", k " + k);
        }
        gemm(f32, tA, tB, m, n, k, address(a), lda, strideA, address(b), ldb, strideB, address(c), ldc, strideC, batch);
    }

    static CudaBackend backend(EmulatedDevice dev) {
        CudaProbe probe = new CudaProbe(true, "available (emulated)", List.of(new CudaProbe.Gpu(0, "emulated", 90, 1L << 34)), 12060);
        return new CudaBackend(probe, i -> dev);
    }

    // ---- JCuda pointers to and from addresses (the driver would hold these natively) ----
    private static final Field NATIVE = field(NativePointerObject.class, "nativePointer");
    private static final Field OFFSET = field(Pointer.class, "byteOffset");
    private static final Field BUFFER = field(Pointer.class, "buffer");

    private static Field field(Class<?> c, String name) {
        try {
            Field f = c.getDeclaredField(name);
            f.setAccessible(true);
            return f;
        } catch (NoSuchFieldException e) {
            throw new IllegalStateException(e);
        }
    }

    static CUdeviceptr devicePointer(long address) {
        CUdeviceptr p = new CUdeviceptr();
        try {
            NATIVE.setLong(p, address);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
        return p;
    }

    static long address(Pointer p) {
        try {
            return NATIVE.getLong(p) + OFFSET.getLong(p);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The Java array behind a host pointer made by Pointer.to(array). */
    private static Object hostArray(Pointer p) {
        try {
            Buffer b = (Buffer) BUFFER.get(p);
            if (b == null || !b.hasArray() || OFFSET.getLong(p) != 0) throw new IllegalStateException("not an array pointer: " + p);
            return b.array();
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override void bind() {}

    @Override
    void launchNative(String kernel, int gx, int gy, int gz, int bx, int by, Object[] args, Pointer params) {
        ByteBuffer blob = ByteBuffer.allocate(args.length * 8 + 1024).order(ByteOrder.nativeOrder());
        for (Object a : args) {
            blob.position((blob.position() + 7) / 8 * 8);
            if (a instanceof long[]) for (long v : (long[]) a) blob.putLong(v);
            else if (a instanceof int[]) for (int v : (int[]) a) blob.putInt(v);
            else if (a instanceof Long) blob.putLong((Long) a);
            else if (a instanceof Integer) blob.putInt((Integer) a);
            else if (a instanceof Double) blob.putDouble((Double) a);
            else blob.putLong(address((Pointer) a));
        }
        byte[] bytes = new byte[blob.position()];
        blob.flip();
        blob.get(bytes);
        launch(kernel, gx, gy, gz, bx, by, bytes);
    }

    @Override void copyHtoD(CUdeviceptr dst, Pointer src, long bytes) { if (bytes > 0) htod(address(dst), hostArray(src), bytes); }
    @Override void copyDtoH(Pointer dst, Pointer src, long bytes) { if (bytes > 0) dtoh(hostArray(dst), address(src), bytes); }
    @Override void zero(CUdeviceptr p, long bytes) { if (bytes > 0) memset0(address(p), bytes); }
    @Override void sync() {}
}
