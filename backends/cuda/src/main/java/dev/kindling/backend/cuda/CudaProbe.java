package dev.kindling.backend.cuda;

import jcuda.driver.CUdevice;
import jcuda.driver.CUdevice_attribute;
import jcuda.driver.JCudaDriver;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * What the machine offers, found once: the driver (its JNI library and libcuda), the devices and their compute
 * capability. Never throws: a missing driver shows up as {@code LinkageError} from JCuda and is reported as the reason.
 */
final class CudaProbe {
    /** Compute capability the committed PTX (compute_80) can be JIT-compiled for. */
    static final int MIN_CC = 80;

    record Gpu(int index, String name, int computeCapability, long totalMemory) {}

    final boolean available;
    final String reason;
    final List<Gpu> gpus;
    final int driverVersion;

    CudaProbe(boolean available, String reason, List<Gpu> gpus, int driverVersion) {
        this.available = available;
        this.reason = reason;
        this.gpus = gpus;
        this.driverVersion = driverVersion;
    }

    static CudaProbe unavailable(String reason) { return new CudaProbe(false, reason, List.of(), 0); }

    static CudaProbe run() {
        try {
            JCudaDriver.setExceptionsEnabled(true);
            JCudaDriver.cuInit(0);
            int[] v = new int[1];
            JCudaDriver.cuDriverGetVersion(v);
            int[] count = new int[1];
            JCudaDriver.cuDeviceGetCount(count);
            List<Gpu> gpus = new ArrayList<>();
            List<String> tooOld = new ArrayList<>();
            for (int i = 0; i < count[0]; i++) {
                CUdevice d = new CUdevice();
                JCudaDriver.cuDeviceGet(d, i);
                byte[] name = new byte[256];
                JCudaDriver.cuDeviceGetName(name, name.length, d);
                int[] major = new int[1];
                int[] minor = new int[1];
                JCudaDriver.cuDeviceGetAttribute(major, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, d);
                JCudaDriver.cuDeviceGetAttribute(minor, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, d);
                long[] mem = new long[1];
                JCudaDriver.cuDeviceTotalMem(mem, d);
                String n = cString(name);
                int cc = major[0] * 10 + minor[0];
                // Devices are numbered as the driver does; one too old for the PTX ends the list, so indices stay stable.
                if (cc < MIN_CC) {
                    tooOld.add("cuda:" + i + " " + n + " (compute capability " + major[0] + "." + minor[0] + ")");
                    break;
                }
                gpus.add(new Gpu(i, n, cc, mem[0]));
            }
            String driver = "driver " + v[0] / 1000 + "." + (v[0] % 1000) / 10;
            if (gpus.isEmpty()) {
                String why = count[0] == 0 ? "no CUDA device found (" + driver + ")"
                        : "no CUDA device with compute capability 8.0 or newer (" + driver + "): " + String.join(", ", tooOld);
                return new CudaProbe(false, why, List.of(), v[0]);
            }
            return new CudaProbe(true, "available (" + driver + ")", List.copyOf(gpus), v[0]);
        } catch (LinkageError e) {
            // JCuda's JNI library could not load, or it could not find libcuda.so.1: no driver on this machine.
            return unavailable("no CUDA driver: " + firstLine(e));
        } catch (RuntimeException e) {
            // CudaException from cuInit: CUDA_ERROR_NO_DEVICE, CUDA_ERROR_INSUFFICIENT_DRIVER, ...
            return unavailable("CUDA driver error: " + firstLine(e));
        }
    }

    private static String cString(byte[] b) {
        int n = 0;
        while (n < b.length && b[n] != 0) n++;
        return new String(b, 0, n, StandardCharsets.UTF_8).trim();
    }

    /** The most telling line of a JCuda load failure (they span several lines with stack traces inside). */
    static String firstLine(Throwable e) {
        Throwable t = e;
        String best = null;
        while (t != null) {
            String m = t.getMessage();
            if (m != null) {
                for (String line : m.split("\\R")) {
                    String l = line.trim();
                    // "…/libJCudaDriver-….so: libcuda.so.1: cannot open shared object file": keep from the missing library on.
                    int at = l.indexOf("libcuda.so");
                    if (at >= 0) return l.substring(at);
                    if (l.contains("cannot open shared object")) return l;
                    if (best == null && !l.isEmpty()) best = l;
                }
            }
            t = t.getCause();
        }
        return best != null ? best : e.getClass().getName();
    }
}
