package dev.kindling.data;

import dev.kindling.api.DType;
import dev.kindling.api.Tensor;
import dev.kindling.api.Torch;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CollateTest {
    public record Record(Tensor image, long label, String name, double weight) {}

    @Test
    void samplesStackInputsAndTargets() {
        List<Sample> s = List.of(new Sample(Torch.ones(1, 2, 2), Torch.tensor(3L)), new Sample(Torch.zeros(1, 2, 2), Torch.tensor(5L)));
        Batch b = DefaultCollate.batch(s);
        assertArrayEquals(new long[] {2, 1, 2, 2}, b.inputs().shape());
        assertArrayEquals(new long[] {3, 5}, b.targets().toLongArray());
        assertEquals(DType.INT64, b.targets().dtype());
        assertEquals(List.of("input", "target"), b.names());
        assertEquals(2, b.size());
    }

    @Test
    void recordsMapsAndScalarsAsPyTorchDefaultCollate() {
        Batch r = DefaultCollate.batch(List.of(new Record(Torch.ones(3), 1, "a", 0.5), new Record(Torch.zeros(3), 2, "b", 1.5)));
        assertEquals(List.of("image", "label", "name", "weight"), r.names());
        assertEquals(r.get("image"), r.inputs(), "image counts as the inputs");
        assertEquals(r.get("label"), r.targets(), "label counts as the targets");
        assertEquals(DType.FLOAT64, r.get("weight").dtype(), "Java doubles are Python floats: float64");
        assertEquals(List.of("a", "b"), r.value("name"));
        assertThrows(IllegalStateException.class, () -> r.get("name"));

        Map<String, Object> m1 = new LinkedHashMap<>();
        m1.put("x", Torch.tensor(new float[] {1, 2}));
        m1.put("y", 1.5f);
        m1.put("ok", true);
        Map<String, Object> m2 = new LinkedHashMap<>();
        m2.put("x", Torch.tensor(new float[] {3, 4}));
        m2.put("y", 2.5f);
        m2.put("ok", false);
        Batch m = DefaultCollate.batch(List.of(m1, m2));
        assertArrayEquals(new float[] {1, 2, 3, 4}, m.get("x").toFloatArray());
        assertEquals(DType.FLOAT32, m.get("y").dtype());
        assertEquals(DType.BOOL, m.get("ok").dtype());

        Object nested = DefaultCollate.collate(List.of(List.of(1, 2.0), List.of(3, 4.0)));
        List<?> l = (List<?>) nested;
        assertArrayEquals(new long[] {1, 3}, ((Tensor) l.get(0)).toLongArray());
        assertArrayEquals(new double[] {2, 4}, ((Tensor) l.get(1)).toDoubleArray());
    }

    @Test
    void stackMatchesTorchStackForEveryDtype() {
        for (DType dt : new DType[] {DType.FLOAT32, DType.FLOAT64, DType.INT64, DType.INT32, DType.UINT8, DType.INT8, DType.BOOL, DType.FLOAT16}) {
            Tensor a = Torch.arange(0, 6, 1).view(2, 3).to(dt), b = Torch.arange(6, 12, 1).view(2, 3).to(dt);
            Tensor s = DefaultCollate.stack(List.of(a, b.t().contiguous().t()));
            assertEquals(dt, s.dtype());
            assertTrue(Torch.stack(a, b.t().contiguous().t()).equal(s), dt.toString());
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> DefaultCollate.stack(List.of(Torch.zeros(1, 28, 28), Torch.zeros(1, 28, 27))));
        assertEquals("stack expects each tensor to be equal size, but got [1, 28, 28] at entry 0 and [1, 28, 27] at entry 1", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> DefaultCollate.batch(List.of(new Sample(Torch.ones(1), null), 3)));
        assertThrows(IllegalArgumentException.class, () -> DefaultCollate.collate(List.of(new Object())));
    }
}
