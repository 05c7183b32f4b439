package dev.kindling.datasets.idx;

import dev.kindling.data.DatasetFormatException;
import dev.kindling.data.spi.DataFiles;

import java.nio.file.Path;
import java.util.Arrays;

/**
 * One IDX file (the MNIST format): a big-endian magic number {@code 0x0000TTNN} (TT the element type, NN the number
 * of dimensions), NN big-endian int32 dimensions, then the values. Only unsigned bytes (TT = 0x08) are read, which
 * is what MNIST-style data sets use. The file must hold exactly the values its header declares; nothing is allocated
 * from the header's numbers.
 */
public final class IdxFile {
    /** Magic number of a 3-dimensional unsigned-byte IDX file (images). */
    public static final int IMAGES_MAGIC = 0x00000803;
    /** Magic number of a 1-dimensional unsigned-byte IDX file (labels). */
    public static final int LABELS_MAGIC = 0x00000801;

    private final Path file;
    private final int[] dims;
    private final byte[] bytes;
    private final int dataOffset;

    private IdxFile(Path file, int[] dims, byte[] bytes, int dataOffset) {
        this.file = file;
        this.dims = dims;
        this.bytes = bytes;
        this.dataOffset = dataOffset;
    }

    /**
     * Reads and checks an IDX file (gzipped or raw).
     *
     * @param expectedMagic {@link #IMAGES_MAGIC}, {@link #LABELS_MAGIC}, or another 0x000008NN value
     * @throws DatasetFormatException for a wrong magic number, a truncated file or trailing bytes, naming the offset
     */
    public static IdxFile read(Path file, int expectedMagic) {
        return parse(DataFiles.readAll(file), expectedMagic);
    }

    static IdxFile parse(DataFiles.Content content, int expectedMagic) {
        byte[] b = content.bytes();
        if (b.length < 4) {
            throw content.error(b.length, "the file ends after " + b.length + " bytes, inside the 4-byte IDX magic number (expected "
                    + hex(expectedMagic) + ", " + describe(expectedMagic) + ")");
        }
        int magic = readInt(b, 0);
        if (magic != expectedMagic) {
            String hint = (magic & 0xffff0000) == 0 && ((magic >>> 8) & 0xff) == 0x08
                    ? " — an IDX file of " + (magic & 0xff) + " dimension(s); is this the " + ((magic & 0xff) == 1 ? "labels" : "images")
                    + " file given in place of the other?"
                    : " — not an IDX file of unsigned bytes";
            throw content.error(0, "wrong magic number " + hex(magic) + ", expected " + hex(expectedMagic) + " ("
                    + describe(expectedMagic) + ")" + hint);
        }
        int ndim = magic & 0xff;
        int header = 4 + 4 * ndim;
        if (b.length < header) {
            throw content.error(b.length, "truncated: the file ends inside the IDX header, which needs " + header
                    + " bytes for " + ndim + " dimensions");
        }
        int[] dims = new int[ndim];
        long count = 1;
        boolean overflow = false;
        for (int i = 0; i < ndim; i++) {
            dims[i] = readInt(b, 4 + 4 * i);
            if (dims[i] < 0) throw content.error(4 + 4 * i, "dimension " + i + " is negative (" + dims[i] + ")");
            count *= dims[i];
            if (count > Integer.MAX_VALUE) overflow = true;
        }
        long available = b.length - header;
        if (overflow || count > available) {
            throw content.error(b.length, "truncated: the header declares " + shape(dims) + " = "
                    + (overflow ? "more than 2^31" : String.format("%,d", count)) + " bytes of data from offset " + header
                    + ", but the data ends at offset " + b.length + (overflow ? "" : " (" + String.format("%,d", count - available) + " bytes short)"));
        }
        if (count < available) {
            throw content.error(header + count, String.format("%,d", available - count) + " unexpected bytes after the "
                    + shape(dims) + " values the header declares");
        }
        return new IdxFile(content.file(), dims, b, header);
    }

    private static String shape(int[] dims) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < dims.length; i++) sb.append(i == 0 ? "" : " x ").append(dims[i]);
        return dims.length == 0 ? "1 value" : sb.toString();
    }

    private static String describe(int magic) {
        int nd = magic & 0xff;
        return "IDX " + (magic == IMAGES_MAGIC ? "images" : magic == LABELS_MAGIC ? "labels" : "data") + ", unsigned bytes, " + nd
                + (nd == 1 ? " dimension" : " dimensions");
    }

    private static String hex(int v) { return String.format("0x%08X", v); }

    private static int readInt(byte[] b, int at) {
        return ((b[at] & 0xff) << 24) | ((b[at + 1] & 0xff) << 16) | ((b[at + 2] & 0xff) << 8) | (b[at + 3] & 0xff);
    }

    public Path file() { return file; }

    /** The dimensions from the header. */
    public int[] dims() { return dims.clone(); }

    public int dim(int i) { return dims[i]; }

    /** The backing array: the values start at {@link #dataOffset()}. Do not modify. */
    byte[] bytes() { return bytes; }

    /** Where the values start in {@link #bytes()} (the header size). */
    public int dataOffset() { return dataOffset; }

    /** Value {@code i} (unsigned). */
    public int value(int i) { return bytes[dataOffset + i] & 0xff; }

    /** A copy of the values. */
    public byte[] values() { return Arrays.copyOfRange(bytes, dataOffset, bytes.length); }
}
