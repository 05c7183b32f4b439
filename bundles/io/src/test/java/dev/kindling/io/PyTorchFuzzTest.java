package dev.kindling.io;

import dev.kindling.api.Tensor;
import dev.kindling.api.Torch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fuzzes the PyTorch checkpoint reader with deterministic seeds: real fixture files truncated and bit-flipped, their
 * pickles mutated and re-zipped, their storage records resized, and hand-made hostile pickles. Every case must either
 * load or fail with {@link PyTorchFileException} naming the file; nothing else (no other exception, no
 * StackOverflowError or OutOfMemoryError), and no case may take long. The counts are printed.
 */
class PyTorchFuzzTest {
    private static final long SEED = 20240611L;
    private static final Duration PER_CASE = Duration.ofSeconds(5);

    @TempDir
    Path dir;

    private int loaded, rejected;
    private long slowestNanos;
    private final List<String> crashes = new ArrayList<>();
    private final Map<String, Integer> perKind = new LinkedHashMap<>();

    private static List<byte[]> corpus() throws IOException {
        List<byte[]> out = new ArrayList<>();
        try (Stream<Path> s = Files.walk(PyTorchFilesTest.FIXTURES)) {
            for (Path p : s.filter(p -> p.toString().matches(".*\\.(pt|pth)$")).sorted().toList()) out.add(Files.readAllBytes(p));
        }
        return out;
    }

    private final Map<String, Integer> loadedPerKind = new LinkedHashMap<>();
    private final List<String> hostileMessages = new ArrayList<>();

    private void check(String kind, long seed, byte[] file) throws IOException {
        Path p = dir.resolve("fuzz.pt");
        Files.write(p, file);
        perKind.merge(kind, 1, Integer::sum);
        long t0 = System.nanoTime();
        try {
            Map<String, Tensor> m = PyTorchFiles.load(p);
            for (Tensor t : m.values()) t.numel(); // touch the result
            loaded++;
            loadedPerKind.merge(kind, 1, Integer::sum);
        } catch (PyTorchFileException e) {
            if (!e.getMessage().startsWith(p.toString()) || e.getMessage().length() < p.toString().length() + 10) {
                crashes.add(kind + " seed " + seed + ": message does not name the file and problem: " + e.getMessage());
            }
            rejected++;
            if (kind.equals("hostile")) hostileMessages.add(e.getMessage().substring(p.toString().length()));
        } catch (Throwable e) { // anything else is a crash, OutOfMemoryError and StackOverflowError included
            crashes.add(kind + " seed " + seed + ": " + e);
            if (crashes.size() == 1) e.printStackTrace();
        }
        long dt = System.nanoTime() - t0;
        slowestNanos = Math.max(slowestNanos, dt);
        if (dt > PER_CASE.toNanos()) crashes.add(kind + " seed " + seed + ": took " + dt / 1_000_000 + " ms");
    }

    @Test
    void fuzzedFilesOnlyEverFailCleanly() {
        assertTimeoutPreemptively(Duration.ofMinutes(4), this::fuzz);
    }

    private void fuzz() throws IOException {
        List<byte[]> corpus = corpus();
        assertTrue(corpus.size() >= 10, "fixture corpus");
        Random rnd = new Random(SEED);
        // 1. truncation anywhere
        for (int i = 0; i < 1500; i++) {
            long seed = rnd.nextLong();
            Random r = new Random(seed);
            byte[] f = corpus.get(r.nextInt(corpus.size()));
            check("truncated", seed, java.util.Arrays.copyOf(f, r.nextInt(f.length)));
        }
        // 2. bit flips anywhere in the file
        for (int i = 0; i < 3000; i++) {
            long seed = rnd.nextLong();
            Random r = new Random(seed);
            byte[] f = corpus.get(r.nextInt(corpus.size())).clone();
            int flips = 1 + r.nextInt(8);
            for (int k = 0; k < flips; k++) f[r.nextInt(f.length)] ^= (byte) (1 << r.nextInt(8));
            check("bit flips", seed, f);
        }
        // 3. the pickle mutated, re-zipped with intact storages (reaches the unpickler past the zip layer)
        List<Map<String, byte[]>> archives = new ArrayList<>();
        for (byte[] f : corpus) if (f[0] == 'P') archives.add(unzip(f));
        for (int i = 0; i < 6000; i++) {
            long seed = rnd.nextLong();
            Random r = new Random(seed);
            Map<String, byte[]> a = new LinkedHashMap<>(archives.get(r.nextInt(archives.size())));
            String pklName = a.keySet().stream().filter(n -> n.endsWith("/data.pkl")).findFirst().orElseThrow();
            a.put(pklName, mutatePickle(a.get(pklName), r));
            check("pickle mutation", seed, PyTorchFilesTest.zip(a));
        }
        // 4. storage records resized or dropped
        for (int i = 0; i < 500; i++) {
            long seed = rnd.nextLong();
            Random r = new Random(seed);
            Map<String, byte[]> a = new LinkedHashMap<>(archives.get(r.nextInt(archives.size())));
            List<String> data = a.keySet().stream().filter(n -> n.contains("/data/")).toList();
            String victim = data.get(r.nextInt(data.size()));
            if (r.nextInt(4) == 0) a.remove(victim);
            else a.put(victim, java.util.Arrays.copyOf(a.get(victim), Math.max(0, a.get(victim).length + r.nextInt(17) - 8)));
            if (r.nextInt(4) == 0) a.put(a.keySet().iterator().next().split("/")[0] + "/byteorder", r.nextBoolean() ? "big".getBytes() : "middle".getBytes());
            check("storage records", seed, PyTorchFilesTest.zip(a));
        }
        // 5. hand-made hostile pickles
        List<String> hostile = hostile();
        for (int i = 0; i < hostile.size(); i++) {
            Map<String, byte[]> a = new LinkedHashMap<>();
            a.put("archive/data.pkl", hostile.get(i).getBytes(StandardCharsets.ISO_8859_1));
            a.put("archive/data/0", new byte[48]);
            check("hostile", i, PyTorchFilesTest.zip(a));
        }
        int total = loaded + rejected + crashes.size();
        System.out.println("PyTorch reader fuzz: " + total + " cases " + perKind + ": " + loaded + " loaded, " + rejected
                + " rejected with PyTorchFileException, " + crashes.size() + " crashes; slowest case " + slowestNanos / 1_000_000 + " ms; loaded per kind "
                + loadedPerKind);
        if (Boolean.getBoolean("fuzz.verbose")) hostileMessages.forEach(m -> System.out.println("  hostile" + m));
        assertEquals(hostile.size(), hostileMessages.size(), "every hostile pickle is rejected");
        assertEquals(List.of(), crashes.subList(0, Math.min(20, crashes.size())));
        assertTrue(rejected > 0 && loaded > 0);
    }

    static Map<String, byte[]> unzip(byte[] file) throws IOException {
        Path tmp = Files.createTempFile("unzip", ".zip");
        try {
            Files.write(tmp, file);
            Map<String, byte[]> out = new LinkedHashMap<>();
            try (ZipFile z = new ZipFile(tmp.toFile())) {
                for (ZipEntry e : z.stream().toList()) out.put(e.getName(), z.getInputStream(e).readAllBytes());
            }
            return out;
        } finally {
            Files.delete(tmp);
        }
    }

    private static final byte[] OPCODES = "()0NJKMXUCB]ae}dsuhjqrcQRbtlp.\u0080\u0081\u0085\u0086\u0087\u0088\u0089\u008a\u008b\u008c\u008d\u0093\u0094\u0095G"
            .getBytes(StandardCharsets.ISO_8859_1);

    static byte[] mutatePickle(byte[] pkl, Random r) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] b = pkl.clone();
        int kind = r.nextInt(6);
        switch (kind) {
            case 0: for (int k = 0, n = 1 + r.nextInt(4); k < n; k++) b[r.nextInt(b.length)] = (byte) r.nextInt(256); return b;
            case 1: for (int k = 0, n = 1 + r.nextInt(4); k < n; k++) b[r.nextInt(b.length)] = OPCODES[r.nextInt(OPCODES.length)]; return b;
            case 2: { // delete a range
                int at = r.nextInt(b.length), len = Math.min(b.length - at, 1 + r.nextInt(16));
                out.write(b, 0, at);
                out.write(b, at + len, b.length - at - len);
                return out.toByteArray();
            }
            case 3: { // duplicate a range
                int at = r.nextInt(b.length), len = Math.min(b.length - at, 1 + r.nextInt(32));
                out.write(b, 0, at + len);
                out.write(b, at, b.length - at);
                return out.toByteArray();
            }
            case 4: { // insert an opcode with a hostile argument
                int at = r.nextInt(b.length);
                out.write(b, 0, at);
                out.write(OPCODES[r.nextInt(OPCODES.length)]);
                int n = r.nextInt(9);
                for (int k = 0; k < n; k++) out.write(r.nextBoolean() ? 0xff : r.nextInt(256));
                out.write(b, at, b.length - at);
                return out.toByteArray();
            }
            default: { // change an integer argument: BININT1/BININT2/BININT operands become large
                for (int k = 0; k < 20; k++) {
                    int at = r.nextInt(b.length - 1);
                    if (b[at] == 'K') { b[at + 1] = (byte) (r.nextBoolean() ? 0xff : r.nextInt(256)); break; }
                    if (b[at] == 'J' && at + 4 < b.length) { b[at + 4] = (byte) (r.nextBoolean() ? 0x7f : 0x80); break; }
                }
                return b;
            }
        }
    }

    static List<String> hostile() {
        String p = "\u0080\u0002";
        String v2 = "ctorch._utils\n_rebuild_tensor_v2\n";
        String st = "(X\u0007\u0000\u0000\u0000storagectorch\nFloatStorage\nX\u0001\u0000\u0000\u00000X\u0003\u0000\u0000\u0000cpuK\u000ctQ";
        List<String> h = new ArrayList<>(List.of(
                p + "cos\nsystem\nX\u0002\u0000\u0000\u0000ls\u0085R.",                 // GLOBAL os system + REDUCE
                p + "cposix\nsystem\n(X\u0002\u0000\u0000\u0000idtR.",
                p + "cbuiltins\neval\nX\u0004\u0000\u0000\u00001+1\u0085R.",
                p + "c__builtin__\nexec\n.",
                p + "ctorch\nload\n.",
                p + "csubprocess\nPopen\n]\u0085R.",
                p + "(ios\nsystem\nX\u0002\u0000\u0000\u0000ls.",                     // INST
                p + "(cos\nsystem\nX\u0002\u0000\u0000\u0000lso.",                     // OBJ
                p + "ccollections\nOrderedDict\n)\u0081.",                             // NEWOBJ
                p + ")X\u0001\u0000\u0000\u0000a\u0085R.",                             // REDUCE of a tuple
                p + "X\u0004\u0000\u0000\u0000eval)R.",                                 // REDUCE of a str
                p + "ctorch\nFloatStorage\n)R.",                                       // calling a storage class
                p + "ctorch\nSize\nX\u0001\u0000\u0000\u0000a\u0085R.",
                p + "X\u0005\u0000\u0000\u0000torchX\u0004\u0000\u0000\u0000load\u0093.",  // STACK_GLOBAL
                p + "h\u00ff.", p + "j\u00ff\u00ff\u00ff\u00ff.",                     // memo never stored
                p + "]K\u0001ar\u00ff\u00ff\u00ff\u00ffj\u00ff\u00ff\u00ff\u00ff\u0086.",    // huge memo index: a map, no array
                p + "X\u00ff\u00ff\u00ff\u00ff.", p + "X\u00ff\u00ff\u00ff\u007f.",   // huge BINUNICODE
                p + "\u008d\u00ff\u00ff\u00ff\u00ff\u00ff\u00ff\u00ff\u007f.",        // huge BINUNICODE8
                p + "\u008b\u00ff\u00ff\u00ff\u007f.", p + "\u008b\u00ff\u00ff\u00ff\u00ff.", // huge LONG4
                p + "B\u00ff\u00ff\u00ff\u00ff.", p + "\u008c\u0009abc.",
                p + "cos\nsys", p + "c" + "a".repeat(100000) + "\nb\n.",
                p + "}X\u0001\u0000\u0000\u0000w" + v2 + "(" + st + "J\u0000\u0000\u0000\u0040K\u000c\u0085K\u0001\u0085\u0089}tRs.", // offset past the end
                p + "}X\u0001\u0000\u0000\u0000w" + v2 + "(" + st + "K\u0000J\u00ff\u00ff\u00ff\u007fJ\u00ff\u00ff\u00ff\u007f\u0086K\u0000K\u0000\u0086\u0089}tRs.", // 2^62 elements, stride 0
                p + "}X\u0001\u0000\u0000\u0000w" + v2 + "(" + st + "K\u0000\u008a\u0008\u00ff\u00ff\u00ff\u00ff\u00ff\u00ff\u00ff\u007f\u0085\u008a\u0008\u00ff\u00ff\u00ff\u00ff\u00ff\u00ff\u00ff\u007f\u0085\u0089}tRs.", // overflow
                p + "}X\u0001\u0000\u0000\u0000w" + v2 + "(" + st.replace("K\u000ctQ", "\u008a\u0005\u0000\u0000\u0000\u0000\u0001tQ") + "K\u0000K\u000c\u0085K\u0001\u0085\u0089}tRs.", // storage of 2^32 floats
                p + "}X\u0001\u0000\u0000\u0000w" + v2 + "(" + st.replace("X\u0001\u0000\u0000\u00000", "X\u0001\u0000\u0000\u00009") + "K\u0000K\u000c\u0085K\u0001\u0085\u0089}tRs.", // missing record
                p + "}X\u0001\u0000\u0000\u0000w" + v2 + "(" + st + "K\u0000K\u000c\u0085K\u0001\u0085\u0089}tR" + v2 + "(" + st.replace("FloatStorage", "LongStorage") + "K\u0000K\u000c\u0085K\u0001\u0085\u0089}tR\u0086s.", // one key, two dtypes
                p + "(X\u0006\u0000\u0000\u0000moduleK\u0000tQ.",                   // persistent id that is no storage
                p + "K\u0001Q.",
                p + "]K\u0001b.", p + "}]K\u0001s.", p + "]}a}\u0086\u0086s.",      // BUILD on a list, list as dict key
                p + "]q\u0000h\u0000a.",                                                // a list that contains itself
                p + "\u00ff.", p + ".", p + "K\u0001K\u0002.", p + "0.", p + "1.", p + "t.", p + "e.", p + "u.", p + "(.",
                "not a pickle at all"));
        h.add(p + "(".repeat(200000) + ".");                                              // deep MARK nesting
        h.add(p + "]".repeat(100000) + "a".repeat(99999) + ".");                           // a list nested 100000 deep
        StringBuilder dag = new StringBuilder(p + "]" + v2 + "(" + st + "K\u0000K\u000c\u0085K\u0001\u0085\u0089}tRaq\u00000");
        for (int i = 1; i < 60; i++) dag.append("h").append((char) (i - 1)).append("h").append((char) (i - 1)).append("\u0086q").append((char) i).append("0");
        h.add(dag.append("h;.").toString());                                                 // 2^59 leaves through shared references
        StringBuilder wide = new StringBuilder(p + "}(");
        for (int i = 0; i < 20000; i++) wide.append("X\u0001\u0000\u0000\u0000kK\u0001");
        h.add(wide.append("u.").toString());                                               // the same key 20000 times
        return h;
    }

    @Test
    void aWrittenFileSurvivesEveryTruncationAsACleanError() throws IOException {
        Path src = dir.resolve("w.pth");
        PyTorchFiles.save(PyTorchFilesTest.kindlingTensors(), src);
        byte[] f = Files.readAllBytes(src);
        assertTimeoutPreemptively(Duration.ofMinutes(2), () -> {
            for (int n = 0; n < f.length; n += Math.max(1, f.length / 400)) check("kindling truncated", n, java.util.Arrays.copyOf(f, n));
        });
        assertEquals(List.of(), crashes);
        assertTrue(Torch.load(src).size() > 10);
    }
}
