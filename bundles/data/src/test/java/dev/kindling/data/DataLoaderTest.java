package dev.kindling.data;

import dev.kindling.api.DType;
import dev.kindling.api.Generator;
import dev.kindling.api.Tensor;
import dev.kindling.api.Torch;
import dev.kindling.data.transforms.RandomCrop;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DataLoaderTest {
    /** Sample i is the Integer i. */
    static Dataset<Integer> range(int n) {
        return new Dataset<>() {
            @Override
            public int size() { return n; }

            @Override
            public Integer get(int index) { return index; }
        };
    }

    static List<List<Long>> epoch(DataLoader<?> loader) {
        List<List<Long>> out = new ArrayList<>();
        for (Batch b : loader) {
            List<Long> l = new ArrayList<>();
            for (long v : b.inputs().toLongArray()) l.add(v);
            out.add(l);
        }
        return out;
    }

    static List<List<Long>> lists(long[]... batches) {
        List<List<Long>> out = new ArrayList<>();
        for (long[] b : batches) {
            List<Long> l = new ArrayList<>();
            for (long v : b) l.add(v);
            out.add(l);
        }
        return out;
    }

    static long workerThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().startsWith("kindling-dataloader-") && t.isAlive()).count();
    }

    static void awaitNoWorkers(long millis) throws InterruptedException {
        long end = System.currentTimeMillis() + millis;
        while (workerThreads() > 0 && System.currentTimeMillis() < end) Thread.sleep(20);
        assertEquals(0, workerThreads(), "worker threads still alive");
    }

    @Test
    void batchesInOrderWithAndWithoutDropLast() {
        DataLoader<Integer> keep = DataLoader.builder(range(10)).batchSize(4).build();
        assertEquals(3, keep.size());
        assertEquals(lists(new long[] {0, 1, 2, 3}, new long[] {4, 5, 6, 7}, new long[] {8, 9}), epoch(keep));
        DataLoader<Integer> drop = DataLoader.builder(range(10)).batchSize(4).dropLast(true).build();
        assertEquals(2, drop.size());
        assertEquals(lists(new long[] {0, 1, 2, 3}, new long[] {4, 5, 6, 7}), epoch(drop));
        assertEquals(10, DataLoader.builder(range(10)).build().size(), "batch size 1 by default, as PyTorch");
        Batch b = DataLoader.builder(range(10)).batchSize(4).build().iterator().next();
        assertEquals(DType.INT64, b.inputs().dtype(), "integers collate to INT64 as Python ints");
        assertEquals(4, b.size());
    }

    @Test
    void shuffleWithASeedVisitsSamplesInPyTorchsOrder() {
        // DataLoader(range(10), batch_size=4, shuffle=True, generator=torch.Generator().manual_seed(0)), two epochs
        List<List<Long>> e1 = lists(new long[] {3, 7, 5, 2}, new long[] {0, 8, 1, 6}, new long[] {9, 4});
        List<List<Long>> e2 = lists(new long[] {1, 3, 2, 7}, new long[] {5, 9, 0, 6}, new long[] {4, 8});
        for (int workers : new int[] {0, 2}) {
            DataLoader<Integer> loader = DataLoader.builder(range(10)).batchSize(4).shuffle(true).seed(0).numWorkers(workers).build();
            assertEquals(e1, epoch(loader), "epoch 1, workers=" + workers);
            assertEquals(e2, epoch(loader), "epoch 2, workers=" + workers);
        }
    }

    @Test
    void seedsMakeEpochsReproducible() {
        DataLoader<Integer> a = DataLoader.builder(range(100)).batchSize(16).shuffle(true).seed(123).build();
        DataLoader<Integer> b = DataLoader.builder(range(100)).batchSize(16).shuffle(true).seed(123).numWorkers(2).build();
        DataLoader<Integer> c = DataLoader.builder(range(100)).batchSize(16).shuffle(true).seed(124).build();
        List<List<Long>> a1 = epoch(a), a2 = epoch(a);
        assertEquals(a1, epoch(b));
        assertEquals(a2, epoch(b));
        assertNotEquals(a1, a2, "each epoch is a new permutation");
        assertNotEquals(a1, epoch(c));
        List<Long> all = new ArrayList<>();
        a1.forEach(all::addAll);
        all.sort(null);
        for (int i = 0; i < 100; i++) assertEquals(i, all.get(i).intValue(), "a permutation");
    }

    @Test
    void unseededShuffleFollowsTheDefaultGeneratorAsPyTorch() {
        // torch.manual_seed(3); list(DataLoader(range(6), batch_size=6, shuffle=True)) == [[2, 4, 0, 1, 3, 5]]
        Torch.manualSeed(3);
        assertEquals(lists(new long[] {2, 4, 0, 1, 3, 5}), epoch(DataLoader.builder(range(6)).batchSize(6).shuffle(true).build()));
        // after two epochs the default generator is where PyTorch's is: torch.rand(1) == 0.5944212079048157
        Torch.manualSeed(3);
        DataLoader<Integer> dl = DataLoader.builder(range(6)).batchSize(6).shuffle(true).build();
        epoch(dl);
        epoch(dl);
        assertEquals(0.5944212079048157, Torch.rand(1).item(), 0.0);
    }

    @Test
    void weightedSamplerInALoaderMatchesPyTorch() {
        double[] w = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
        DataLoader<Integer> dl = DataLoader.builder(range(10)).batchSize(3)
                .sampler(new WeightedRandomSampler(w, 7, true, new Generator(7))).build();
        assertEquals(lists(new long[] {5, 5, 9}, new long[] {8, 9, 9}, new long[] {5}), epoch(dl));
        assertThrows(IllegalArgumentException.class, () -> DataLoader.builder(range(10)).sampler(new SequentialSampler(10)).shuffle(true).build());
    }

    @Test
    void randomTransformsAreReproducibleAndIndependentOfWorkers() {
        Tensor img = Torch.arange(0, 3 * 8 * 8, 1).toFloat().view(3, 8, 8);
        RandomCrop crop = new RandomCrop(6, 1);
        Dataset<Sample> ds = new Dataset<>() {
            @Override
            public int size() { return 40; }

            @Override
            public Sample get(int index) { return new Sample(crop.apply(img.add((double) index)), Torch.tensor((long) index)); }
        };
        List<float[]> reference = null;
        for (int workers : new int[] {0, 1, 2, 3}) {
            DataLoader<Sample> dl = DataLoader.builder(ds).batchSize(8).shuffle(true).seed(5).numWorkers(workers).build();
            List<float[]> got = new ArrayList<>();
            for (int e = 0; e < 2; e++) for (Batch b : dl) got.add(b.inputs().toFloatArray());
            if (reference == null) reference = got;
            else for (int i = 0; i < got.size(); i++) assertArrayEquals(reference.get(i), got.get(i), "workers=" + workers + " batch " + i);
        }
        // the crops differ between samples and epochs (they are random), but are fixed by the seed
        assertFalse(Arrays.equals(reference.get(0), reference.get(5)));
    }

    @Test
    void aWorkersExceptionSurfacesWithTheSampleIndex() throws InterruptedException {
        Dataset<Integer> bad = new Dataset<>() {
            @Override
            public int size() { return 100; }

            @Override
            public Integer get(int index) {
                if (index == 37) throw new IllegalStateException("corrupt record");
                return index;
            }
        };
        for (int workers : new int[] {0, 2}) {
            DataLoader<Integer> dl = DataLoader.builder(bad).batchSize(8).numWorkers(workers).build();
            BatchIterator it = dl.iterator();
            int seen = 0;
            DataLoaderException e = null;
            try {
                while (it.hasNext()) {
                    it.next();
                    seen++;
                }
            } catch (DataLoaderException x) {
                e = x;
            }
            assertTrue(e != null, "no exception, workers=" + workers);
            assertEquals(4, seen, "batches 0-3 arrive, batch 4 holds sample 37");
            assertEquals(37, e.sampleIndex());
            assertEquals(4, e.batchIndex());
            assertTrue(e.getMessage().contains("sample 37") && e.getMessage().contains("corrupt record"), e.getMessage());
            assertTrue(e.getCause() instanceof IllegalStateException);
            if (workers == 0) assertEquals(-1, e.worker());
            else assertTrue(e.worker() >= 0 && e.worker() < workers, "worker " + e.worker());
            if (workers > 0) assertTrue(e.getMessage().contains("DataLoader worker"), e.getMessage());
            assertFalse(it.hasNext(), "the epoch is over after a failure");
            awaitNoWorkers(5000);
        }
    }

    @Test
    void abandonedEpochsStopTheirWorkers() throws InterruptedException {
        AtomicInteger loaded = new AtomicInteger();
        Dataset<Integer> slow = new Dataset<>() {
            @Override
            public int size() { return 10_000; }

            @Override
            public Integer get(int index) {
                loaded.incrementAndGet();
                return index;
            }
        };
        DataLoader<Integer> dl = DataLoader.builder(slow).batchSize(10).numWorkers(2).build();
        // closed explicitly
        try (BatchIterator it = dl.iterator()) {
            it.next();
            it.next();
        }
        awaitNoWorkers(5000);
        assertTrue(loaded.get() <= 10 * (2 + 2 * 2 + 2), "prefetch is bounded: " + loaded.get() + " samples loaded");
        // the loader closes what is still running
        Iterator<Batch> it2 = dl.iterator();
        it2.next();
        dl.close();
        awaitNoWorkers(5000);
        assertFalse(it2.hasNext());
        assertThrows(NoSuchElementException.class, it2::next);
        // dropped on the floor: the cleaner stops the workers once the iterator is unreachable (well before the
        // 5 s idle timeout of the worker threads)
        abandonAfterOneBatch(dl);
        long start = System.nanoTime();
        assertTimeoutPreemptively(java.time.Duration.ofSeconds(20), () -> {
            while (workerThreads() > 0) {
                System.gc();
                Thread.sleep(20);
            }
        });
        assertTrue(System.nanoTime() - start < 4_000_000_000L, "the cleaner, not the idle timeout, stopped the workers");
        // the loader still works afterwards
        assertEquals(1000, dl.size());
        int n = 0;
        for (Batch b : dl) n += b.size();
        assertEquals(10_000, n);
        awaitNoWorkers(5000);
    }

    /** A for-each loop left with break, in its own frame so that nothing keeps its iterator reachable. */
    private static void abandonAfterOneBatch(DataLoader<Integer> dl) {
        for (Batch b : dl) {
            if (b.size() > 0) break;
        }
        assertTrue(workerThreads() > 0);
    }

    @Test
    void iterableDatasets() throws InterruptedException {
        IterableDataset<Integer> stream = () -> java.util.stream.IntStream.range(0, 11).iterator();
        for (int workers : new int[] {0, 2}) {
            assertEquals(lists(new long[] {0, 1, 2, 3}, new long[] {4, 5, 6, 7}, new long[] {8, 9, 10}),
                    epoch(DataLoader.builder(stream).batchSize(4).numWorkers(workers).build()));
            assertEquals(lists(new long[] {0, 1, 2, 3}, new long[] {4, 5, 6, 7}),
                    epoch(DataLoader.builder(stream).batchSize(4).dropLast(true).numWorkers(workers).build()));
        }
        assertThrows(IllegalArgumentException.class, () -> DataLoader.builder(stream).shuffle(true).build());
        assertThrows(UnsupportedOperationException.class, () -> DataLoader.builder(stream).build().size());
        IterableDataset<Integer> failing = () -> new Iterator<>() {
            int i;

            @Override
            public boolean hasNext() { return true; }

            @Override
            public Integer next() {
                if (i == 6) throw new IllegalArgumentException("bad line");
                return i++;
            }
        };
        for (int workers : new int[] {0, 1}) {
            DataLoader<Integer> dl = DataLoader.builder(failing).batchSize(4).numWorkers(workers).build();
            DataLoaderException e = assertThrows(DataLoaderException.class, () -> epoch(dl));
            assertEquals(6, e.sampleIndex());
            assertTrue(e.getCause() instanceof IllegalArgumentException);
        }
        awaitNoWorkers(5000);
    }

    @Test
    void builderChecksItsArguments() {
        assertThrows(IllegalArgumentException.class, () -> DataLoader.builder(range(3)).batchSize(0));
        assertThrows(IllegalArgumentException.class, () -> DataLoader.builder(range(3)).numWorkers(-1));
        assertThrows(IllegalArgumentException.class, () -> DataLoader.builder(range(3)).prefetchFactor(0));
        DataLoader<Integer> empty = DataLoader.builder(range(0)).batchSize(4).numWorkers(2).build();
        assertEquals(0, empty.size());
        assertFalse(empty.iterator().hasNext());
    }

    @Test
    void customCollate() {
        DataLoader<Integer> dl = DataLoader.builder(range(5)).batchSize(2)
                .collate(samples -> Batch.of(Torch.tensor(samples.stream().mapToDouble(i -> i * 0.5).toArray()), null)).build();
        Batch b = dl.iterator().next();
        assertArrayEquals(new double[] {0, 0.5}, b.inputs().toDoubleArray());
        assertSame(null, b.targets());
    }

    @Test
    void positionalConstructorAsPyTorch() {
        DataLoader<Integer> inOrder = new DataLoader<>(range(5), 2, false);
        assertEquals(List.of(List.of(0L, 1L), List.of(2L, 3L), List.of(4L)), epoch(inOrder));
        assertEquals(3, inOrder.size());
        assertEquals(epoch(inOrder), epoch(new DataLoader<>(range(5), 2)));
        Torch.manualSeed(0);
        List<List<Long>> shuffled = epoch(new DataLoader<>(range(5), 2, true));
        Torch.manualSeed(0);
        assertEquals(epoch(DataLoader.builder(range(5)).batchSize(2).shuffle(true).build()), shuffled, "same order as the builder's");
        assertTrue(new DataLoader<>(range(5), 2, true).sampler() instanceof RandomSampler);
        assertThrows(IllegalArgumentException.class, () -> new DataLoader<>(range(5), 0, false));
    }

    /** The first k batches of an epoch, then the state, as a run checkpointed mid-epoch leaves them. */
    private static java.util.Map<String, Object> stopAfter(DataLoader<?> loader, int k, List<List<Long>> seen) {
        Iterator<Batch> it = loader.iterator();
        for (int i = 0; i < k; i++) {
            List<Long> l = new ArrayList<>();
            for (long v : it.next().inputs().toLongArray()) l.add(v);
            seen.add(l);
        }
        return loader.stateDict();
    }

    /** Stopped after 3 of 6 batches, state and generators restored into a new loader: the rest of the epoch and the next are as uninterrupted. */
    @Test
    void aLoaderRestoredMidEpochContinuesWithTheNextBatch() {
        for (int workers : new int[] {0, 2}) {
            for (boolean ownSeed : new boolean[] {true, false}) {
                Torch.manualSeed(5);
                DataLoader<Integer> straight = shuffled(ownSeed, workers);
                List<List<Long>> expected = epoch(straight);
                expected.addAll(epoch(straight));

                Torch.manualSeed(5);
                DataLoader<Integer> first = shuffled(ownSeed, workers);
                List<List<Long>> got = new ArrayList<>();
                java.util.Map<String, Object> state = stopAfter(first, 3, got);
                byte[] defaultGen = Torch.defaultGenerator().getState();
                byte[] ownGen = ownSeed ? first.generator().getState() : null;
                assertEquals(3, ((Number) state.get("batches_yielded")).intValue());
                first.close();

                Torch.manualSeed(99); // a fresh process: the generators come from the checkpoint
                DataLoader<Integer> resumed = shuffled(ownSeed, workers);
                Torch.defaultGenerator().setState(defaultGen);
                if (ownSeed) resumed.generator().setState(ownGen);
                resumed.loadStateDict(state);
                got.addAll(epoch(resumed));
                got.addAll(epoch(resumed));
                assertEquals(expected, got, "workers=" + workers + " ownSeed=" + ownSeed);
                assertTrue(resumed.stateDict().isEmpty(), "no epoch in progress after the last batch");
            }
        }
    }

    private static DataLoader<Integer> shuffled(boolean ownSeed, int workers) {
        DataLoader.Builder<Integer> b = DataLoader.builder(range(23)).batchSize(4).shuffle(true).numWorkers(workers);
        return (ownSeed ? b.seed(11) : b).build();
    }

    @Test
    void anIterableLoaderRestoredMidEpochSkipsWhatItHandedOut() {
        IterableDataset<Integer> stream = () -> java.util.stream.IntStream.range(0, 11).iterator();
        DataLoader<Integer> first = DataLoader.builder(stream).batchSize(3).build();
        List<List<Long>> got = new ArrayList<>();
        java.util.Map<String, Object> state = stopAfter(first, 2, got);
        assertEquals(6L, ((Number) state.get("samples_yielded")).longValue());
        DataLoader<Integer> resumed = DataLoader.builder(stream).batchSize(3).build();
        resumed.loadStateDict(state);
        got.addAll(epoch(resumed));
        assertEquals(epoch(DataLoader.builder(stream).batchSize(3).build()), got);
    }

    @Test
    void aStateOfAnotherDatasetIsRefusedClearly() {
        DataLoader<Integer> a = DataLoader.builder(range(10)).batchSize(2).shuffle(true).seed(1).build();
        java.util.Map<String, Object> state = stopAfter(a, 1, new ArrayList<>());
        DataLoader<Integer> b = DataLoader.builder(range(12)).batchSize(2).shuffle(true).seed(1).build();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> b.loadStateDict(state));
        assertTrue(e.getMessage().contains("orders 10 samples") && e.getMessage().contains("yields 12"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> b.loadStateDict(java.util.Map.of("batches_yielded", 1)));
        b.loadStateDict(java.util.Map.of()); // empty: a new epoch
        assertEquals(6, epoch(b).size());
    }
}
