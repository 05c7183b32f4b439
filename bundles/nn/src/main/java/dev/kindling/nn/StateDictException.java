package dev.kindling.nn;

import java.util.List;

/**
 * {@link Module#loadStateDict(java.util.Map, boolean)} failed: PyTorch's "Error(s) in loading state_dict for ..." with the
 * missing and unexpected keys and every error message available separately.
 */
public class StateDictException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final List<String> missingKeys;
    private final List<String> unexpectedKeys;
    private final List<String> errors;

    public StateDictException(String message, List<String> missingKeys, List<String> unexpectedKeys, List<String> errors) {
        super(message);
        this.missingKeys = List.copyOf(missingKeys);
        this.unexpectedKeys = List.copyOf(unexpectedKeys);
        this.errors = List.copyOf(errors);
    }

    public List<String> missingKeys() { return missingKeys; }

    public List<String> unexpectedKeys() { return unexpectedKeys; }

    /** The individual messages (the lines after the first of {@link #getMessage()}). */
    public List<String> errors() { return errors; }
}
