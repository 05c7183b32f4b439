package dev.kindling.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kindling.api.DType;
import dev.kindling.api.Tensor;
import dev.kindling.api.Torch;
import dev.kindling.kernel.ops.DenseTensor;
import dev.kindling.nn.ModelSpec;
import dev.kindling.nn.Module;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** PyTorch checkpoints: files PyTorch 1.13 and 2.x wrote, files Kindling writes for PyTorch, and the error paths. */
class PyTorchFilesTest {
    static final Path FIXTURES = Path.of("src/test/resources/fixtures/pytorch");
    /** Where {@link #writesFilesForPyTorch()} leaves Kindling-written checkpoints for verify_pth.py. */
    static final Path INTEROP = Path.of("target/pytorch-interop");

    @TempDir
    Path dir;

    // ------------------------------------------------------------------ reading PyTorch's files

    @ParameterizedTest
    @ValueSource(strings = {"torch-1.13", "torch-2.x"})
    void readsEveryFixturePyTorchWrote(String version) throws IOException {
        JsonNode expected = new ObjectMapper().readTree(FIXTURES.resolve(version).resolve("expected.json").toFile()).get("files");
        int files = 0;
        for (Iterator<Map.Entry<String, JsonNode>> it = expected.fields(); it.hasNext(); files++) {
            Map.Entry<String, JsonNode> f = it.next();
            Map<String, Tensor> got = PyTorchFiles.load(FIXTURES.resolve(version).resolve(f.getKey()));
            checkAgainst(version + "/" + f.getKey(), f.getValue(), got);
        }
        assertTrue(files >= 5, "fixtures of " + version);
    }

    /** Checks keys (in order), dtype, shape, stride, offset, exact values and which keys share a storage. */
    static void checkAgainst(String file, JsonNode want, Map<String, Tensor> got) {
        List<String> keys = new ArrayList<>();
        want.fieldNames().forEachRemaining(keys::add);
        assertEquals(keys, new ArrayList<>(got.keySet()), file + " keys");
        Map<Integer, Object> storageOfGroup = new LinkedHashMap<>();
        Map<Object, Integer> groupOfStorage = new IdentityHashMap<>();
        for (String k : keys) {
            JsonNode w = want.get(k);
            Tensor t = got.get(k);
            String what = file + " '" + k + "'";
            assertEquals(DType.of(w.get("dtype").asText()), t.dtype(), what + " dtype");
            assertArrayEquals(longs(w.get("shape")), t.shape(), what + " shape");
            assertArrayEquals(longs(w.get("stride")), t.stride(), what + " stride");
            assertEquals(w.get("offset").asLong(), t.storageOffset(), what + " storage offset");
            JsonNode data = w.get("data");
            if (t.dtype().isFloatingPoint()) {
                double[] v = t.toDoubleArray();
                assertEquals(data.size(), v.length, what + " numel");
                for (int i = 0; i < v.length; i++) {
                    double e = Double.parseDouble(data.get(i).asText());
                    assertEquals(Double.doubleToLongBits(e), Double.doubleToLongBits(v[i]), what + " element " + i + ": " + e + " vs " + v[i]);
                }
            } else if (t.dtype() == DType.BOOL) {
                boolean[] v = t.toBooleanArray();
                for (int i = 0; i < v.length; i++) assertEquals(data.get(i).asBoolean(), v[i], what + " element " + i);
            } else {
                assertArrayEquals(longs(data), t.toLongArray(), what + " values");
            }
            Object storage = ((DenseTensor) t).storage();
            int group = w.get("storage").asInt();
            Object first = storageOfGroup.putIfAbsent(group, storage);
            if (first != null) assertSame(first, storage, what + " shares the storage of its group " + group);
            Integer g = groupOfStorage.putIfAbsent(storage, group);
            if (g != null) assertEquals(g.intValue(), group, what + " must not share a storage with group " + g);
        }
    }

    static long[] longs(JsonNode a) {
        long[] v = new long[a.size()];
        for (int i = 0; i < v.length; i++) v[i] = a.get(i).isBoolean() ? (a.get(i).asBoolean() ? 1 : 0) : a.get(i).asLong();
        return v;
    }

    @Test
    void aRealModelsStateDictLoadsIntoAKindlingModel() {
        Map<String, Tensor> sd = Torch.load(FIXTURES.resolve("torch-2.x/model.pth").toString());
        assertEquals(List.of("conv.weight", "conv.bias", "bn.weight", "bn.bias", "bn.running_mean", "bn.running_var",
                "bn.num_batches_tracked", "fc.weight", "fc.bias"), new ArrayList<>(sd.keySet()));
        assertEquals(1L, sd.get("bn.num_batches_tracked").toLongArray()[0]);
        assertEquals(0, sd.get("bn.num_batches_tracked").dim());
        Module m = ModelSpec.fromJson("[{\"type\":\"conv2d\",\"in\":1,\"out\":2,\"kernel\":3},{\"type\":\"batchnorm2d\",\"features\":2},"
                + "{\"type\":\"relu\"},{\"type\":\"flatten\"},{\"type\":\"linear\",\"in\":8,\"out\":3}]").build();
        Map<String, Tensor> renamed = new LinkedHashMap<>();
        String[] ours = {"0", "1", "4"};
        String[] theirs = {"conv", "bn", "fc"};
        sd.forEach((k, v) -> {
            for (int i = 0; i < 3; i++) if (k.startsWith(theirs[i] + ".")) renamed.put(ours[i] + k.substring(theirs[i].length()), v);
        });
        m.loadStateDict(renamed);
        assertArrayEquals(sd.get("fc.weight").toDoubleArray(), m.stateDict().get("4.weight").toDoubleArray());
    }

    @Test
    void nestedContainersFlattenWithDottedKeys() throws IOException {
        Map<String, Tensor> got = PyTorchFiles.load(FIXTURES.resolve("torch-1.13/nested.pt"));
        assertEquals(List.of("model.w", "model.b", "list.0", "list.1", "tup.0"), new ArrayList<>(got.keySet()));
    }

    // ------------------------------------------------------------------ writing for PyTorch

    /** Every Kindling dtype, shared storage, views, non-contiguous, 0-dim, empty. */
    static Map<String, Tensor> kindlingTensors() {
        Map<String, Tensor> m = new LinkedHashMap<>();
        m.put("f32", Torch.tensor(new float[] {1.5f, -0f, Float.POSITIVE_INFINITY, Float.NaN, Float.MIN_VALUE, Float.MAX_VALUE}));
        m.put("f64", Torch.tensor(new double[] {Math.PI, -1e300, Double.MIN_VALUE}, 3));
        m.put("f16", Torch.tensor(new double[] {0.5, -1.25, 65504}, DType.FLOAT64, 3).to(DType.FLOAT16));
        m.put("bf16", Torch.tensor(new double[] {1, -3.140625, 1e30}, DType.FLOAT64, 3).to(DType.BFLOAT16));
        m.put("i64", Torch.tensor(new long[] {1, -2, 1L << 40, Long.MIN_VALUE, Long.MAX_VALUE}, 5));
        m.put("i32", Torch.tensor(new int[] {7, -8, Integer.MAX_VALUE, Integer.MIN_VALUE}, 2, 2));
        m.put("i8", Torch.tensor(new long[] {-128, 0, 127}, 3).to(DType.INT8));
        m.put("u8", Torch.tensor(new byte[] {0, 1, (byte) 128, (byte) 255}, 4));
        m.put("bool", Torch.tensor(new boolean[] {true, false, true}, 3));
        m.put("one", Torch.tensor(new double[] {2.5}, DType.FLOAT32));
        m.put("scalar0d", Torch.tensor(new float[] {-7f}, 1).reshape());
        m.put("empty", Torch.tensor(new float[0], 0, 3));
        Tensor base = Torch.arange(24L).to(DType.FLOAT32).view(4, 6);
        m.put("base", base);
        m.put("row", base.index("1"));
        m.put("col", base.index(":, 2"));
        m.put("t", base.t());
        m.put("slice", base.index("1:3, ::2"));
        m.put("alias", base); // the same tensor under two keys, as tied weights
        m.put("tail", Torch.arange(10L).index("7:")); // a view whose base is not saved: the whole storage is written
        return m;
    }

    @Test
    void roundTripKeepsValuesLayoutsAndSharing() throws IOException {
        Map<String, Tensor> src = kindlingTensors();
        Path p = dir.resolve("all.pth");
        PyTorchFiles.save(src, p);
        Map<String, Tensor> back = PyTorchFiles.load(p);
        assertEquals(new ArrayList<>(src.keySet()), new ArrayList<>(back.keySet()));
        for (String k : src.keySet()) {
            Tensor a = src.get(k), b = back.get(k);
            assertEquals(a.dtype(), b.dtype(), k);
            assertArrayEquals(a.shape(), b.shape(), k);
            assertArrayEquals(a.stride(), b.stride(), k);
            assertEquals(a.storageOffset(), b.storageOffset(), k);
            if (a.dtype().isFloatingPoint()) {
                double[] x = a.toDoubleArray(), y = b.toDoubleArray();
                for (int i = 0; i < x.length; i++) assertEquals(Double.doubleToLongBits(x[i]), Double.doubleToLongBits(y[i]), k + "[" + i + "]");
            } else if (a.dtype() == DType.BOOL) {
                assertArrayEquals(a.toBooleanArray(), b.toBooleanArray(), k);
            } else {
                assertArrayEquals(a.toLongArray(), b.toLongArray(), k);
            }
        }
        Object baseStorage = ((DenseTensor) back.get("base")).storage();
        for (String k : List.of("row", "col", "t", "slice", "alias")) assertSame(baseStorage, ((DenseTensor) back.get(k)).storage(), k);
        assertNotSame(baseStorage, ((DenseTensor) back.get("f32")).storage());
        assertEquals(10, back.get("tail").storageOffset() + 3);
        try (ZipFile z = new ZipFile(p.toFile())) {
            long storages = z.stream().filter(e -> e.getName().startsWith("all/data/")).count();
            assertEquals(src.size() - 5, storages, "one record per distinct storage");
            assertTrue(z.getEntry("all/data.pkl") != null && z.getEntry("all/version") != null && z.getEntry("all/byteorder") != null);
        }
        // every record's data starts on a 64-byte boundary (local headers: name length at +26, extra length at +28)
        byte[] raw = Files.readAllBytes(p);
        int records = 0;
        for (int at = 0; at + 30 <= raw.length && raw[at] == 'P' && raw[at + 1] == 'K' && raw[at + 2] == 3 && raw[at + 3] == 4; records++) {
            int nameLen = (raw[at + 26] & 0xff) | (raw[at + 27] & 0xff) << 8, extraLen = (raw[at + 28] & 0xff) | (raw[at + 29] & 0xff) << 8;
            long size = (raw[at + 22] & 0xffL) | (raw[at + 23] & 0xffL) << 8 | (raw[at + 24] & 0xffL) << 16 | (raw[at + 25] & 0xffL) << 24;
            int data = at + 30 + nameLen + extraLen;
            assertEquals(0, data % 64, "record " + new String(raw, at + 30, nameLen, StandardCharsets.UTF_8) + " data at " + data);
            at = data + (int) size;
        }
        assertEquals(src.size() - 5 + 5, records, "data.pkl, .format_version, .storage_alignment, byteorder, version and the storages");
        // written twice, byte for byte the same
        Path q = dir.resolve("again/all.pth");
        PyTorchFiles.save(src, q);
        assertArrayEquals(Files.readAllBytes(p), Files.readAllBytes(q));
    }

    @Test
    void writesFilesForPyTorch() throws IOException {
        Files.createDirectories(INTEROP);
        ObjectNode expected = new ObjectMapper().createObjectNode();
        Map<String, Tensor> all = kindlingTensors();
        write(expected, "kindling_tensors.pth", all);
        Torch.manualSeed(3);
        Module m = ModelSpec.fromJson("[{\"type\":\"conv2d\",\"in\":1,\"out\":2,\"kernel\":3},{\"type\":\"batchnorm2d\",\"features\":2},"
                + "{\"type\":\"relu\"},{\"type\":\"flatten\"},{\"type\":\"linear\",\"in\":8,\"out\":3}]").build();
        write(expected, "kindling_model.pt", m.stateDict());
        write(expected, "kindling_empty.bin", Map.of());
        Files.writeString(INTEROP.resolve("expected.json"), expected.toPrettyString());
    }

    private static void write(ObjectNode expected, String name, Map<String, Tensor> sd) throws IOException {
        Torch.save(sd, INTEROP.resolve(name).toString()); // through the kernel's format, by file name
        ObjectNode f = expected.putObject(name);
        Map<Object, Integer> groups = new IdentityHashMap<>();
        for (Map.Entry<String, Tensor> e : sd.entrySet()) {
            Tensor t = e.getValue();
            ObjectNode o = f.putObject(e.getKey());
            o.put("dtype", torchName(t.dtype()));
            ArrayNode shape = o.putArray("shape");
            for (long s : t.shape()) shape.add(s);
            ArrayNode stride = o.putArray("stride");
            for (long s : t.stride()) stride.add(s);
            o.put("offset", t.storageOffset());
            Object st = ((DenseTensor) t).storage();
            groups.putIfAbsent(st, groups.size());
            o.put("storage", groups.get(st));
            ArrayNode data = o.putArray("data");
            if (t.dtype().isFloatingPoint()) for (double v : t.toDoubleArray()) data.add(hex(v));
            else if (t.dtype() == DType.BOOL) for (boolean v : t.toBooleanArray()) data.add(v);
            else for (long v : t.toLongArray()) data.add(v);
        }
        assertTrue(Files.size(INTEROP.resolve(name)) > 0);
    }

    static String torchName(DType t) {
        switch (t) {
            case FLOAT32: return "float32";
            case FLOAT64: return "float64";
            case FLOAT16: return "float16";
            case BFLOAT16: return "bfloat16";
            case INT64: return "int64";
            case INT32: return "int32";
            case INT8: return "int8";
            case UINT8: return "uint8";
            default: return "bool";
        }
    }

    /** As Python's float.hex (Java's hex form parses in Python's float.fromhex). */
    static String hex(double v) {
        if (Double.isNaN(v)) return "NaN";
        if (Double.isInfinite(v)) return v > 0 ? "Infinity" : "-Infinity";
        return Double.toHexString(v);
    }

    // ------------------------------------------------------------------ file names, atomicity, errors

    @Test
    void theFileNameChoosesTheFormat() throws IOException {
        Map<String, Tensor> sd = Map.of("w", Torch.tensor(new float[] {1, 2}));
        for (String n : List.of("a.pt", "b.pth", "c.bin", "D.PTH")) {
            Torch.save(sd, dir.resolve(n));
            byte[] b = Files.readAllBytes(dir.resolve(n));
            assertTrue(b[0] == 'P' && b[1] == 'K', n + " is a zip");
            assertArrayEquals(new double[] {1, 2}, Torch.load(dir.resolve(n)).get("w").toDoubleArray());
        }
        Torch.save(sd, dir.resolve("e.safetensors").toString());
        assertFalse(Files.readAllBytes(dir.resolve("e.safetensors"))[0] == 'P');
        assertEquals(Map.of("format", "pt"), Safetensors.read(dir.resolve("e.safetensors"), dev.kindling.api.Device.CPU).metadata());
        // a checkpoint under another name: the safetensors error says what to do
        Files.copy(dir.resolve("a.pt"), dir.resolve("f.ckpt"));
        var e = assertThrows(java.io.UncheckedIOException.class, () -> Torch.load(dir.resolve("f.ckpt")));
        assertTrue(e.getMessage().contains("name it .pt, .pth or .bin"), e.getMessage());
    }

    @Test
    void aFailedWriteLeavesTheOldFile() throws IOException {
        Path p = dir.resolve("keep.pth");
        PyTorchFiles.save(Map.of("w", Torch.tensor(new float[] {1, 2})), p);
        byte[] before = Files.readAllBytes(p);
        Map<String, Tensor> bad = new LinkedHashMap<>();
        bad.put("ok", Torch.tensor(new float[] {3}));
        bad.put("broken", null);
        assertThrows(IllegalArgumentException.class, () -> PyTorchFiles.save(bad, p));
        assertArrayEquals(before, Files.readAllBytes(p));
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(List.of("keep.pth"), s.map(x -> x.getFileName().toString()).toList(), "no temporary file left");
        }
    }

    /** A zip archive {@code archive/...} with the given records. */
    static byte[] zip(Map<String, byte[]> records) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream z = new ZipOutputStream(bytes)) {
            for (Map.Entry<String, byte[]> r : records.entrySet()) {
                z.putNextEntry(new ZipEntry(r.getKey()));
                z.write(r.getValue());
                z.closeEntry();
            }
        }
        return bytes.toByteArray();
    }

    static byte[] pickle(String s) { return s.getBytes(StandardCharsets.ISO_8859_1); }

    private PyTorchFileException loadFails(byte[] file) throws IOException {
        Path p = dir.resolve("bad.pt");
        Files.write(p, file);
        return assertThrows(PyTorchFileException.class, () -> PyTorchFiles.load(p));
    }

    private PyTorchFileException pickleFails(String pkl) throws IOException {
        Map<String, byte[]> r = new LinkedHashMap<>();
        r.put("archive/data.pkl", pickle(pkl));
        r.put("archive/data/0", new byte[48]);
        return loadFails(zip(r));
    }

    @Test
    void errorsNameTheFileTheEntryTheOffsetAndTheProblem() throws IOException {
        PyTorchFileException e = pickleFails("\u0080\u0002cos\nsystem\nX\u0002\u0000\u0000\u0000lsR.");
        assertTrue(e.getMessage().startsWith(dir.resolve("bad.pt").toString()), e.getMessage());
        assertTrue(e.getMessage().contains("entry 'archive/data.pkl', pickle offset 2, opcode 'c'"), e.getMessage());
        assertTrue(e.getMessage().contains("global 'os.system' is not allowed"), e.getMessage());

        has(pickleFails("\u0080\u0002))R."), "REDUCE of a tuple");
        has(pickleFails("\u0080\u0002ctorch\nFloatStorage\n)R."), "cannot be called");
        has(pickleFails("\u0080\u0002ccollections\nOrderedDict\n)\u0081."), "NEWOBJ of collections.OrderedDict is not allowed");
        has(pickleFails("\u0080\u0002h\u0007."), "memo index 7 was never stored");
        has(pickleFails("\u0080\u0002X\u00ff\u00ff\u00ff\u007f."), "more bytes but the pickle has");
        has(pickleFails("\u0080\u0002}X\u0005\u0000\u0000\u0000epochK\u0003s."), "'epoch' is an int, not a tensor");
        String v2 = "ctorch._utils\n_rebuild_tensor_v2\n";
        String st = "(X\u0007\u0000\u0000\u0000storagectorch\nFloatStorage\nX\u0001\u0000\u0000\u00000X\u0003\u0000\u0000\u0000cpuK\u000ctQ";
        String ok = "\u0080\u0002}X\u0001\u0000\u0000\u0000w" + v2 + "(" + st + "K\u0000K\u000c\u0085K\u0001\u0085\u0089}tRs.";
        assertEquals(12, loadOk(ok).get("w").numel());
        e = pickleFails("\u0080\u0002}X\u0001\u0000\u0000\u0000w" + v2 + "(" + st + "K\u0005K\u000c\u0085K\u0001\u0085\u0089}tRs.");
        assertTrue(e.getMessage().contains("reaches element 16 of storage '0', which has 12"), e.getMessage());
        assertTrue(e.getMessage().contains("opcode 'R'"), e.getMessage());
        e = pickleFails("\u0080\u0002}X\u0001\u0000\u0000\u0000w" + v2 + "(" + st.replace("FloatStorage", "ShortStorage") + "K\u0000K\u000c\u0085K\u0001\u0085\u0089}tRs.");
        assertTrue(e.getMessage().contains("torch.ShortStorage, a dtype Kindling does not support"), e.getMessage());
        e = pickleFails("\u0080\u0002}X\u0001\u0000\u0000\u0000w" + v2 + "(" + st.replace("K\u000ctQ", "J\u0000\u0000\u0000\u0001tQ") + "K\u0000K\u000c\u0085K\u0001\u0085\u0089}tRs.");
        assertTrue(e.getMessage().contains("more than the file"), e.getMessage());
        // a storage record of the wrong size
        Map<String, byte[]> r = new LinkedHashMap<>();
        r.put("archive/data.pkl", pickle(ok));
        r.put("archive/data/0", new byte[40]);
        e = loadFails(zip(r));
        assertTrue(e.getMessage().contains("entry 'archive/data/0'") && e.getMessage().contains("needs 48"), e.getMessage());
        // a TorchScript archive, a single tensor, not a checkpoint at all
        r.clear();
        r.put("m/constants.pkl", pickle("\u0080\u0002).")); r.put("m/code/", new byte[0]);
        has(loadFails(zip(r)), "TorchScript");
        has(pickleFails("\u0080\u0002" + v2 + "(" + st + "K\u0000K\u000c\u0085K\u0001\u0085\u0089}tR."), "a single tensor");
        has(loadFails("hello world".getBytes(StandardCharsets.US_ASCII)), "not a PyTorch checkpoint");
    }

    private static void has(Exception e, String part) {
        assertTrue(e.getMessage().contains(part), "expected '" + part + "' in: " + e.getMessage());
    }

    private Map<String, Tensor> loadOk(String pkl) throws IOException {
        Map<String, byte[]> r = new LinkedHashMap<>();
        r.put("archive/data.pkl", pickle(pkl));
        r.put("archive/data/0", new byte[48]);
        Path p = dir.resolve("good.pt");
        Files.write(p, zip(r));
        return PyTorchFiles.load(p);
    }
}
