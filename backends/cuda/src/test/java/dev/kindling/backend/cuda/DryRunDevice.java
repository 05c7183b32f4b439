package dev.kindling.backend.cuda;

import jcuda.Pointer;
import jcuda.driver.CUdeviceptr;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A CUDA device without a driver: launches are checked against the PTX's parameter lists (by CudaDevice) and
 * counted, copies and memsets do nothing, device memory is fake handles. Lets every code path of the backend run on a
 * machine without a GPU, short of the kernels' arithmetic.
 */
final class DryRunDevice extends CudaDevice {
    final Map<String, Integer> launches = new LinkedHashMap<>();

    DryRunDevice(int index) {
        super(index, "dry run", new CachingAllocator.DeviceMemory<>() {
            @Override public CUdeviceptr malloc(long bytes) { return new CUdeviceptr(); }
            @Override public void free(CUdeviceptr handle) {}
        });
    }

    static CudaBackend backend(DryRunDevice dev) {
        CudaProbe probe = new CudaProbe(true, "available (dry run)", List.of(new CudaProbe.Gpu(0, "dry run", 90, 1L << 34)), 12060);
        return new CudaBackend(probe, i -> dev);
    }

    @Override void bind() {}
    @Override void launchNative(String kernel, int gx, int gy, int gz, int bx, int by, Object[] args, Pointer params) {
        if (gx <= 0 || gy <= 0 || gz <= 0 || bx <= 0 || by <= 0 || (long) bx * by > 1024) {
            throw new IllegalStateException("kernel " + kernel + ": invalid launch grid " + gx + "x" + gy + "x" + gz + " / block " + bx + "x" + by);
        }
        launches.merge(kernel, 1, Integer::sum);
    }
    @Override void copyHtoD(CUdeviceptr dst, Pointer src, long bytes) {}
    @Override void copyDtoH(Pointer dst, Pointer src, long bytes) {}
    @Override void zero(CUdeviceptr p, long bytes) {}
    @Override void sync() {}
    @Override int takeError() { return 0; }
}
