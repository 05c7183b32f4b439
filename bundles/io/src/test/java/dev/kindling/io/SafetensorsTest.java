package dev.kindling.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kindling.api.DType;
import dev.kindling.api.Tensor;
import dev.kindling.api.Torch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

class SafetensorsTest {
    @TempDir
    Path dir;

    private static Path fixture(String name) throws IOException {
        Path p = Path.of("src/test/resources/fixtures", name);
        if (!Files.exists(p)) throw new IOException("fixture missing: " + p.toAbsolutePath());
        return p;
    }

    private static JsonNode expected() throws IOException {
        try (InputStream in = Files.newInputStream(fixture("expected.json"))) {
            return new ObjectMapper().readTree(in);
        }
    }

    /** The tensors of expected.json, built with Kindling's API. */
    private static Map<String, Tensor> expectedTensors() throws IOException {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (var it = expected().fields(); it.hasNext(); ) {
            var e = it.next();
            DType dt = DType.of(e.getValue().get("dtype").asText());
            JsonNode data = e.getValue().get("data");
            long[] shape = new long[e.getValue().get("shape").size()];
            for (int i = 0; i < shape.length; i++) shape[i] = e.getValue().get("shape").get(i).asLong();
            Tensor t;
            if (dt.isFloatingPoint()) {
                double[] v = new double[data.size()];
                for (int i = 0; i < v.length; i++) v[i] = data.get(i).asDouble();
                t = Torch.tensor(v, DType.FLOAT64, v.length).to(dt);
            } else if (dt == DType.BOOL) {
                boolean[] v = new boolean[data.size()];
                for (int i = 0; i < v.length; i++) v[i] = data.get(i).asBoolean();
                t = Torch.tensor(v, v.length);
            } else {
                long[] v = new long[data.size()];
                for (int i = 0; i < v.length; i++) v[i] = data.get(i).asLong();
                t = Torch.tensor(v, v.length).to(dt);
            }
            out.put(e.getKey(), t.reshape(shape));
        }
        return out;
    }

    private static void assertSameTensor(String name, Tensor want, Tensor got) {
        assertEquals(want.dtype(), got.dtype(), name + " dtype");
        assertArrayEquals(want.shape(), got.shape(), name + " shape");
        if (want.dtype().isFloatingPoint()) assertArrayEquals(want.toDoubleArray(), got.toDoubleArray(), name + " values");
        else assertArrayEquals(want.toLongArray(), got.toLongArray(), name + " values");
    }

    @Test
    void readsAFileWrittenByPyTorch() throws IOException {
        Safetensors.Contents c = Safetensors.read(fixture("pytorch_written.safetensors"), dev.kindling.api.Device.CPU);
        assertEquals("pt", c.metadata().get("format"));
        Map<String, Tensor> want = expectedTensors();
        assertEquals(want.keySet(), c.tensors().keySet());
        want.forEach((k, t) -> assertSameTensor(k, t, c.tensors().get(k)));
        assertEquals(0, c.tensors().get("scalar").dim());
    }

    /**
     * kindling_written.safetensors was written by this writer and loaded by safetensors.torch
     * (src/test/python/safetensors_fixtures.py verify): the writer must keep producing exactly those bytes.
     */
    @Test
    void writesTheBytesPyTorchWasShownToLoad() throws IOException {
        Path out = dir.resolve("kindling_written.safetensors");
        Safetensors.save(expectedTensors(), Map.of("format", "pt"), out);
        Path committed = Path.of("src/test/resources/fixtures/kindling_written.safetensors");
        if (!Files.exists(committed)) {
            Path keep = Path.of("target/kindling_written.safetensors");
            Files.copy(out, keep, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            fail("verify " + keep + " with src/test/python/safetensors_fixtures.py, then commit it as " + committed);
        }
        assertArrayEquals(Files.readAllBytes(committed), Files.readAllBytes(out));
    }

    @Test
    void roundTripsThroughTorchSaveAndLoad() {
        Path p = dir.resolve("model.safetensors");
        Map<String, Tensor> sd = new LinkedHashMap<>();
        sd.put("w", Torch.randn(3, 4).t()); // non-contiguous
        sd.put("b", Torch.zeros(4));
        sd.put("steps", Torch.tensor(12L));
        Torch.save(sd, p);
        Map<String, Tensor> back = Torch.load(p);
        assertEquals(sd.keySet(), back.keySet());
        sd.forEach((k, t) -> assertSameTensor(k, t, back.get(k)));
    }

    @Test
    void missingFileSaysWhere() {
        Path p = dir.resolve("nope.safetensors");
        NoSuchFileException e = assertThrows(NoSuchFileException.class, () -> Safetensors.load(p));
        assertTrue(e.getMessage().contains(p.toString()), e.getMessage());
    }

    private Path fileWithHeader(String json, byte[] data) throws IOException {
        byte[] h = json.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h).put(data);
        Path p = dir.resolve("bad-" + Math.abs(json.hashCode()) + ".safetensors");
        Files.write(p, b.array());
        return p;
    }

    private void assertBad(Path p, String fragment) {
        SafetensorsException e = assertThrows(SafetensorsException.class, () -> Safetensors.load(p));
        assertTrue(e.getMessage().contains(fragment) && e.getMessage().contains(p.toString()), e.getMessage());
    }

    @Test
    void corruptFilesGetClearErrors() throws IOException {
        assertBad(fileWithHeader("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", new byte[4]), "cover 8 data bytes but the file holds 4");
        assertBad(fileWithHeader("{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", new byte[8]), "needs 12 bytes");
        assertBad(fileWithHeader("{\"a\":{\"dtype\":\"I16\",\"shape\":[1],\"data_offsets\":[0,2]}}", new byte[2]), "dtype I16");
        assertBad(fileWithHeader("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", new byte[8]), "gap or overlap");
        assertBad(fileWithHeader("{\"a\":{\"dtype\":\"BOOL\",\"shape\":[1],\"data_offsets\":[0,1]}}", new byte[] {7}), "holds byte 7");
        assertBad(fileWithHeader("{\"a\": [1, 2", new byte[0]), "not valid JSON");
        assertBad(fileWithHeader("{\"a\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,0]}}", new byte[0]), "invalid shape");
        assertBad(fileWithHeader("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},\"a\":{}}", new byte[4]), "not valid JSON");
        // a forged header length far beyond the file: rejected before any allocation
        ByteBuffer b = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(99_000_000L).putLong(0);
        Path forged = dir.resolve("forged.safetensors");
        Files.write(forged, b.array());
        assertBad(forged, "runs past the end of the file");
        Path tiny = dir.resolve("tiny.safetensors");
        Files.write(tiny, new byte[3]);
        assertBad(tiny, "too short");
        // shapes whose byte size overflows
        assertBad(fileWithHeader("{\"a\":{\"dtype\":\"F64\",\"shape\":[4294967296,4294967296],\"data_offsets\":[0,0]}}", new byte[0]), "overflows");
    }

    /** Random corruption of a valid file: only SafetensorsException, never another exception, a hang or a huge allocation. */
    @Test
    void fuzzedFilesFailOnlyWithTheDocumentedException() throws IOException {
        byte[] valid = Files.readAllBytes(fixture("pytorch_written.safetensors"));
        Random rnd = new Random(42);
        Path p = dir.resolve("fuzz.safetensors");
        int rejected = 0;
        for (int iter = 0; iter < 1500; iter++) {
            byte[] f = Arrays.copyOf(valid, valid.length);
            switch (iter % 4) {
                case 0: // bit flips anywhere
                    for (int k = 0; k < 1 + rnd.nextInt(4); k++) f[rnd.nextInt(f.length)] ^= (byte) (1 << rnd.nextInt(8));
                    break;
                case 1: // truncation
                    f = Arrays.copyOf(f, rnd.nextInt(f.length));
                    break;
                case 2: // forged header length
                    ByteBuffer.wrap(f).order(ByteOrder.LITTLE_ENDIAN).putLong(0, rnd.nextLong());
                    break;
                default: // digits in the header changed (shapes, offsets)
                    for (int k = 0; k < 3; k++) {
                        int i = 8 + rnd.nextInt(Math.min(f.length - 8, 600));
                        if (Character.isDigit(f[i])) f[i] = (byte) ('0' + rnd.nextInt(10));
                    }
            }
            Files.write(p, f);
            try {
                Safetensors.load(p);
            } catch (SafetensorsException e) {
                rejected++;
            } catch (Exception | OutOfMemoryError e) {
                throw new AssertionError("iteration " + iter + ": undocumented " + e, e);
            }
        }
        assertTrue(rejected > 500, "only " + rejected + " of 1500 corruptions were detected");
    }

    @Test
    void aWriteThatFailsHalfwayLeavesTheOldFileAndNoTemporaryFiles() throws IOException {
        Path p = dir.resolve("ckpt.safetensors");
        Torch.save(Map.of("x", Torch.ones(3)), p);
        byte[] before = Files.readAllBytes(p);
        assertThrows(IOException.class, () -> AtomicFiles.write(p, ch -> {
            ch.write(ByteBuffer.wrap(new byte[] {1, 2, 3}));
            throw new IOException("disk full (simulated)");
        }));
        assertArrayEquals(before, Files.readAllBytes(p));
        try (var files = Files.list(dir)) {
            assertEquals(1, files.count(), "temporary files left behind");
        }
    }

    @Test
    void bytesInMemoryAreTheFileFormatAndAreCheckedAsAFileIs(@TempDir Path dir) throws IOException {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        tensors.put("x", Torch.tensor(new float[] {1, 2, 3, 4, 5, 6}, 2, 3));
        tensors.put("mask", Torch.tensor(new boolean[] {true, false}, 2));
        byte[] bytes = Safetensors.toBytes(tensors, Map.of("id", "7"));
        Path file = dir.resolve("t.safetensors");
        Safetensors.save(tensors, Map.of("id", "7"), file);
        assertArrayEquals(Files.readAllBytes(file), bytes, "the same bytes as the file");
        Safetensors.Contents back = Safetensors.read(bytes, "a body", dev.kindling.api.Device.CPU);
        assertEquals(Map.of("id", "7"), back.metadata());
        assertSameTensor("x", tensors.get("x"), back.tensors().get("x"));
        assertSameTensor("mask", tensors.get("mask"), back.tensors().get("mask"));

        SafetensorsException shortData = assertThrows(SafetensorsException.class,
                () -> Safetensors.read(Arrays.copyOf(bytes, bytes.length - 1), "a body", dev.kindling.api.Device.CPU));
        assertEquals(null, shortData.file());
        assertTrue(shortData.getMessage().startsWith("a body (offset "), shortData.getMessage());
        assertTrue(shortData.getMessage().contains("the data holds"), shortData.getMessage());
        byte[] badBool = bytes.clone();
        badBool[badBool.length - 1] = 7;
        SafetensorsException e = assertThrows(SafetensorsException.class, () -> Safetensors.read(badBool, "a body", dev.kindling.api.Device.CPU));
        assertEquals(bytes.length - 1, e.offset(), e.getMessage());
        assertTrue(e.getMessage().contains("tensor 'mask' is BOOL but holds byte 7"), e.getMessage());
    }
}
