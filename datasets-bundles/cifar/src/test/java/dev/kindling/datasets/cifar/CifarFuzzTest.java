package dev.kindling.datasets.cifar;

import dev.kindling.data.DatasetFormatException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Corrupted CIFAR-10 batches and archives (plain and gzipped tar): the reader either succeeds or throws
 * {@link DatasetFormatException}; it never hangs and never allocates from a forged size field.
 */
class CifarFuzzTest {
    private static final com.sun.management.ThreadMXBean THREADS = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    static byte[] mutate(byte[] valid, Random r) {
        byte[] b = valid.clone();
        switch (r.nextInt(5)) {
            case 0:
                for (int k = 0, n = 1 + r.nextInt(6); k < n; k++) b[r.nextInt(b.length)] ^= (byte) (1 + r.nextInt(255));
                return b;
            case 1:
                return Arrays.copyOf(b, r.nextInt(b.length));
            case 2: { // forge a tar size field (octal digits) or a record's label
                int header = 512 * (1 + r.nextInt(3));
                if (header + 136 < b.length) {
                    byte[] digits = String.format("%011o", r.nextBoolean() ? 077777777777L : (long) r.nextInt(Integer.MAX_VALUE)).getBytes();
                    System.arraycopy(digits, 0, b, header + 124, 11);
                } else {
                    b[0] = (byte) r.nextInt(256);
                }
                return b;
            }
            case 3: {
                byte[] c = Arrays.copyOf(b, b.length + 1 + r.nextInt(700));
                for (int i = b.length; i < c.length; i++) c[i] = (byte) r.nextInt(256);
                return c;
            }
            default: {
                byte[] d = new byte[r.nextInt(2000)];
                r.nextBytes(d);
                return d;
            }
        }
    }

    @Test
    void corruptedBatchesAndArchivesFailCleanly(@TempDir Path tmp) throws IOException {
        Map<String, byte[]> files = CifarTestFiles.files();
        byte[] tar = CifarTestFiles.archive(files, false);
        Random r = new Random(777);
        int failures = 0;
        for (int i = 0; i < 400; i++) {
            Path dir = tmp.resolve("c" + i);
            Files.createDirectories(dir);
            Path root;
            int kind = r.nextInt(3);
            if (kind == 0) { // a corrupted batch among good ones
                Map<String, byte[]> m = new java.util.LinkedHashMap<>(files);
                String victim = "data_batch_" + (1 + r.nextInt(5)) + ".bin";
                m.put(victim, mutate(m.get(victim), r));
                CifarTestFiles.writeDir(dir, m);
                root = dir;
            } else { // a corrupted archive, plain or gzipped (corrupting the compressed or the tar bytes)
                byte[] t = mutate(tar, r);
                byte[] file = kind == 2 ? CifarTestFiles.archive(Map.of(), false) : t;
                if (kind == 2) {
                    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
                    try (java.util.zip.GZIPOutputStream g = new java.util.zip.GZIPOutputStream(out)) {
                        g.write(t);
                    }
                    file = out.toByteArray();
                    if (r.nextBoolean()) file = mutate(file, r);
                }
                root = dir.resolve(Cifar10Dataset.ARCHIVE);
                Files.write(root, file);
            }
            final int n = i;
            final Path rt = root;
            long[] result = assertTimeoutPreemptively(Duration.ofSeconds(5), () -> {
                long before = THREADS.getCurrentThreadAllocatedBytes();
                long failed;
                try {
                    new Cifar10Dataset(rt, true, null, null);
                    failed = 0;
                } catch (DatasetFormatException e) {
                    assertTrue(e.getMessage().contains(dir.toString()), e.getMessage());
                    failed = 1;
                } catch (RuntimeException e) {
                    throw new AssertionError("case " + n + ": undocumented " + e, e);
                }
                return new long[] {failed, THREADS.getCurrentThreadAllocatedBytes() - before};
            });
            failures += (int) result[0];
            assertTrue(result[1] < 8_000_000, "case " + i + " allocated " + result[1] + " bytes");
            Files.walk(dir).sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
        assertTrue(failures > 150, failures + " of 400 corrupted inputs failed (the rest only touched pixels or unused entries)");
    }
}
