package dev.kindling.data;

import dev.kindling.api.Generator;
import dev.kindling.api.Tensor;
import dev.kindling.api.Torch;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DatasetsTest {
    @Test
    void tensorDataset() {
        Tensor x = Torch.arange(0, 12, 1).view(6, 2).toFloat();
        Tensor y = Torch.arange(6L);
        TensorDataset ds = new TensorDataset(x, y);
        assertEquals(6, ds.size());
        assertArrayEquals(new float[] {4, 5}, ds.get(2).get(0).toFloatArray());
        assertEquals(2, ds.get(2).get(1).itemLong());
        Batch b = DataLoader.builder(ds).batchSize(4).build().iterator().next();
        assertArrayEquals(new long[] {4, 2}, b.inputs().shape());
        assertArrayEquals(new long[] {0, 1, 2, 3}, b.targets().toLongArray());
        assertEquals(List.of("0", "1"), b.names());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new TensorDataset(x, Torch.arange(5L)));
        assertTrue(e.getMessage().startsWith("Size mismatch between tensors"), e.getMessage());
        assertThrows(IndexOutOfBoundsException.class, () -> ds.get(6));
    }

    @Test
    void subsetAndConcat() {
        Dataset<Integer> a = DataLoaderTest.range(3);
        Dataset<Integer> b = Datasets.map(DataLoaderTest.range(4), i -> i + 100);
        ConcatDataset<Integer> c = new ConcatDataset<>(a, b);
        assertEquals(7, c.size());
        assertEquals(2, c.get(2));
        assertEquals(100, c.get(3));
        assertEquals(103, c.get(-1));
        assertEquals(0, c.get(-7));
        assertArrayEquals(new long[] {3, 7}, c.cumulativeSizes());
        assertThrows(IndexOutOfBoundsException.class, () -> c.get(7));
        assertThrows(IndexOutOfBoundsException.class, () -> c.get(-8));
        Subset<Integer> s = new Subset<>(c, new int[] {6, 0, 3});
        assertEquals(3, s.size());
        assertEquals(103, s.get(0));
        assertEquals(0, s.get(1));
        assertThrows(IndexOutOfBoundsException.class, () -> new Subset<>(c, new int[] {7}));
        assertThrows(IllegalArgumentException.class, () -> new ConcatDataset<Integer>(List.of()));
    }

    @Test
    void randomSplitMatchesPyTorch() {
        // random_split(range(10), [3, 7], generator=torch.Generator().manual_seed(42))
        List<Subset<Integer>> parts = Datasets.randomSplit(DataLoaderTest.range(10), new int[] {3, 7}, new Generator(42));
        assertArrayEquals(new int[] {2, 6, 1}, parts.get(0).indices());
        assertArrayEquals(new int[] {8, 4, 5, 0, 9, 3, 7}, parts.get(1).indices());
        // fractions, PyTorch 1.13: floor, then the remainder round-robin
        List<Subset<Integer>> f = Datasets.randomSplit(DataLoaderTest.range(11), new double[] {0.5, 0.3, 0.2}, new Generator(0));
        assertArrayEquals(new int[] {10, 0, 4, 3, 5, 8}, f.get(0).indices());
        assertArrayEquals(new int[] {2, 1, 9}, f.get(1).indices());
        assertArrayEquals(new int[] {7, 6}, f.get(2).indices());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Datasets.randomSplit(DataLoaderTest.range(10), new int[] {3, 8}, null));
        assertTrue(e.getMessage().startsWith("Sum of input lengths does not equal the length of the input dataset!"));
        assertThrows(IllegalArgumentException.class, () -> Datasets.randomSplit(DataLoaderTest.range(10), new double[] {0.5, 0.6}, null));
    }

    @Test
    void samplersMatchPyTorch() {
        // RandomSampler(range(10), replacement=True, num_samples=12, generator=manual_seed(5))
        assertArrayEquals(new int[] {1, 4, 7, 5, 6, 0, 2, 3, 8, 4, 9, 0}, new RandomSampler(10, true, 12, new Generator(5)).epoch(null));
        // RandomSampler(range(4), num_samples=10, generator=manual_seed(5)): whole permutations then a partial one
        assertArrayEquals(new int[] {3, 1, 0, 2, 1, 3, 2, 0, 0, 3}, new RandomSampler(4, false, 10, new Generator(5)).epoch(null));
        assertArrayEquals(new int[] {40, 50, 20, 10, 30}, new SubsetRandomSampler(new int[] {10, 20, 30, 40, 50}, new Generator(2)).epoch(null));
        double[] w = {0.1, 0.5, 2.0, 0.0, 1.4, 3.0};
        assertArrayEquals(new int[] {1, 2, 5, 2, 5, 5, 2, 4}, new WeightedRandomSampler(w, 8, true, new Generator(3)).epoch(null));
        assertArrayEquals(new int[] {5, 0, 1, 2}, new WeightedRandomSampler(w, 4, false, new Generator(3)).epoch(null));
        assertArrayEquals(new int[] {0, 1, 2}, new SequentialSampler(3).epoch(null));
        assertThrows(IllegalArgumentException.class, () -> new WeightedRandomSampler(new double[] {1, -1}, 2));
        assertThrows(IllegalArgumentException.class, () -> new WeightedRandomSampler(new double[] {0, 0}, 2));
        assertThrows(IllegalArgumentException.class, () -> new WeightedRandomSampler(new double[] {1, 1}, 3, false));
    }
}
