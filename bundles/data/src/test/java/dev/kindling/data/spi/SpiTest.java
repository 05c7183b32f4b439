package dev.kindling.data.spi;

import dev.kindling.api.Tensor;
import dev.kindling.data.Dataset;
import dev.kindling.data.DatasetFormatException;
import dev.kindling.data.Sample;
import dev.kindling.data.transforms.Compose;
import dev.kindling.data.transforms.Normalize;
import dev.kindling.data.transforms.RandomHorizontalFlip;
import dev.kindling.data.transforms.ToTensor;
import dev.kindling.data.transforms.Transform;
import dev.kindling.kernel.spi.ParameterSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SpiTest {
    @Test
    void imageFastPathEqualsTheGenericPath() {
        byte[] px = new byte[7 + 3 * 4 * 5];
        for (int i = 0; i < px.length; i++) px[i] = (byte) (i * 29 + 3);
        Normalize norm = new Normalize(new double[] {0.4, 0.5, 0.6}, new double[] {0.2, 0.25, 0.3});
        for (boolean chw : new boolean[] {false, true}) {
            Tensor raw = ImageInput.of(px, 7, 4, 5, 3, chw, null);
            assertArrayEquals(new long[] {4, 5, 3}, raw.shape());
            List<Transform<Tensor, Tensor>> ts = List.of(new ToTensor(), new Compose<>(new ToTensor(), norm));
            for (Transform<Tensor, Tensor> t : ts) {
                assertArrayEquals(t.apply(raw).toFloatArray(), ImageInput.of(px, 7, 4, 5, 3, chw, t).toFloatArray(), 0f, t.toString());
            }
            Tensor flipped = ImageInput.of(px, 7, 4, 5, 3, chw, new RandomHorizontalFlip(1.0));
            assertArrayEquals(RandomHorizontalFlip.hflip(raw).toIntArray(), flipped.toIntArray());
        }
    }

    static final class Probe extends AbstractDatasetProvider {
        Map<String, Object> seen;

        Probe() {
            super("probe", "test", ParameterSpec.required("root", "path", "r"), ParameterSpec.optional("train", "boolean", true, "t"),
                    ParameterSpec.optional("n", "int", 3, "n"), TRANSFORM);
        }

        @Override
        protected Dataset<Sample> create(Params p) {
            seen = Map.of("root", p.path("root"), "train", p.bool("train"), "n", p.integer("n"), "t", p.transform("transform") == null);
            return null;
        }
    }

    @Test
    void providerParametersAreChecked() {
        Probe p = new Probe();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> p.create(Map.of("train", true, "colour", 1)));
        assertTrue(e.getMessage().contains("missing required parameter [root]") && e.getMessage().contains("unknown parameter [colour]"), e.getMessage());
        p.create(Map.of("root", "/x", "train", "false", "n", "7"));
        assertEquals(Map.of("root", Path.of("/x"), "train", false, "n", 7, "t", true), p.seen);
        p.create(Map.of("root", "/y"));
        assertEquals(true, p.seen.get("train"));
        assertThrows(IllegalArgumentException.class, () -> p.create(Map.of("root", "/x", "train", "maybe")));
        assertThrows(IllegalArgumentException.class, () -> p.create(Map.of("root", "/x", "transform", "ToTensor")));
    }

    @Test
    void readAllDetectsGzipAndReportsCorruption(@TempDir Path dir) throws IOException {
        Path raw = dir.resolve("a.bin"), gz = dir.resolve("b.bin");
        Files.write(raw, new byte[] {1, 2, 3});
        try (OutputStream o = new GZIPOutputStream(Files.newOutputStream(gz))) {
            o.write(new byte[1000]);
        }
        assertEquals(3, DataFiles.readAll(raw).bytes().length);
        assertEquals(1000, DataFiles.readAll(gz).bytes().length);
        byte[] g = Files.readAllBytes(gz);
        Files.write(gz, java.util.Arrays.copyOf(g, g.length / 2));
        DatasetFormatException e = assertThrows(DatasetFormatException.class, () -> DataFiles.readAll(gz));
        assertTrue(e.getMessage().contains(gz.toString()) && e.getMessage().contains("gzip"), e.getMessage());
    }
}
