package dev.kindling.data;

import java.nio.file.Path;
import java.util.List;

/**
 * A dataset's files are not where the reader looked. The message lists the places searched and how to get the data;
 * Kindling never downloads anything.
 */
public class DatasetNotFoundException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final transient List<Path> searched;

    public DatasetNotFoundException(String message, List<Path> searched) {
        super(message);
        this.searched = List.copyOf(searched);
    }

    /** The paths the reader tried. */
    public List<Path> searched() { return searched; }
}
