package dev.kindling.backend.cuda;

import dev.kindling.api.Device;
import dev.kindling.backend.cpu.CpuBackend;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The conformance cases with the real kernel code run on a host emulation of the GPU (EmulatedDevice): checks the
 * kernels' indexing, dtype handling, reductions and error reporting everywhere g++ is present. Tolerances are the
 * conformance test's; host libm stands in for CUDA's math library, and matmul takes the own tiled kernel (no cuBLAS).
 */
class EmulatedConformanceTest {
    static CudaBackend emulated;
    static CudaBackend emulatedBlas;
    static CpuBackend cpu;

    @BeforeAll
    static void backends() {
        cpu = new CpuBackend();
        if (EmulatedDevice.load() == null) {
            emulated = EmulatedDevice.backend(new EmulatedDevice(0, false));
            emulatedBlas = EmulatedDevice.backend(new EmulatedDevice(0, true));
        }
    }

    static List<SpiCases.Case> cases() { return SpiCases.all(); }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void sameResultsOnCpuAndEmulatedGpu(SpiCases.Case c) {
        String failure = EmulatedDevice.load();
        assumeTrue(!EmulatedDevice.NO_COMPILER.equals(failure), "no CUDA emulator: " + failure);
        assertNull(failure, "the CUDA emulator must build where g++ is present");
        List<Object> expected = c.run(new SpiCases.Env(cpu, Device.CPU));
        List<Object> actual = c.run(new SpiCases.Env(emulated, Device.CUDA));
        assertEquals(expected.size(), actual.size(), () -> c.name() + ": " + expected + " vs " + actual);
        for (int i = 0; i < expected.size(); i++) CudaConformanceTest.compare(c, i, expected.get(i), actual.get(i));
        if (c.name().startsWith("matmul")) {
            // Again through the cuBLAS path (an emulated cuBLAS): the row-major to column-major mapping and leading dims.
            List<Object> viaBlas = c.run(new SpiCases.Env(emulatedBlas, Device.CUDA));
            for (int i = 0; i < expected.size(); i++) CudaConformanceTest.compare(c, i, expected.get(i), viaBlas.get(i));
        }
    }
}
