package dev.kindling.data;

import java.nio.file.Path;

/**
 * A data file is malformed: a wrong magic number, truncated data, a count mismatch, a bad CSV row. The message names
 * the file and the byte offset (in the decompressed data for gzipped files) or the line where the problem is. This is
 * the only exception the dataset readers throw for bad content.
 */
public class DatasetFormatException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final transient Path file;
    private final long offset;
    private final long line;

    protected DatasetFormatException(Path file, long offset, long line, String message, Throwable cause) {
        super(message, cause);
        this.file = file;
        this.offset = offset;
        this.line = line;
    }

    /** A problem at a byte offset: "FILE: at offset N: what". */
    public static DatasetFormatException atOffset(Path file, long offset, String what) {
        return new DatasetFormatException(file, offset, -1, file + ": at offset " + offset + ": " + what, null);
    }

    /** A problem at a line (1-based): "FILE, line N: what". */
    public static DatasetFormatException atLine(Path file, long line, String what) {
        return new DatasetFormatException(file, -1, line, file + ", line " + line + ": " + what, null);
    }

    /** A problem with the file as a whole: "FILE: what". */
    public static DatasetFormatException of(Path file, String what, Throwable cause) {
        return new DatasetFormatException(file, -1, -1, file + ": " + what, cause);
    }

    /** The file, or null. */
    public Path file() { return file; }

    /** The byte offset, or -1. */
    public long offset() { return offset; }

    /** The 1-based line, or -1. */
    public long line() { return line; }
}
