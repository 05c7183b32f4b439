package dev.kindling.backend.cpu;

import dev.kindling.api.DType;
import dev.kindling.api.Device;
import dev.kindling.kernel.spi.Storage;
import dev.kindling.kernel.spi.View;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/** The backend's batched product into outputs the kernel never hands it today: a strided (transposed) output view. */
class MatMulTest {
    private final CpuBackend backend = new CpuBackend();

    @Test
    void float32ProductIntoAStridedOutput() {
        // [1, 2, 3] x [1, 3, 2]
        Storage a = backend.fromHost(Device.CPU, DType.FLOAT32, new float[] {1, 2, 3, 4, 5, 6});
        Storage b = backend.fromHost(Device.CPU, DType.FLOAT32, new float[] {1, 0, 0, 1, 1, 1});
        Storage o = backend.allocate(Device.CPU, DType.FLOAT32, 4);
        // out [1, 2, 2] stored transposed: element (i, j) at j * 2 + i
        View out = new View(o, new long[] {1, 2, 2}, new long[] {0, 1, 2}, 0);
        backend.matmul(new View(a, new long[] {1, 2, 3}, new long[] {0, 3, 1}, 0), new View(b, new long[] {1, 3, 2}, new long[] {0, 2, 1}, 0), out);
        // A·B = [[4, 5], [10, 11]], read back in storage order (column-major)
        assertArrayEquals(new float[] {4, 10, 5, 11}, (float[]) backend.toHost(new View(o, new long[] {4}, new long[] {1}, 0)), 0f);
    }
}
