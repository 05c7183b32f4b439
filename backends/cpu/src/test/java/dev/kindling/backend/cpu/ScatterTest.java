package dev.kindling.backend.cpu;

import dev.kindling.api.DType;
import dev.kindling.api.Device;
import dev.kindling.kernel.spi.View;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * scatter_add large enough to run its rows in parallel: along the last dimension (max pooling's backward, rows
 * independent) and along the first (rows meet, so it stays serial), against the definition with repeated indices.
 */
class ScatterTest {
    private static final CpuBackend BE = new CpuBackend();

    @Test
    void scatterAddAlongEitherEndMatchesItsDefinition() {
        int a = 64, b = 32, c = 196, size = 784;
        Random r = new Random(5);
        for (int dim : new int[] {2, 0}) {
            long[] selfShape = dim == 2 ? new long[] {a, b, size} : new long[] {size, b, c};
            long[] shape = {a, b, c};
            int selfNumel = (int) (selfShape[0] * selfShape[1] * selfShape[2]), n = a * b * c;
            long[] index = new long[n];
            float[] src = new float[n], want = new float[selfNumel];
            for (int i = 0; i < n; i++) {
                index[i] = r.nextInt(size / 8); // few targets, so indices repeat within and across rows
                src[i] = (float) r.nextGaussian();
            }
            for (int i = 0; i < a; i++) for (int j = 0; j < b; j++) for (int k = 0; k < c; k++) {
                int e = (i * b + j) * c + k;
                int to = dim == 2 ? (i * b + j) * size + (int) index[e] : ((int) index[e] * b + j) * c + k;
                want[to] += src[e];
            }
            View self = new View(BE.fromHost(Device.CPU, DType.FLOAT32, new float[selfNumel]), selfShape, CpuBackend.contiguous(selfShape), 0);
            BE.scatter(self, dim, new View(BE.fromHost(Device.CPU, DType.INT64, index), shape, CpuBackend.contiguous(shape), 0),
                    new View(BE.fromHost(Device.CPU, DType.FLOAT32, src), shape, CpuBackend.contiguous(shape), 0), true);
            float[] got = (float[]) BE.toHost(self);
            for (int i = 0; i < selfNumel; i++) {
                assertEquals(Float.floatToRawIntBits(want[i]), Float.floatToRawIntBits(got[i]), "dim " + dim + ", element " + i + ": " + want[i] + " vs " + got[i]);
            }
        }
    }
}
