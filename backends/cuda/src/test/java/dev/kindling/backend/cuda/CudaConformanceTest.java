package dev.kindling.backend.cuda;

import dev.kindling.api.DType;
import dev.kindling.api.Device;
import dev.kindling.api.Generator;
import dev.kindling.api.Tensor;
import dev.kindling.api.Torch;
import dev.kindling.api.spi.TensorRuntimes;
import dev.kindling.backend.cpu.CpuBackend;
import dev.kindling.kernel.spi.Availability;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Every primitive on the CPU and on the GPU with the same inputs, results compared: integers, booleans and errors
 * exactly; floating results within a relative tolerance per case (float32 1e-5; float64 1e-12, 1e-10 for reductions;
 * float16 1e-3, bfloat16 1e-2; float32 matmul adds an absolute 1e-4 for cuBLAS's float accumulation order). NaN
 * matches NaN, infinities match exactly. Skipped, with the reason, where no CUDA device is present.
 */
class CudaConformanceTest {
    static CudaBackend cuda;
    static CpuBackend cpu;

    @BeforeAll
    static void backends() {
        cuda = new CudaBackend();
        cpu = new CpuBackend();
    }

    static void requireGpu() {
        Availability a = cuda.availability();
        assumeTrue(a.available(), "no CUDA device: " + a.reason());
    }

    static List<SpiCases.Case> cases() { return SpiCases.all(); }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void sameResultsOnCpuAndCuda(SpiCases.Case c) {
        requireGpu();
        List<Object> expected = c.run(new SpiCases.Env(cpu, Device.CPU));
        List<Object> actual = c.run(new SpiCases.Env(cuda, Device.CUDA));
        assertEquals(expected.size(), actual.size(), () -> c.name() + ": " + expected + " vs " + actual);
        for (int i = 0; i < expected.size(); i++) compare(c, i, expected.get(i), actual.get(i));
    }

    static void compare(SpiCases.Case c, int output, Object e, Object a) {
        String where = c.name() + ", output " + output;
        if (e instanceof String || a instanceof String) {
            assertEquals(e, a, where);
            return;
        }
        assertEquals(e.getClass(), a.getClass(), where);
        int n = java.lang.reflect.Array.getLength(e);
        assertEquals(n, java.lang.reflect.Array.getLength(a), where);
        if (e instanceof float[] || e instanceof double[]) {
            for (int i = 0; i < n; i++) {
                double x = ((Number) java.lang.reflect.Array.get(e, i)).doubleValue();
                double y = ((Number) java.lang.reflect.Array.get(a, i)).doubleValue();
                if (!close(x, y, c.rtol(), c.atol())) fail(where + ", element " + i + ": CPU " + x + ", CUDA " + y);
            }
        } else if (e instanceof short[] && c.name().contains("float16")) {
            // 16-bit floats: compared as values, one rounding step apart at most.
            boolean bf = c.name().contains("bfloat16");
            for (int i = 0; i < n; i++) {
                short x = ((short[]) e)[i];
                short y = ((short[]) a)[i];
                double fx = bf ? dev.kindling.kernel.tensor.Half.bf16ToFloat(x) : dev.kindling.kernel.tensor.Half.halfToFloat(x);
                double fy = bf ? dev.kindling.kernel.tensor.Half.bf16ToFloat(y) : dev.kindling.kernel.tensor.Half.halfToFloat(y);
                if (!close(fx, fy, Math.max(c.rtol(), bf ? 1e-2 : 1e-3), c.atol())) fail(where + ", element " + i + ": CPU " + fx + ", CUDA " + fy);
            }
        } else {
            for (int i = 0; i < n; i++) {
                assertEquals(java.lang.reflect.Array.get(e, i), java.lang.reflect.Array.get(a, i), where + ", element " + i);
            }
        }
    }

    static boolean close(double x, double y, double rtol, double atol) {
        if (Double.isNaN(x) || Double.isNaN(y)) return Double.isNaN(x) && Double.isNaN(y);
        if (Double.isInfinite(x) || Double.isInfinite(y)) return x == y;
        return Math.abs(x - y) <= atol + rtol * Math.max(Math.abs(x), Math.abs(y));
    }

    // ---- through the public API: device moves, random numbers, device mixing ----

    @Test
    void tensorsMoveToTheGpuAndBack() {
        requireGpu();
        assertTrue(Torch.cudaIsAvailable());
        assertTrue(Torch.devices().contains(Device.CUDA));
        Tensor x = Torch.tensor(new float[] {1, -2, 3, 4, 5, 6}, 2, 3);
        Tensor g = x.cuda();
        assertEquals(Device.CUDA, g.device());
        assertEquals(CudaBackend.NAME, g.backendName());
        Tensor y = g.matmul(g.t()).softmax(1).sum(0);
        assertArrayEquals(x.matmul(x.t()).softmax(1).sum(0).toFloatArray(), y.cpu().toFloatArray(), 1e-6f);
        assertTrue(y.toString().contains("device='cuda:0'"), y.toString());
    }

    @Test
    void randomNumbersAreDrawnOnTheHostSoDevicesAgree() {
        requireGpu();
        Tensor a = TensorRuntimes.get().randn(new long[] {1000}, DType.FLOAT32, Device.CPU, new Generator(7));
        Tensor b = TensorRuntimes.get().randn(new long[] {1000}, DType.FLOAT32, Device.CUDA, new Generator(7));
        assertArrayEquals(a.toFloatArray(), b.cpu().toFloatArray());
    }

    @Test
    void mixingDevicesNamesBoth() {
        requireGpu();
        Tensor c = Torch.tensor(new float[] {1, 2});
        Tensor g = c.cuda();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> g.add(c));
        assertEquals("Expected all tensors to be on the same device, but found at least two devices, cuda:0 and cpu! (in add)", e.getMessage());
    }
}
