package dev.kindling.data.spi;

import dev.kindling.data.DatasetFormatException;
import dev.kindling.data.DatasetNotFoundException;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/** Reading data files for dataset readers: gzip is detected by its magic bytes, not by the file name. */
public final class DataFiles {
    private DataFiles() {}

    /** A file's (decompressed) bytes. */
    public static final class Content {
        private final Path file;
        private final byte[] bytes;
        private final boolean gzipped;

        Content(Path file, byte[] bytes, boolean gzipped) {
            this.file = file;
            this.bytes = bytes;
            this.gzipped = gzipped;
        }

        public Path file() { return file; }

        public byte[] bytes() { return bytes; }

        public boolean gzipped() { return gzipped; }

        /** A format error at a byte offset (noting that it counts decompressed bytes for a gzipped file). */
        public DatasetFormatException error(long offset, String what) {
            return DatasetFormatException.atOffset(file, offset, what + (gzipped ? " (offsets count decompressed bytes)" : ""));
        }
    }

    /** Opens a file, decompressing it when it starts with the gzip magic bytes. */
    public static InputStream open(Path file) throws IOException {
        BufferedInputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
        in.mark(2);
        int b0 = in.read(), b1 = in.read();
        in.reset();
        if (b0 == 0x1f && b1 == 0x8b) return new GZIPInputStream(in, 1 << 16);
        return in;
    }

    public static boolean isGzip(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return in.read() == 0x1f && in.read() == 0x8b;
        }
    }

    /**
     * All bytes of a file, gunzipped if needed. The buffer grows with the data actually read, never from a size a
     * header claims. Corrupt gzip data is a {@link DatasetFormatException}; other I/O failures are
     * {@link UncheckedIOException}s.
     */
    public static Content readAll(Path file) {
        boolean gz;
        try {
            gz = isGzip(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
        try (InputStream in = open(file)) {
            return new Content(file, in.readAllBytes(), gz);
        } catch (ZipException | EOFException e) {
            throw DatasetFormatException.of(file, "corrupt or truncated gzip data (" + e.getMessage() + ")", e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * The first existing file among {@code dir/name} and {@code dir/name.gz} for each directory and name, or null.
     * Every path tried is added to {@code tried}.
     */
    public static Path find(List<Path> dirs, List<String> names, List<Path> tried) {
        for (Path dir : dirs) {
            for (String name : names) {
                for (String candidate : new String[] {name, name + ".gz"}) {
                    Path p = dir.resolve(candidate);
                    tried.add(p);
                    if (Files.isRegularFile(p)) return p;
                }
            }
        }
        return null;
    }

    /** Directories to search for a dataset: root and the given subdirectories of it that exist, root first. */
    public static List<Path> searchDirs(Path root, String... subdirs) {
        List<Path> out = new ArrayList<>();
        out.add(root);
        for (String s : subdirs) out.add(root.resolve(s));
        return out;
    }

    /** A {@link DatasetNotFoundException} that lists where the reader looked and how to get the data. */
    public static DatasetNotFoundException notFound(String what, List<Path> dirs, List<String> names, List<Path> tried, String howToGet) {
        StringBuilder sb = new StringBuilder(what).append(" not found. Looked for ");
        for (int i = 0; i < names.size(); i++) {
            if (i > 0) sb.append(i == names.size() - 1 ? " or " : ", ");
            sb.append(names.get(i)).append("[.gz]");
        }
        sb.append(" in:");
        for (Path d : dirs) sb.append("\n  ").append(d.toAbsolutePath()).append(Files.isDirectory(d) ? "" : " (no such directory)");
        sb.append("\n").append(howToGet).append("\nKindling never downloads data.");
        return new DatasetNotFoundException(sb.toString(), tried);
    }
}
