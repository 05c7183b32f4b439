package dev.kindling.serving.internal;

/**
 * A request that cannot be answered, with the HTTP status it maps to. The message becomes the body's {@code "error"}, so it
 * names the problem in words a client can act on and never carries a stack trace.
 */
final class ServingException extends RuntimeException {
    final int status;
    /** Seconds for a {@code Retry-After} header (429, 503), or 0 for none. */
    final int retryAfter;

    ServingException(int status, String message) {
        this(status, message, 0);
    }

    ServingException(int status, String message, int retryAfter) {
        super(message, null, false, false);
        this.status = status;
        this.retryAfter = retryAfter;
    }

    static ServingException badRequest(String message) { return new ServingException(400, message); }

    static ServingException notFound(String message) { return new ServingException(404, message); }
}
