package dev.kindling.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kindling.api.DType;
import dev.kindling.api.Size;
import dev.kindling.api.Tensor;
import dev.kindling.api.Torch;

import java.util.List;

import org.junit.jupiter.api.Test;

/** The first lines a PyTorch user types: Size, tolist, one-argument reductions, Torch.* forms, 0-dim tensors. */
class PyTorchFormsTest {
    private final Tensor x = Torch.tensor(new float[][] {{1, 5, 2}, {4, 0, 6}});

    @Test
    void sizeIsTorchSize() {
        Size s = Torch.zeros(5, 3).size();
        assertEquals("torch.Size([5, 3])", s.toString());
        assertEquals(List.of(5L, 3L), s);
        assertEquals(Size.of(5, 3), s);
        assertEquals(15, s.numel());
        assertEquals(3, s.at(-1));
        assertEquals("torch.Size([])", Torch.tensor(1.0).size().toString());
        assertThrows(IndexOutOfBoundsException.class, () -> s.at(2));
    }

    @Test
    void tolistNestsJavaNumbers() {
        assertEquals(List.of(List.of(1.0, 5.0, 2.0), List.of(4.0, 0.0, 6.0)), x.tolist());
        assertEquals(List.of(0L, 1L, 2L), Torch.arange(3L).tolist());
        assertEquals(2.5, Torch.tensor(2.5).tolist());
        assertEquals(List.of(true, false), Torch.tensor(new boolean[] {true, false}).tolist());
    }

    @Test
    void oneArgumentReductionsDropTheDim() {
        assertArrayEquals(new long[] {1, 2}, x.argmax(1).toLongArray());
        assertArrayEquals(new long[] {0, 1, 0}, x.argmin(0).toLongArray());
        assertArrayEquals(new float[] {10, 0}, x.prod(1).toFloatArray());
        assertTrue(x.std(1).allclose(x.std(1, true, false)));
        assertTrue(x.var(0).allclose(x.var(0, true, false)));
        assertTrue(x.norm(1.0, 1).allclose(Torch.tensor(new float[] {8, 10})));
        assertEquals(1, x.argmax(1).dim());
    }

    @Test
    void torchFunctionFormsMirrorTheMethods() {
        assertTrue(Torch.sum(x, 1).equal(x.sum(1)));
        assertTrue(Torch.mean(x).equal(x.mean()));
        assertTrue(Torch.max(x, 1).values().equal(x.max(1).values()));
        assertTrue(Torch.argmax(x, 1).equal(x.argmax(1)));
        assertTrue(Torch.relu(x.sub(3.0)).equal(x.sub(3.0).relu()));
        assertTrue(Torch.exp(x).equal(x.exp()));
        assertTrue(Torch.flatten(x).equal(x.flatten()));
        assertTrue(Torch.clip(x, 1, 4).equal(x.clamp(1, 4)));
        assertEquals(6, Torch.numel(x));
    }

    @Test
    void anEmptyShapeMakesA0dimTensor() {
        Tensor scalar = Torch.tensor(new float[] {5}, new long[0]);
        assertEquals(0, scalar.dim());
        assertEquals(5.0, scalar.item());
        assertArrayEquals(new long[] {1}, Torch.tensor(new float[] {5}).shape());
        assertArrayEquals(new long[] {3}, Torch.tensor(new long[] {1, 2, 3}).shape());
        assertEquals(0, Torch.tensor(new double[] {1.5}, DType.FLOAT64, new long[0]).dim());
        assertArrayEquals(new long[] {2}, Torch.tensor(new double[] {1, 2}, DType.FLOAT32).shape());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Torch.tensor(new float[] {1, 2}, new long[0]));
        assertTrue(e.getMessage().contains("invalid for input of size 2"), e.getMessage());
    }

    @Test
    void versionIsTheBuildVersion() {
        assertTrue(Torch.version().matches("\\d+\\.\\d+\\.\\d+.*"), Torch.version());
    }

    @Test
    void whereTakesScalarsAsPythonFloats() {
        Tensor cond = Torch.tensor(new boolean[] {true, false, true});
        Tensor ints = Torch.tensor(new long[] {1, 2, 3});
        Tensor r = Torch.where(cond, ints, 0.5);                 // torch.where(c, int64, 0.5) -> float32
        assertEquals(DType.FLOAT32, r.dtype());
        assertArrayEquals(new float[] {1, 0.5f, 3}, r.toFloatArray());
        Tensor d = Torch.where(cond, 9.0, ints.toDouble());      // float64 tensor keeps float64
        assertEquals(DType.FLOAT64, d.dtype());
        assertArrayEquals(new double[] {9, 2, 9}, d.toDoubleArray());
        Tensor s = Torch.where(cond, 1.0, 0.0);
        assertEquals(DType.FLOAT32, s.dtype());
        assertArrayEquals(new float[] {1, 0, 1}, s.toFloatArray());
        assertArrayEquals(new float[] {1, -1, 3}, ints.toFloat().where(cond, -1.0).toFloatArray());
    }
}
