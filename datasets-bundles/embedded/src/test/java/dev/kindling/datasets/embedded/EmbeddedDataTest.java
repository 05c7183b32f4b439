package dev.kindling.datasets.embedded;

import dev.kindling.api.DType;
import dev.kindling.data.Batch;
import dev.kindling.data.DataLoader;
import dev.kindling.data.Sample;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EmbeddedDataTest {
    @Test
    void digitsAsScikitLearn() {
        DigitsDataset d = new DigitsDataset();
        assertEquals(1797, d.size());
        Sample s = d.get(0);
        assertArrayEquals(new long[] {64}, s.input().shape());
        assertEquals(DType.FLOAT32, s.input().dtype());
        assertEquals(0, s.target().itemLong());
        assertArrayEquals(new float[] {0, 0, 5, 13, 9, 1, 0, 0}, java.util.Arrays.copyOf(s.input().toFloatArray(), 8));
        assertEquals(1, d.get(1).target().itemLong());
        // numpy over digits.csv.gz: data.sum() == 561718, target.sum() == 8070, max pixel 16
        assertEquals(561_718.0, d.data().sum().item(), 0);
        assertEquals(8070, (long) d.targets().sum().item());
        assertEquals(16.0, d.data().max().item(), 0);
        assertEquals(64, d.featureNames().size());
    }

    @Test
    void irisAsScikitLearn() {
        IrisDataset iris = new IrisDataset();
        assertEquals(150, iris.size());
        assertEquals(List.of("setosa", "versicolor", "virginica"), iris.classes());
        assertArrayEquals(new float[] {5.1f, 3.5f, 1.4f, 0.2f}, iris.get(0).input().toFloatArray());
        assertEquals(2, iris.get(149).target().itemLong());
        assertEquals(150, (long) iris.targets().sum().item());
        Batch b = DataLoader.builder(iris).batchSize(32).shuffle(true).seed(0).build().iterator().next();
        assertArrayEquals(new long[] {32, 4}, b.inputs().shape());
    }

    @Test
    void attributionShipsInTheBundle() {
        String notice = EmbeddedData.notice();
        assertTrue(notice.contains("CC BY 4.0") && notice.contains("Alpaydin") && notice.contains("Fisher"), notice);
    }

    @Test
    void providersAreRegistered() {
        dev.kindling.kernel.Kernel k = (dev.kindling.kernel.Kernel) dev.kindling.api.spi.TensorRuntimes.get();
        assertEquals(1797, ((DigitsDataset) k.datasets().create("digits", java.util.Map.of())).size());
        assertEquals(150, ((IrisDataset) k.datasets().create("iris", java.util.Map.of())).size());
    }
}
