package dev.kindling.datasets.idx;

import dev.kindling.api.DType;
import dev.kindling.api.Tensor;
import dev.kindling.data.Batch;
import dev.kindling.data.DataLoader;
import dev.kindling.data.DatasetFormatException;
import dev.kindling.data.DatasetNotFoundException;
import dev.kindling.data.Sample;
import dev.kindling.data.transforms.ToTensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class IdxReaderTest {
    static IdxImageDataset mnist(Path root, boolean train) {
        return new IdxImageDataset(IdxImageDataset.Kind.MNIST, root, train, null, null);
    }

    @Test
    void readsRawAndGzippedFilesInTorchvisionsLayouts(@TempDir Path tmp) throws IOException {
        IdxTestFiles.write(tmp.resolve("a"), "train", IdxTestFiles.images(5, 28, 28), IdxTestFiles.labels(5), false);
        IdxTestFiles.write(tmp.resolve("b/MNIST/raw"), "train", IdxTestFiles.images(5, 28, 28), IdxTestFiles.labels(5), true);
        IdxTestFiles.write(tmp.resolve("b/MNIST/raw"), "t10k", IdxTestFiles.images(3, 28, 28), IdxTestFiles.labels(3), true);
        for (Path root : new Path[] {tmp.resolve("a"), tmp.resolve("b")}) {
            IdxImageDataset ds = mnist(root, true);
            assertEquals(5, ds.size());
            Sample s = ds.get(2);
            assertArrayEquals(new long[] {28, 28, 1}, s.input().shape(), "HWC, as the raw array torchvision wraps");
            assertEquals(DType.UINT8, s.input().dtype());
            assertEquals(0, s.target().dim());
            assertEquals(DType.INT64, s.target().dtype());
            assertEquals(IdxTestFiles.label(2), s.target().itemLong());
            int[] px = s.input().toIntArray();
            for (int i = 0; i < px.length; i++) assertEquals(IdxTestFiles.pixel(2 * 784 + i), px[i]);
        }
        assertEquals(3, mnist(tmp.resolve("b"), false).size());
        assertArrayEquals(new long[] {5, 28, 28}, mnist(tmp.resolve("a"), true).data().shape());
    }

    @Test
    void toTensorThroughTheLoader(@TempDir Path tmp) throws IOException {
        IdxTestFiles.write(tmp, "train", IdxTestFiles.images(10, 4, 3), IdxTestFiles.labels(10), true);
        IdxImageDataset raw = mnist(tmp, true);
        IdxImageDataset ds = new IdxImageDataset(IdxImageDataset.Kind.MNIST, tmp, true, new ToTensor(), null);
        Batch b = DataLoader.builder(ds).batchSize(4).build().iterator().next();
        assertArrayEquals(new long[] {4, 1, 4, 3}, b.inputs().shape());
        assertArrayEquals(new ToTensor().apply(raw.get(1).input()).toFloatArray(), b.inputs().get(1).toFloatArray(), 0f);
        assertArrayEquals(new long[] {3, 0, 7, 4}, b.targets().toLongArray());
    }

    @Test
    void aMissingDatasetSaysWhereItLookedAndHowToGetIt(@TempDir Path tmp) {
        DatasetNotFoundException e = assertThrows(DatasetNotFoundException.class, () -> mnist(tmp.resolve("nowhere"), true));
        assertTrue(e.getMessage().contains("MNIST training images not found"), e.getMessage());
        assertTrue(e.getMessage().contains(tmp.resolve("nowhere").toString()) && e.getMessage().contains("(no such directory)"), e.getMessage());
        assertTrue(e.getMessage().contains("train-images-idx3-ubyte[.gz]") && e.getMessage().contains("yann.lecun.com"), e.getMessage());
        assertTrue(e.getMessage().contains("never downloads"), e.getMessage());
        assertTrue(e.searched().contains(tmp.resolve("nowhere/MNIST/raw/train-images-idx3-ubyte.gz")));
        DatasetNotFoundException f = assertThrows(DatasetNotFoundException.class,
                () -> new IdxImageDataset(IdxImageDataset.Kind.FASHION_MNIST, tmp, false, null, null));
        assertTrue(f.getMessage().contains("apt-get install dataset-fashion-mnist"), f.getMessage());
    }

    static String formatError(Path root) {
        DatasetFormatException e = assertThrows(DatasetFormatException.class, () -> mnist(root, true));
        assertTrue(e.file() != null && e.getMessage().contains(e.file().toString()), e.getMessage());
        return e.getMessage();
    }

    @Test
    void badFilesAreClearErrorsNamingFileAndOffset(@TempDir Path tmp) throws IOException {
        byte[] images = IdxTestFiles.images(4, 5, 5), labels = IdxTestFiles.labels(4);
        // the labels file where the images file belongs
        IdxTestFiles.write(tmp.resolve("magic"), "train", labels, labels, false);
        String m = formatError(tmp.resolve("magic"));
        assertTrue(m.contains("train-images-idx3-ubyte: at offset 0: wrong magic number 0x00000801, expected 0x00000803")
                && m.contains("labels file"), m);
        // truncated images (gzipped: offsets count decompressed bytes)
        IdxTestFiles.write(tmp.resolve("trunc"), "train", Arrays.copyOf(images, images.length - 7), labels, true);
        m = formatError(tmp.resolve("trunc"));
        assertTrue(m.contains("train-images-idx3-ubyte.gz: at offset 109: truncated: the header declares 4 x 5 x 5 = 100 bytes of data from offset 16")
                && m.contains("7 bytes short") && m.contains("decompressed"), m);
        // truncated inside the header
        IdxTestFiles.write(tmp.resolve("hdr"), "train", Arrays.copyOf(images, 10), labels, false);
        assertTrue(formatError(tmp.resolve("hdr")).contains("at offset 10: truncated: the file ends inside the IDX header"));
        // trailing bytes
        IdxTestFiles.write(tmp.resolve("trail"), "train", Arrays.copyOf(images, images.length + 3), labels, false);
        assertTrue(formatError(tmp.resolve("trail")).contains("at offset 116: 3 unexpected bytes"));
        // count mismatch
        IdxTestFiles.write(tmp.resolve("count"), "train", images, IdxTestFiles.labels(3), false);
        m = formatError(tmp.resolve("count"));
        assertTrue(m.contains("train-labels-idx1-ubyte: holds 3 labels, but") && m.contains("train-images-idx3-ubyte holds 4 images"), m);
        // a label that is not a class
        byte[] bad = labels.clone();
        bad[8 + 2] = 42;
        IdxTestFiles.write(tmp.resolve("label"), "train", images, bad, false);
        assertTrue(formatError(tmp.resolve("label")).contains("train-labels-idx1-ubyte: at offset 10: label 42 of sample 2 is not a class index 0..9"));
        // a forged header that claims 2^31 x 2^31 x 2^31 values
        byte[] forged = images.clone();
        ByteBuffer.wrap(forged).putInt(4, Integer.MAX_VALUE).putInt(8, Integer.MAX_VALUE).putInt(12, Integer.MAX_VALUE);
        IdxTestFiles.write(tmp.resolve("forged"), "train", forged, labels, false);
        assertTrue(formatError(tmp.resolve("forged")).contains("more than 2^31 bytes"));
        // not gzip after all
        Path g = tmp.resolve("gz");
        IdxTestFiles.write(g, "train", images, labels, true);
        byte[] zipped = Files.readAllBytes(g.resolve("train-images-idx3-ubyte.gz"));
        Files.write(g.resolve("train-images-idx3-ubyte.gz"), Arrays.copyOf(zipped, 20));
        assertTrue(formatError(g).contains("corrupt or truncated gzip data"));
    }

    @Test
    void providersAreRegisteredWithTheKernel(@TempDir Path tmp) throws IOException {
        dev.kindling.kernel.Kernel k = (dev.kindling.kernel.Kernel) dev.kindling.api.spi.TensorRuntimes.get();
        assertTrue(k.datasets().find("mnist").isPresent() && k.datasets().find("fashion-mnist").isPresent(),
                k.datasets().all().toString());
        IdxTestFiles.write(tmp, "t10k", IdxTestFiles.images(6, 28, 28), IdxTestFiles.labels(6), true);
        Object ds = k.datasets().create("mnist", java.util.Map.of("root", tmp.toString(), "train", "false", "transform", new ToTensor()));
        Sample s = ((IdxImageDataset) ds).get(0);
        Tensor x = s.input();
        assertArrayEquals(new long[] {1, 28, 28}, x.shape());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> k.datasets().create("mnist", java.util.Map.of()));
        assertTrue(e.getMessage().contains("missing required parameter [root]"), e.getMessage());
    }
}
