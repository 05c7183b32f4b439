package dev.kindling.datasets.cifar;

import dev.kindling.data.DatasetFormatException;
import dev.kindling.data.spi.DataFiles;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.LongPredicate;
import java.util.zip.ZipException;

/**
 * Reads selected regular files out of a tar archive (gzipped or not) in one pass, checking every header's checksum
 * and size. Entry data is read in chunks as it arrives, never allocated from the size a header claims.
 */
final class TarReader {
    private TarReader() {}

    static final int BLOCK = 512;

    /** An extracted entry: its path in the archive, its bytes, and where its data starts in the (decompressed) tar stream. */
    static final class Entry {
        final String name;
        final byte[] data;
        final long offset;

        Entry(String name, byte[] data, long offset) {
            this.name = name;
            this.data = data;
            this.offset = offset;
        }
    }

    /**
     * Extracts the regular files whose base name is in {@code wanted}; stops as soon as all were found.
     *
     * @param sizeOk checks a wanted entry's declared size before its data is read (false: format error)
     */
    static Map<String, Entry> extract(Path archive, Set<String> wanted, LongPredicate sizeOk, String sizeRule) {
        Map<String, Entry> out = new LinkedHashMap<>();
        boolean gz;
        try {
            gz = DataFiles.isGzip(archive);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + archive + ": " + e.getMessage(), e);
        }
        String note = gz ? " (offsets count decompressed bytes)" : "";
        try (InputStream in = DataFiles.open(archive)) {
            long pos = 0;
            String longName = null;
            byte[] header = new byte[BLOCK];
            while (out.size() < wanted.size()) {
                int got = in.readNBytes(header, 0, BLOCK);
                if (got == 0) break; // end of the stream without the two zero blocks: tolerated
                if (got < BLOCK) throw DatasetFormatException.atOffset(archive, pos + got, "truncated tar archive: the stream ends inside a header" + note);
                if (allZero(header)) break;
                long stored = octal(header, 148, 8, archive, pos, "checksum", note);
                long sum = 0;
                for (int i = 0; i < BLOCK; i++) sum += (i >= 148 && i < 156) ? 32 : (header[i] & 0xff);
                if (stored != sum) {
                    throw DatasetFormatException.atOffset(archive, pos, "not a tar archive, or a corrupt one: header checksum " + stored
                            + " does not match the header's bytes (" + sum + ")" + note);
                }
                long size = size(header, archive, pos, note);
                byte type = header[156];
                String name = longName != null ? longName : name(header);
                longName = null;
                long dataStart = pos + BLOCK;
                pos = dataStart;
                long padded = (size + BLOCK - 1) / BLOCK * BLOCK;
                String base = name.substring(name.lastIndexOf('/') + 1);
                if (type == 'L') {
                    if (size > 64 * 1024) throw DatasetFormatException.atOffset(archive, dataStart - BLOCK, "GNU long name of " + size + " bytes" + note);
                    byte[] n = readFully(in, (int) size, archive, dataStart, "long file name", note);
                    longName = cString(n, 0, n.length);
                    skip(in, padded - size, archive, dataStart + size, note);
                } else if ((type == '0' || type == 0) && wanted.contains(base) && !out.containsKey(base)) {
                    if (size > Integer.MAX_VALUE - 8 || !sizeOk.test(size)) {
                        throw DatasetFormatException.atOffset(archive, dataStart - BLOCK, "entry " + name + " declares " + size + " bytes; "
                                + sizeRule + note);
                    }
                    byte[] data = readFully(in, (int) size, archive, dataStart, "entry " + name, note);
                    out.put(base, new Entry(name, data, dataStart));
                    skip(in, padded - size, archive, dataStart + size, note);
                } else {
                    skip(in, padded, archive, dataStart, note);
                }
                pos += padded;
            }
        } catch (ZipException | EOFException e) {
            throw DatasetFormatException.of(archive, "corrupt or truncated gzip data (" + e.getMessage() + ")", e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + archive + ": " + e.getMessage(), e);
        }
        return out;
    }

    private static byte[] readFully(InputStream in, int size, Path archive, long at, String what, String note) throws IOException {
        byte[] data = in.readNBytes(size);
        if (data.length < size) {
            throw DatasetFormatException.atOffset(archive, at + data.length, "truncated tar archive: " + what + " declares " + size
                    + " bytes but the archive ends after " + data.length + note);
        }
        return data;
    }

    private static void skip(InputStream in, long n, Path archive, long at, String note) throws IOException {
        long left = n;
        byte[] buf = null;
        while (left > 0) {
            long s = in.skip(left);
            if (s <= 0) {
                if (buf == null) buf = new byte[8192];
                int r = in.read(buf, 0, (int) Math.min(buf.length, left));
                if (r < 0) {
                    throw DatasetFormatException.atOffset(archive, at + (n - left), "truncated tar archive: an entry's data ends early" + note);
                }
                s = r;
            }
            left -= s;
        }
    }

    private static boolean allZero(byte[] b) {
        for (byte x : b) if (x != 0) return false;
        return true;
    }

    private static String name(byte[] h) {
        String name = cString(h, 0, 100);
        if (h[257] == 'u' && h[258] == 's' && h[259] == 't' && h[260] == 'a' && h[261] == 'r') {
            String prefix = cString(h, 345, 155);
            if (!prefix.isEmpty()) name = prefix + "/" + name;
        }
        return name;
    }

    private static String cString(byte[] b, int from, int len) {
        int end = from;
        while (end < from + len && b[end] != 0) end++;
        return new String(b, from, end - from, StandardCharsets.UTF_8);
    }

    private static long size(byte[] h, Path archive, long pos, String note) {
        if ((h[124] & 0x80) != 0) {
            // GNU base-256: big-endian binary in the remaining bytes
            long v = h[124] & 0x7f;
            for (int i = 125; i < 136; i++) {
                if (v > (Long.MAX_VALUE >> 8)) throw DatasetFormatException.atOffset(archive, pos + 124, "tar entry size does not fit in 63 bits" + note);
                v = (v << 8) | (h[i] & 0xff);
            }
            return v;
        }
        return octal(h, 124, 12, archive, pos, "size", note);
    }

    private static long octal(byte[] h, int from, int len, Path archive, long pos, String field, String note) {
        long v = 0;
        int i = from, end = from + len;
        while (i < end && (h[i] == ' ' || h[i] == 0)) i++;
        int digits = 0;
        for (; i < end && h[i] != 0 && h[i] != ' '; i++) {
            int d = h[i] - '0';
            if (d < 0 || d > 7) {
                throw DatasetFormatException.atOffset(archive, pos + i, "not a tar archive, or a corrupt one: the header's " + field
                        + " field is not an octal number" + note);
            }
            v = (v << 3) | d;
            digits++;
        }
        if (digits == 0) throw DatasetFormatException.atOffset(archive, pos + from, "not a tar archive, or a corrupt one: empty " + field + " field" + note);
        return v;
    }
}
