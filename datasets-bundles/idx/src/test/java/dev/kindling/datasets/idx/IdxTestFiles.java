package dev.kindling.datasets.idx;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;

/** Writes small IDX files in the official format. */
final class IdxTestFiles {
    private IdxTestFiles() {}

    static byte[] images(int n, int h, int w) {
        ByteBuffer b = ByteBuffer.allocate(16 + n * h * w);
        b.putInt(IdxFile.IMAGES_MAGIC).putInt(n).putInt(h).putInt(w);
        for (int i = 0; i < n * h * w; i++) b.put((byte) pixel(i));
        return b.array();
    }

    static int pixel(int i) { return (i * 131 + i / 7) & 0xff; }

    static byte[] labels(int n) {
        ByteBuffer b = ByteBuffer.allocate(8 + n);
        b.putInt(IdxFile.LABELS_MAGIC).putInt(n);
        for (int i = 0; i < n; i++) b.put((byte) label(i));
        return b.array();
    }

    static int label(int i) { return (i * 7 + 3) % 10; }

    static byte[] gzip(byte[] data) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try (GZIPOutputStream g = new GZIPOutputStream(out)) {
                g.write(data);
            }
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A split's two files in dir, gzipped or raw. */
    static void write(Path dir, String split, byte[] images, byte[] labels, boolean gz) throws IOException {
        Files.createDirectories(dir);
        String s = gz ? ".gz" : "";
        Files.write(dir.resolve(split + "-images-idx3-ubyte" + s), gz ? gzip(images) : images);
        Files.write(dir.resolve(split + "-labels-idx1-ubyte" + s), gz ? gzip(labels) : labels);
    }
}
