package dev.kindling.io;

import java.io.IOException;
import java.nio.file.Path;

/** Safetensors data that cannot be read: the message names the file (or source), the byte offset and the problem. */
public class SafetensorsException extends IOException {
    private final Path file;
    private final long offset;

    public SafetensorsException(Path file, long offset, String problem) {
        super(file + " (offset " + offset + "): " + problem);
        this.file = file;
        this.offset = offset;
    }

    /** Safetensors bytes that are not a file (e.g. a request body), named by {@code source}. */
    public SafetensorsException(String source, long offset, String problem) {
        super(source + " (offset " + offset + "): " + problem);
        this.file = null;
        this.offset = offset;
    }

    /** The file, or null for bytes read from memory. */
    public Path file() { return file; }

    /** Byte offset in the file where the problem was found. */
    public long offset() { return offset; }
}
