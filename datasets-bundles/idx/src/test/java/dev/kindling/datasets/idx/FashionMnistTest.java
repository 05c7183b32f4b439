package dev.kindling.datasets.idx;

import dev.kindling.api.Tensor;
import dev.kindling.data.Batch;
import dev.kindling.data.DataLoader;
import dev.kindling.data.Sample;
import dev.kindling.data.transforms.Compose;
import dev.kindling.data.transforms.Normalize;
import dev.kindling.data.transforms.ToTensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The real Fashion-MNIST where it is installed ({@code apt-get install dataset-fashion-mnist}); skipped otherwise.
 * Reference values from numpy over the same files.
 */
class FashionMnistTest {
    static final Path ROOT = Path.of("/usr/share/datasets/fashion-mnist");

    static final String SKIP = "Fashion-MNIST is not installed in " + ROOT + " (apt-get install dataset-fashion-mnist): skipping the real-data tests";

    @BeforeAll
    static void announce() {
        if (!installed()) System.out.println("[FashionMnistTest] " + SKIP);
    }

    static boolean installed() { return Files.isRegularFile(ROOT.resolve("train-images-idx3-ubyte.gz")); }

    @BeforeEach
    void requireData() { assumeTrue(installed(), SKIP); }

    /** The sum of the bytes after the header, read independently of the reader. */
    static long rawSum(Path gz, int header) throws IOException {
        long s = 0;
        try (InputStream in = new GZIPInputStream(Files.newInputStream(gz), 1 << 16)) {
            in.skipNBytes(header);
            byte[] buf = new byte[1 << 16];
            for (int r; (r = in.read(buf)) > 0; ) for (int i = 0; i < r; i++) s += buf[i] & 0xff;
        }
        return s;
    }

    @Test
    void trainingAndTestSplitsMatchTheRawFiles() throws IOException {
        IdxImageDataset train = new IdxImageDataset(IdxImageDataset.Kind.FASHION_MNIST, null, true, null, null);
        IdxImageDataset test = new IdxImageDataset(IdxImageDataset.Kind.FASHION_MNIST, null, false, null, null);
        assertEquals(60_000, train.size());
        assertEquals(10_000, test.size());
        assertEquals(rawSum(ROOT.resolve("train-images-idx3-ubyte.gz"), 16), train.pixelSum());
        assertEquals(rawSum(ROOT.resolve("t10k-images-idx3-ubyte.gz"), 16), test.pixelSum());
        assertEquals(3_431_114_169L, train.pixelSum(), "numpy: images.sum()");
        assertEquals(573_469_082L, test.pixelSum());
        assertEquals(270_000L, (long) train.targets().sum().item());
        assertEquals(45_000L, (long) test.targets().sum().item());
        long first = 0;
        for (int v : train.get(0).input().toIntArray()) first += v;
        assertEquals(76_247, first, "pixel sum of training image 0");
        assertEquals(9, train.get(0).target().itemLong());
        assertArrayEquals(new long[] {9, 2, 1, 1, 6}, new long[] {test.label(0), test.label(1), test.label(2), test.label(3), test.label(4)});
        // every class 6,000 times in the training split
        long[] counts = new long[10];
        for (int i = 0; i < train.size(); i++) counts[train.label(i)]++;
        for (long c : counts) assertEquals(6000, c);
    }

    @Test
    void oneEpochThroughTheLoader() {
        IdxImageDataset ds = new IdxImageDataset(IdxImageDataset.Kind.FASHION_MNIST, null, true,
                new Compose<Tensor>(new ToTensor(), new Normalize(new double[] {0.2860}, new double[] {0.3530})), null);
        DataLoader<Sample> loader = DataLoader.builder(ds).batchSize(64).shuffle(true).seed(0).numWorkers(2).build();
        assertEquals(938, loader.size());
        int samples = 0, batches = 0;
        double labelSum = 0;
        for (Batch b : loader) {
            batches++;
            samples += b.size();
            labelSum += b.targets().sum().item();
            if (batches == 1) assertArrayEquals(new long[] {64, 1, 28, 28}, b.inputs().shape());
        }
        assertEquals(938, batches);
        assertEquals(60_000, samples);
        assertEquals(270_000, labelSum, 0);
    }
}
