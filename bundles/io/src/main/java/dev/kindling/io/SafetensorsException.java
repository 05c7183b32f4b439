package dev.kindling.io;

import java.io.IOException;
import java.nio.file.Path;

/** A safetensors file that cannot be read: the message names the file, the byte offset and the problem. */
public class SafetensorsException extends IOException {
    private final Path file;
    private final long offset;

    public SafetensorsException(Path file, long offset, String problem) {
        super(file + " (offset " + offset + "): " + problem);
        this.file = file;
        this.offset = offset;
    }

    public Path file() { return file; }

    /** Byte offset in the file where the problem was found. */
    public long offset() { return offset; }
}
