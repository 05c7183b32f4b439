package dev.kindling.datasets.idx;

import dev.kindling.data.DatasetFormatException;
import dev.kindling.data.spi.DataFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Corrupted IDX files, raw and gzipped: the reader either succeeds or throws {@link DatasetFormatException}, never
 * hangs, and never allocates from a forged header (allocation stays within a small multiple of the file size).
 */
class IdxFuzzTest {
    private static final com.sun.management.ThreadMXBean THREADS = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    static byte[] mutate(byte[] valid, Random r) {
        byte[] b = valid.clone();
        switch (r.nextInt(6)) {
            case 0: // flip a few bytes
                for (int k = 0, n = 1 + r.nextInt(4); k < n; k++) b[r.nextInt(b.length)] ^= (byte) (1 + r.nextInt(255));
                return b;
            case 1: // truncate
                return java.util.Arrays.copyOf(b, r.nextInt(b.length));
            case 2: // forge a dimension
                ByteBuffer.wrap(b).putInt(4 + 4 * r.nextInt(b.length > 200 ? 3 : 1), r.nextBoolean() ? Integer.MAX_VALUE : r.nextInt());
                return b;
            case 3: // forge the magic's dimension count
                b[3] = (byte) r.nextInt(256);
                return b;
            case 4: // append garbage
                byte[] c = java.util.Arrays.copyOf(b, b.length + 1 + r.nextInt(64));
                for (int i = b.length; i < c.length; i++) c[i] = (byte) r.nextInt(256);
                return c;
            default: // random bytes of random length
                byte[] d = new byte[r.nextInt(64)];
                r.nextBytes(d);
                return d;
        }
    }

    @Test
    void corruptedFilesFailCleanly(@TempDir Path tmp) throws IOException {
        byte[] images = IdxTestFiles.images(3, 10, 10);
        byte[] labels = IdxTestFiles.labels(3);
        Random r = new Random(20261123);
        int failures = 0, successes = 0;
        for (int i = 0; i < 600; i++) {
            boolean img = r.nextBoolean();
            byte[] m = mutate(img ? images : labels, r);
            boolean gz = r.nextInt(3) == 0;
            byte[] file = gz ? IdxTestFiles.gzip(m) : m;
            if (gz && r.nextInt(4) == 0) { // corrupt the compressed stream itself
                file[10 + r.nextInt(file.length - 10)] ^= (byte) 0x5a;
            }
            Path dir = tmp.resolve("case" + i);
            IdxTestFiles.write(dir, "train", img ? file : images, img ? labels : file, false);
            final int n = i;
            // run in the timeout's thread, and measure what that thread allocates
            long[] result = assertTimeoutPreemptively(Duration.ofSeconds(5), () -> {
                long before = THREADS.getCurrentThreadAllocatedBytes();
                long failed;
                try {
                    new IdxImageDataset(IdxImageDataset.Kind.MNIST, dir, true, null, null);
                    failed = 0;
                } catch (DatasetFormatException e) {
                    assertTrue(e.getMessage().contains(dir.toString()), e.getMessage());
                    failed = 1;
                } catch (RuntimeException e) {
                    throw new AssertionError("case " + n + ": undocumented " + e, e);
                }
                return new long[] {failed, THREADS.getCurrentThreadAllocatedBytes() - before};
            });
            if (result[0] == 1) failures++;
            else successes++;
            assertTrue(result[1] < 4_000_000, "case " + i + " allocated " + result[1] + " bytes");
            Files.walk(dir).sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
        assertTrue(failures > 400, failures + " failures, " + successes + " successes");
    }

    @Test
    void aForgedHeaderAllocatesNothingBig(@TempDir Path tmp) throws IOException {
        byte[] forged = ByteBuffer.allocate(16).putInt(IdxFile.IMAGES_MAGIC).putInt(60000).putInt(28).putInt(28).array();
        Path f = tmp.resolve("x-idx3-ubyte");
        Files.write(f, forged);
        long before = THREADS.getCurrentThreadAllocatedBytes();
        try {
            IdxFile.parse(DataFiles.readAll(f), IdxFile.IMAGES_MAGIC);
            fail("no error");
        } catch (DatasetFormatException e) {
            assertTrue(e.getMessage().contains("47,040,000 bytes short"), e.getMessage());
        }
        long allocated = THREADS.getCurrentThreadAllocatedBytes() - before;
        assertTrue(allocated < 1_000_000, "allocated " + allocated);
    }
}
