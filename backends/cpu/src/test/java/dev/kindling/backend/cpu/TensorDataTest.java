package dev.kindling.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kindling.api.DType;
import dev.kindling.api.Tensor;
import dev.kindling.api.Torch;

import org.junit.jupiter.api.Test;

/** {@code t.data()} and {@code t.setData(other)}: the kernel's in-place storage swap that keeps a tensor's identity. */
class TensorDataTest {

    @Test
    void setDataRepointsTheSameTensorObjectAtOtherStorage() {
        Tensor w = Torch.ones(2, 3);
        Tensor same = w;
        Tensor replacement = Torch.arange(4L).to(DType.FLOAT64).view(2, 2);
        assertTrue(w.setData(replacement) == w);
        assertEquals(DType.FLOAT64, same.dtype());
        assertArrayEquals(new long[] {2, 2}, same.shape());
        assertArrayEquals(new double[] {0, 1, 2, 3}, same.toDoubleArray());
        replacement.fill_(7.0); // shares the storage it was given
        assertArrayEquals(new double[] {7, 7, 7, 7}, w.toDoubleArray());
    }

    @Test
    void viewsTakenBeforeKeepTheOldStorage() {
        Tensor w = Torch.zeros(3);
        Tensor v = w.view(3, 1);
        w.setData(Torch.ones(3));
        assertArrayEquals(new float[] {0, 0, 0}, v.toFloatArray());
        assertArrayEquals(new float[] {1, 1, 1}, w.toFloatArray());
    }

    @Test
    void dataSharesStorageUnderANewIdentity() {
        Tensor w = Torch.zeros(2);
        Tensor d = w.data();
        assertNotSame(w, d);
        d.fill_(5.0);
        assertArrayEquals(new float[] {5, 5}, w.toFloatArray());
    }

    @Test
    void aMovedCopyCanReplaceTheDataInPlace() {
        Tensor w = Torch.tensor(new float[] {1.5f, -2f});
        w.setData(w.to(DType.FLOAT16));
        assertEquals(DType.FLOAT16, w.dtype());
        assertArrayEquals(new float[] {1.5f, -2f}, w.toFloatArray());
    }
}
