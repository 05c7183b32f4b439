package dev.kindling.io;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A PyTorch checkpoint ({@code .pt}/{@code .pth}/{@code .bin}) that cannot be read or written: the message names the
 * file, where in it the problem is (the zip entry, and for the pickle the byte offset and opcode) and what is wrong.
 */
public class PyTorchFileException extends IOException {
    private static final long serialVersionUID = 1L;
    private final transient Path file;
    private final String where;

    public PyTorchFileException(Path file, String where, String problem) {
        super(file + (where == null || where.isEmpty() ? "" : " (" + where + ")") + ": " + problem);
        this.file = file;
        this.where = where == null ? "" : where;
    }

    public PyTorchFileException(Path file, String where, String problem, Throwable cause) {
        this(file, where, problem);
        initCause(cause);
    }

    public Path file() { return file; }

    /** The zip entry (and pickle offset and opcode) where the problem is; empty for the file as a whole. */
    public String where() { return where; }
}
