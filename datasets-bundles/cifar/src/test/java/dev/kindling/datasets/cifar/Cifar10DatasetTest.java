package dev.kindling.datasets.cifar;

import dev.kindling.api.DType;
import dev.kindling.data.Batch;
import dev.kindling.data.DataLoader;
import dev.kindling.data.DatasetFormatException;
import dev.kindling.data.DatasetNotFoundException;
import dev.kindling.data.Sample;
import dev.kindling.data.transforms.Compose;
import dev.kindling.data.transforms.Normalize;
import dev.kindling.data.transforms.ToTensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class Cifar10DatasetTest {
    static void checkSample(Cifar10Dataset ds, int index, int global) {
        Sample s = ds.get(index);
        assertArrayEquals(new long[] {32, 32, 3}, s.input().shape(), "HWC, as torchvision's CIFAR10 array");
        assertEquals(DType.UINT8, s.input().dtype());
        assertEquals(CifarTestFiles.label(global), s.target().itemLong());
        assertEquals(0, s.target().dim());
        int[] px = s.input().toIntArray();
        for (int y = 0; y < 32; y++) for (int x = 0; x < 32; x++) for (int c = 0; c < 3; c++) {
            assertEquals(CifarTestFiles.pixel(global, c, y, x), px[(y * 32 + x) * 3 + c], "sample " + index + " (" + y + "," + x + "," + c + ")");
        }
    }

    static void checkSplits(Path root) {
        Cifar10Dataset train = new Cifar10Dataset(root, true, null, null);
        assertEquals(15, train.size());
        for (int i = 0; i < 15; i++) checkSample(train, i, i);
        Cifar10Dataset test = new Cifar10Dataset(root, false, null, null);
        assertEquals(4, test.size());
        for (int i = 0; i < 4; i++) checkSample(test, i, 1000 + i);
    }

    @Test
    void readsExtractedBatches(@TempDir Path tmp) throws IOException {
        CifarTestFiles.writeDir(tmp.resolve("flat"), CifarTestFiles.files());
        CifarTestFiles.writeDir(tmp.resolve("nested").resolve(Cifar10Dataset.FOLDER), CifarTestFiles.files());
        checkSplits(tmp.resolve("flat"));
        checkSplits(tmp.resolve("nested"));
    }

    @Test
    void readsTheArchiveDirectly(@TempDir Path tmp) throws IOException {
        Files.createDirectories(tmp.resolve("root"));
        Files.write(tmp.resolve("root").resolve(Cifar10Dataset.ARCHIVE), CifarTestFiles.archive(CifarTestFiles.files(), true));
        checkSplits(tmp.resolve("root"));
        checkSplits(tmp.resolve("root").resolve(Cifar10Dataset.ARCHIVE));
        Path plainTar = tmp.resolve("cifar.tar");
        Files.write(plainTar, CifarTestFiles.archive(CifarTestFiles.files(), false));
        checkSplits(plainTar);
    }

    @Test
    void readsAnArchiveMadeByGnuTar(@TempDir Path tmp) throws IOException {
        // src/test/resources/cifar-10-binary.tar.gz: made with GNU tar 1.34 (tar czf) from CifarTestFiles.files()
        Path archive = tmp.resolve(Cifar10Dataset.ARCHIVE);
        try (InputStream in = getClass().getResourceAsStream("/cifar-10-binary.tar.gz")) {
            Files.copy(in, archive);
        }
        checkSplits(archive);
    }

    @Test
    void transformsAndTheLoader(@TempDir Path tmp) throws IOException {
        CifarTestFiles.writeDir(tmp, CifarTestFiles.files());
        Cifar10Dataset raw = new Cifar10Dataset(tmp, true, null, null);
        Compose<dev.kindling.api.Tensor> t = new Compose<>(new ToTensor(), new Normalize(new double[] {0.4914, 0.4822, 0.4465}, new double[] {0.247, 0.243, 0.261}));
        Cifar10Dataset ds = new Cifar10Dataset(tmp, true, t, null);
        Batch b = DataLoader.builder(ds).batchSize(8).build().iterator().next();
        assertArrayEquals(new long[] {8, 3, 32, 32}, b.inputs().shape());
        assertArrayEquals(t.apply(raw.get(5).input()).toFloatArray(), b.inputs().get(5).toFloatArray(), 0f);
        assertEquals(Arrays.toString(new long[] {1, 4, 7, 0, 3, 6, 9, 2}), Arrays.toString(b.targets().toLongArray()));
    }

    @Test
    void missingDataSaysWhereItLookedAndHowToGetIt(@TempDir Path tmp) throws IOException {
        DatasetNotFoundException e = assertThrows(DatasetNotFoundException.class, () -> new Cifar10Dataset(tmp, true, null, null));
        assertTrue(e.getMessage().contains("CIFAR-10 training data not found") && e.getMessage().contains(tmp.toString())
                && e.getMessage().contains("cifar-10-binary.tar.gz") && e.getMessage().contains("https://www.cs.toronto.edu/~kriz/cifar.html")
                && e.getMessage().contains("never downloads"), e.getMessage());
        Map<String, byte[]> files = CifarTestFiles.files();
        files.remove("data_batch_3.bin");
        CifarTestFiles.writeDir(tmp.resolve("partial"), files);
        DatasetNotFoundException p = assertThrows(DatasetNotFoundException.class, () -> new Cifar10Dataset(tmp.resolve("partial"), true, null, null));
        assertTrue(p.getMessage().contains("data_batch_3.bin is missing"), p.getMessage());
        Files.write(tmp.resolve("other.tar.gz"), CifarTestFiles.archive(files, true));
        DatasetFormatException a = assertThrows(DatasetFormatException.class, () -> new Cifar10Dataset(tmp.resolve("other.tar.gz"), true, null, null));
        assertTrue(a.getMessage().contains("has no entry data_batch_3.bin"), a.getMessage());
    }

    @Test
    void badFilesAreClearErrors(@TempDir Path tmp) throws IOException {
        Map<String, byte[]> files = CifarTestFiles.files();
        files.put("data_batch_2.bin", Arrays.copyOf(files.get("data_batch_2.bin"), 3 * 3073 - 100));
        CifarTestFiles.writeDir(tmp.resolve("trunc"), files);
        DatasetFormatException e = assertThrows(DatasetFormatException.class, () -> new Cifar10Dataset(tmp.resolve("trunc"), true, null, null));
        assertTrue(e.getMessage().contains("data_batch_2.bin: at offset 6146: truncated: 9119 bytes is not a whole number of 3073-byte records"),
                e.getMessage());
        files = CifarTestFiles.files();
        files.get("test_batch.bin")[2 * 3073] = 12;
        CifarTestFiles.writeDir(tmp.resolve("label"), files);
        e = assertThrows(DatasetFormatException.class, () -> new Cifar10Dataset(tmp.resolve("label"), false, null, null));
        assertTrue(e.getMessage().contains("test_batch.bin: at offset 6146: record 2 has label 12, not a class index 0..9"), e.getMessage());
        // the same inside the archive: the message names the archive, the entry and the offset in the tar stream
        Path archive = tmp.resolve("bad.tar.gz");
        Files.write(archive, CifarTestFiles.archive(files, true));
        e = assertThrows(DatasetFormatException.class, () -> new Cifar10Dataset(archive, false, null, null));
        assertTrue(e.getMessage().contains(archive.toString()) && e.getMessage().contains("entry cifar-10-batches-bin/test_batch.bin")
                && e.getMessage().contains("record 2 has label 12"), e.getMessage());
        // a corrupt header
        byte[] tar = CifarTestFiles.archive(CifarTestFiles.files(), false);
        tar[512 + 130] = 'x';
        Files.write(tmp.resolve("c.tar"), tar);
        e = assertThrows(DatasetFormatException.class, () -> new Cifar10Dataset(tmp.resolve("c.tar"), true, null, null));
        assertTrue(e.getMessage().contains("c.tar: at offset 512: not a tar archive, or a corrupt one"), e.getMessage());
    }

    @Test
    void providerIsRegistered(@TempDir Path tmp) throws IOException {
        CifarTestFiles.writeDir(tmp, CifarTestFiles.files());
        dev.kindling.kernel.Kernel k = (dev.kindling.kernel.Kernel) dev.kindling.api.spi.TensorRuntimes.get();
        Object ds = k.datasets().create("cifar10", Map.of("root", tmp, "train", false));
        assertEquals(4, ((Cifar10Dataset) ds).size());
    }
}
