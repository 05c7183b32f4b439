package dev.kindling.api.autograd;

/**
 * A tensor's graph was recorded by an autograd engine that has since been replaced (the autograd bundle was updated
 * while a forward pass was under way): the new engine cannot run it backward or extend it. Nothing has been
 * accumulated into any gradient when this is thrown, so the step can be computed again from its inputs, as the
 * Trainer does.
 */
public class StaleGraphException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    public StaleGraphException(String message) { super(message); }
}
