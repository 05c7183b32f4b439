package dev.kindling.datasets;

import dev.kindling.api.DType;
import dev.kindling.api.Tensor;
import dev.kindling.api.spi.TensorRuntimes;
import dev.kindling.data.Batch;
import dev.kindling.data.Collate;
import dev.kindling.data.DataLoader;
import dev.kindling.data.Dataset;
import dev.kindling.data.DatasetNotFoundException;
import dev.kindling.data.Sample;
import dev.kindling.data.transforms.Compose;
import dev.kindling.data.transforms.Normalize;
import dev.kindling.data.transforms.ToTensor;
import dev.kindling.kernel.Kernel;
import dev.kindling.kernel.spi.Provider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The dev.kindling.datasets classes as API.md names them, on a plain classpath. */
class DatasetsContractTest {
    static void idx(Path dir, String split, int n) throws IOException {
        Files.createDirectories(dir);
        ByteBuffer img = ByteBuffer.allocate(16 + n * 784).putInt(0x803).putInt(n).putInt(28).putInt(28);
        for (int i = 0; i < n * 784; i++) img.put((byte) i);
        ByteBuffer lab = ByteBuffer.allocate(8 + n).putInt(0x801).putInt(n);
        for (int i = 0; i < n; i++) lab.put((byte) (i % 10));
        Files.write(dir.resolve(split + "-images-idx3-ubyte"), img.array());
        Files.write(dir.resolve(split + "-labels-idx1-ubyte"), lab.array());
    }

    @Test
    void mnistAsInTheContract(@TempDir Path tmp) throws IOException {
        idx(tmp.resolve("MNIST/raw"), "train", 70);
        Dataset<Sample> ds = new MNIST(tmp, true, new Compose<>(new ToTensor(), new Normalize(new double[] {0.1307}, new double[] {0.3081})));
        DataLoader<Sample> loader = DataLoader.builder(ds).batchSize(64).shuffle(true).dropLast(false).numWorkers(2).seed(0)
                .collate(Collate.defaultCollate()).build();
        assertEquals(2, loader.size());
        int n = 0;
        for (Batch b : loader) {
            if (n == 0) assertArrayEquals(new long[] {64, 1, 28, 28}, b.inputs().shape());
            n += b.size();
        }
        assertEquals(70, n);
        Sample raw = new MNIST(tmp, true).get(0);
        assertArrayEquals(new long[] {28, 28, 1}, raw.input().shape());
        assertEquals(DType.UINT8, raw.input().dtype());
        assertEquals(0, raw.target().dim());
        assertEquals(DType.INT64, raw.target().dtype());
        DatasetNotFoundException e = assertThrows(DatasetNotFoundException.class, () -> new MNIST(tmp.resolve("elsewhere"), false));
        assertTrue(e.getMessage().contains("MNIST test images not found") && e.getMessage().contains("never downloads"), e.getMessage());
    }

    @Test
    void fashionMnistFromTheDebianPackage() {
        if (!FashionMNIST.isInstalled()) System.out.println("[DatasetsContractTest] Fashion-MNIST is not installed: skipping fashionMnistFromTheDebianPackage");
        assumeTrue(FashionMNIST.isInstalled(), "Fashion-MNIST is not installed in " + FashionMNIST.DEFAULT_ROOT
                + " (apt-get install dataset-fashion-mnist): skipping");
        assertEquals(60_000, new FashionMNIST(true).size());
        FashionMNIST test = new FashionMNIST(false, new ToTensor());
        assertEquals(10_000, test.size());
        assertArrayEquals(new long[] {1, 28, 28}, test.get(0).input().shape());
        assertEquals("Ankle boot", test.classes().get((int) test.get(0).target().itemLong()));
    }

    @Test
    void cifarDigitsIrisCsv(@TempDir Path tmp) throws IOException {
        byte[] batch = new byte[2 * 3073];
        batch[3073] = 7;
        for (int k = 1; k <= 5; k++) Files.write(tmp.resolve("data_batch_" + k + ".bin"), batch);
        Files.write(tmp.resolve("test_batch.bin"), batch);
        CIFAR10 cifar = new CIFAR10(tmp, true);
        assertEquals(10, cifar.size());
        assertArrayEquals(new long[] {32, 32, 3}, cifar.get(1).input().shape());
        assertEquals(7, cifar.get(1).target().itemLong());
        assertArrayEquals(new long[] {3, 32, 32}, new CIFAR10(tmp, false, new ToTensor()).get(0).input().shape());

        assertEquals(1797, new Digits().size());
        assertEquals(150, new Iris().size());
        Tensor scaled = new Digits(t -> t.div(16.0)).get(0).input();
        assertEquals(13 / 16.0, scaled.toFloatArray()[3], 1e-6);

        Path csv = tmp.resolve("t.csv");
        Files.writeString(csv, "a,b,c,y\n1,2,3,0\n4,5,6,1\n");
        assertEquals(3, new CsvDataset(csv).numFeatures());
        assertEquals(List.of("c", "a"), new CsvDataset(csv, new String[] {"c", "a"}, "y").featureNames());
        assertArrayEquals(new float[] {5, 6}, new CsvDataset(csv, true, new int[] {1, 2}, 3).get(1).input().toFloatArray());
    }

    @Test
    void everyDatasetFamilyRegistersItsProvider() {
        Kernel k = (Kernel) TensorRuntimes.get();
        List<String> names = k.datasets().all().stream().map(Provider::name).collect(Collectors.toList());
        assertTrue(names.containsAll(List.of("cifar10", "csv", "digits", "fashion-mnist", "iris", "mnist")), names.toString());
    }
}
