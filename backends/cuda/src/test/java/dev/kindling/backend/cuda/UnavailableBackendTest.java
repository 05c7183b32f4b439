package dev.kindling.backend.cuda;

import dev.kindling.api.DType;
import dev.kindling.api.Device;
import dev.kindling.api.Tensor;
import dev.kindling.api.Torch;
import dev.kindling.api.spi.TensorRuntimes;
import dev.kindling.kernel.BackendInfo;
import dev.kindling.kernel.Kernel;
import dev.kindling.kernel.spi.Availability;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/**
 * Where there is no driver (CI, the development machines): the backend starts, reports itself unavailable with the
 * reason, offers no devices, and the kernel with the CPU backend works as before. Skipped where a GPU is present.
 */
class UnavailableBackendTest {
    @Test
    void reportsUnavailableWithTheReasonAndNeverThrows() {
        CudaBackend b = new CudaBackend();
        Availability a = b.availability();
        assumeFalse(a.available(), "a CUDA device is present: the conformance test covers this machine");
        assertTrue(a.reason().startsWith("no CUDA driver: ") || a.reason().startsWith("CUDA driver error: ")
                || a.reason().startsWith("no CUDA device"), a.reason());
        assertEquals(List.of(), b.devices());
        assertEquals("cuda", b.deviceType());
        assertEquals(CudaBackend.NAME, b.name());
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> b.allocate(Device.CUDA, DType.FLOAT32, 4));
        assertEquals("CUDA is not available: " + a.reason(), e.getMessage());
        assertEquals(List.of(), b.details());
        assertTrue(b.memoryStats(Device.CUDA).isEmpty());
        // A second instance (a bundle update) probes again, without a crash.
        assertEquals(a.reason(), new CudaBackend().availability().reason());
    }

    @Test
    void probeFailureWithoutDriverNamesTheMissingLibrary() {
        CudaProbe p = CudaProbe.run();
        assumeFalse(p.available, "a CUDA device is present");
        assertFalse(p.reason.contains("\n"), "one line: " + p.reason);
    }

    @Test
    void kernelWorksWithTheCudaBackendRegistered() {
        Kernel k = (Kernel) TensorRuntimes.get();
        BackendInfo cuda = k.backends().info().stream().filter(i -> i.name().equals(CudaBackend.NAME)).findFirst().orElseThrow(
                () -> new AssertionError("the CUDA backend is not discovered through ServiceLoader: " + k.backends().info()));
        assumeFalse(cuda.available(), "a CUDA device is present");
        assertEquals("cuda", cuda.deviceType());
        assertFalse(cuda.selected());
        assertEquals(List.of(), cuda.devices());
        assertFalse(Torch.cudaIsAvailable());
        assertEquals(List.of(Device.CPU), Torch.devices());

        Tensor x = Torch.tensor(new float[] {1, 2, 3, 4}).reshape(2, 2);
        assertArrayEquals(new float[] {7, 10, 15, 22}, x.matmul(x).toFloatArray());
        IllegalStateException e = assertThrows(IllegalStateException.class, x::cuda);
        assertTrue(e.getMessage().startsWith("No backend available for device 'cuda:0': cuda-jcuda: "), e.getMessage());
        assertTrue(e.getMessage().contains(cuda.reason()), e.getMessage());
        assertThrows(IllegalStateException.class, () -> Torch.zeros(new long[] {2}, DType.FLOAT32, Device.CUDA));
    }
}
