package dev.kindling.train.internal;

import dev.kindling.api.DType;
import dev.kindling.api.Tensor;
import dev.kindling.api.Torch;
import dev.kindling.api.spi.TensorRuntimes;
import dev.kindling.data.Subset;
import dev.kindling.kernel.Kernel;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DataPrepTest {
    private final Kernel kernel = (Kernel) TensorRuntimes.get();

    @Test
    void digitsAreScaledAndSplitWithTheSeed() {
        DataPrep.Data d = DataPrep.prepare(kernel, "digits", new LinkedHashMap<>(), false, 0.2, 0);
        assertEquals(1438, d.train().size()); // torch.utils.data.random_split(range(1797), [0.8, 0.2]): 1438 / 359
        assertEquals(359, d.test().size());
        assertFalse(d.ownTestSplit());
        assertEquals(10, d.numClasses());
        assertArrayEquals(new long[] {64}, d.inputShape());
        float max = 0;
        for (int i = 0; i < 50; i++) for (float v : d.train().get(i).input().toFloatArray()) max = Math.max(max, v);
        assertTrue(max > 0.9f && max <= 1f, "digits scaled by 1/16: max " + max);
        assertTrue(d.describe().contains("digits: 1438 train / 359 test samples (seeded 80/20 split, seed 0), 10 classes, inputs [64]"), d.describe());
        DataPrep.Data again = DataPrep.prepare(kernel, "digits", Map.of(), false, 0.2, 0);
        assertArrayEquals(again.test().get(7).input().toFloatArray(), d.test().get(7).input().toFloatArray(), "same seed, same split");
        DataPrep.Data other = DataPrep.prepare(kernel, "digits", Map.of(), false, 0.2, 1);
        assertFalse(java.util.Arrays.equals(other.test().get(7).input().toFloatArray(), d.test().get(7).input().toFloatArray()));
        assertEquals(1797, d.split(DataPrep.Split.ALL).size());
        assertArrayEquals(new long[] {1, 8, 8}, DataPrep.prepare(kernel, "digits", Map.of(), true, 0.2, 0).inputShape(), "as images for a CNN");
    }

    @Test
    void theSplitIsDisjointAndCoversTheDataset() {
        var all = new dev.kindling.datasets.Digits();
        var parts = dev.kindling.data.Datasets.randomSplit(all, new double[] {0.8, 0.2}, new dev.kindling.api.Generator(0));
        Set<Integer> seen = new HashSet<>();
        for (Subset<?> s : parts) for (int i : s.indices()) assertTrue(seen.add(i));
        assertEquals(1797, seen.size());
    }

    @Test
    void irisHasThreeClassesAndNoScaling() {
        DataPrep.Data d = DataPrep.prepare(kernel, "iris", Map.of(), false, 0.2, 0);
        assertEquals(3, d.numClasses());
        assertEquals(120, d.train().size());
        assertNull(d.preprocessing());
    }

    @Test
    void imagesGetToTensorAndTheDatasetsNormalization() {
        Tensor img = Torch.tensor(new byte[] {0, (byte) 255, 51, 102}, 2, 2, 1); // UINT8 HWC
        assertEquals(DType.UINT8, img.dtype());
        float[] f = DataPrep.preprocessing("fashion-mnist", new long[] {28, 28, 1}, DType.UINT8, true).apply(img).toFloatArray();
        assertEquals((0 - 0.2860) / 0.3530, f[0], 1e-6);
        assertEquals((1 - 0.2860) / 0.3530, f[1], 1e-6);
        assertEquals((0.2 - 0.2860) / 0.3530, f[2], 1e-6);
        f = DataPrep.preprocessing("mnist", new long[] {28, 28, 1}, DType.UINT8, true).apply(img).toFloatArray();
        assertEquals((0.4 - 0.1307) / 0.3081, f[3], 1e-6);
        assertArrayEquals(new long[] {1, 2, 2}, DataPrep.preprocessing("mnist", null, DType.UINT8, true).apply(img).shape());
        Tensor rgb = Torch.zeros(4, 4, 3).to(DType.UINT8);
        assertArrayEquals(new long[] {3, 4, 4}, DataPrep.preprocessing("cifar10", null, DType.UINT8, true).apply(rgb).shape());
        assertArrayEquals(new long[] {3, 4, 4}, DataPrep.preprocessing("some-images", new long[] {4, 4, 3}, DType.UINT8, true).apply(rgb).shape());
        assertNull(DataPrep.preprocessing("csv", new long[] {5}, DType.FLOAT32, false));
    }

    @Test
    void badDatasetsGetClearErrors() {
        String e = assertThrows(IllegalArgumentException.class, () -> DataPrep.prepare(kernel, "nope", Map.of(), false, 0.2, 0)).getMessage();
        assertTrue(e.contains("unknown dataset 'nope'; installed: [") && e.contains("digits"), e);
        e = assertThrows(IllegalArgumentException.class, () -> DataPrep.prepare(kernel, "digits", Map.of("train", "true"), false, 0.2, 0)).getMessage();
        assertTrue(e.contains("parameter 'train' is chosen by Kindling"), e);
        e = assertThrows(IllegalArgumentException.class, () -> DataPrep.prepare(kernel, "digits", Map.of("colour", "1"), false, 0.2, 0)).getMessage();
        assertTrue(e.contains("unknown parameter [colour]"), e);
    }
}
