package dev.kindling.datasets.cifar;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.GZIPOutputStream;

/** CIFAR-10 files in the official binary format, and ustar archives of them. */
final class CifarTestFiles {
    private CifarTestFiles() {}

    static final int RECORDS_PER_TRAIN_BATCH = 3;
    static final int TEST_RECORDS = 4;

    /** Global sample number g (train: batch * 3 + i; test: 1000 + i). */
    static int label(int g) { return (g * 3 + 1) % 10; }

    /** Pixel value of sample g, channel c, row y, column x. */
    static int pixel(int g, int c, int y, int x) { return (g * 31 + c * 85 + y * 7 + x * 3) & 0xff; }

    static byte[] batch(int firstGlobal, int records) {
        byte[] b = new byte[records * Cifar10Dataset.RECORD];
        for (int r = 0; r < records; r++) {
            int g = firstGlobal + r, at = r * Cifar10Dataset.RECORD;
            b[at] = (byte) label(g);
            for (int c = 0; c < 3; c++) for (int y = 0; y < 32; y++) for (int x = 0; x < 32; x++) {
                b[at + 1 + c * 1024 + y * 32 + x] = (byte) pixel(g, c, y, x);
            }
        }
        return b;
    }

    /** The official files: data_batch_1..5 (3 records each) and test_batch (4 records), plus batches.meta.txt. */
    static Map<String, byte[]> files() {
        Map<String, byte[]> m = new LinkedHashMap<>();
        for (int k = 1; k <= 5; k++) m.put("data_batch_" + k + ".bin", batch((k - 1) * RECORDS_PER_TRAIN_BATCH, RECORDS_PER_TRAIN_BATCH));
        m.put("test_batch.bin", batch(1000, TEST_RECORDS));
        m.put("batches.meta.txt", String.join("\n", Cifar10Dataset.CLASSES).getBytes(StandardCharsets.US_ASCII));
        return m;
    }

    static void writeDir(Path dir, Map<String, byte[]> files) throws IOException {
        Files.createDirectories(dir);
        for (Map.Entry<String, byte[]> e : files.entrySet()) Files.write(dir.resolve(e.getKey()), e.getValue());
    }

    /** A ustar archive with the entries under cifar-10-batches-bin/ (as the official archive), gzipped if asked. */
    static byte[] archive(Map<String, byte[]> files, boolean gzip) throws IOException {
        ByteArrayOutputStream tar = new ByteArrayOutputStream();
        header(tar, Cifar10Dataset.FOLDER + "/", 0, '5');
        for (Map.Entry<String, byte[]> e : files.entrySet()) {
            header(tar, Cifar10Dataset.FOLDER + "/" + e.getKey(), e.getValue().length, '0');
            tar.write(e.getValue());
            tar.write(new byte[(512 - e.getValue().length % 512) % 512]);
        }
        tar.write(new byte[1024]);
        if (!gzip) return tar.toByteArray();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (OutputStream g = new GZIPOutputStream(out)) {
            g.write(tar.toByteArray());
        }
        return out.toByteArray();
    }

    private static void header(ByteArrayOutputStream out, String name, long size, char type) {
        byte[] h = new byte[512];
        put(h, 0, name);
        put(h, 100, "0000644");
        put(h, 108, "0001750");
        put(h, 116, "0001750");
        put(h, 124, String.format("%011o", size));
        put(h, 136, String.format("%011o", 1_300_000_000L));
        h[156] = (byte) type;
        put(h, 257, "ustar");
        put(h, 263, "00");
        for (int i = 148; i < 156; i++) h[i] = ' ';
        long sum = 0;
        for (byte b : h) sum += b & 0xff;
        put(h, 148, String.format("%06o", sum));
        h[154] = 0;
        h[155] = ' ';
        out.writeBytes(h);
    }

    private static void put(byte[] h, int at, String s) {
        byte[] b = s.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(b, 0, h, at, b.length);
    }
}
