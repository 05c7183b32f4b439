package dev.kindling.backend.cuda;

import dev.kindling.api.DType;
import dev.kindling.kernel.spi.ReduceOp;
import dev.kindling.kernel.spi.View;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Runs every conformance case on a driverless device: each kernel launch must match its PTX parameter list in
 * number, size and kind of arguments (a mismatch would read garbage on a GPU), grids must be valid, and every kernel
 * the PTX defines must be launched by some case. Temporary device buffers must all be returned to the allocator.
 */
class DryRunLaunchTest {
    @Test
    void everyCaseLaunchesKernelsThatMatchThePtx() {
        DryRunDevice dev = new DryRunDevice(0);
        CudaBackend backend = DryRunDevice.backend(dev);
        SpiCases.Env env = new SpiCases.Env(backend, dev.device);
        List<String> failures = new ArrayList<>();
        for (SpiCases.Case c : SpiCases.all()) {
            List<Object> out = c.run(env);
            for (Object o : out) {
                // Host-side argument errors are the cases' expected outcomes; a refused launch is IllegalStateException.
                if (o instanceof String && ((String) o).startsWith("error: IllegalStateException")) failures.add(c.name() + ": " + o);
            }
        }
        assertEquals(List.of(), failures);
        Set<String> missing = new TreeSet<>(CudaDevice.KERNELS);
        missing.removeAll(dev.launches.keySet());
        assertEquals(Set.of(), missing, "kernels no case launched");
        assertTrue(dev.launches.get("k_binary") > 100);
    }

    @Test
    void temporariesGoBackToTheAllocator() {
        DryRunDevice device = new DryRunDevice(0);
        CudaBackend backend = DryRunDevice.backend(device);
        SpiCases.Env env = new SpiCases.Env(backend, device.device);
        View x = env.in(DType.FLOAT32, new long[] {3, 4}, new float[12]);
        long before = device.allocator.allocatedBytes();
        View sum = env.out(DType.FLOAT32, 1, 4);
        View idx = env.out(DType.INT64, 0, 2);
        backend.reduce(ReduceOp.SUM, x, new int[] {0}, sum);
        backend.nonzero(x, idx);
        backend.toHost(SpiCases.transpose(x, 0, 1));
        // What stays allocated is the two outputs: the temporaries went back to the cache and were reused.
        assertEquals(before + CachingAllocator.sizeClass(16) + CachingAllocator.sizeClass(0), device.allocator.allocatedBytes());
        assertTrue(backend.memoryStats(device.device).get("cacheHits") > 0);
        assertTrue(backend.details().get(0).contains("allocated"), backend.details().toString());
    }

    @Test
    void deactivationReleasesMemoryAndReportsTheBackendStopped() {
        DryRunDevice device = new DryRunDevice(0);
        CudaBackend backend = DryRunDevice.backend(device);
        SpiCases.Env env = new SpiCases.Env(backend, device.device);
        env.in(DType.FLOAT32, new long[] {3}, new float[3]);
        assertTrue(backend.availability().available());
        backend.deactivate();
        assertEquals("the CUDA backend was stopped", backend.availability().reason());
        assertEquals(List.of(), backend.devices());
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> backend.allocate(device.device, DType.FLOAT32, 1));
        assertEquals("CUDA is not available: the CUDA backend was stopped", e.getMessage());
        assertEquals(0, device.allocator.reservedBytes() - device.allocator.allocatedBytes(), "no cached memory left");
    }
}
