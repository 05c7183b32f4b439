package dev.kindling.serving.internal;

import java.io.IOException;

/**
 * Watches an HTTP/1.x connection while its request waits for a model, for a client that closes it. Jetty reads nothing
 * from a connection whose request it has read while the request is handled asynchronously, so it reports a disconnect
 * only when the answer is written; a watch asks Jetty to say when the connection becomes readable, which, with the body
 * read and the answer not yet sent, means the client closed it (end of stream) or sent a pipelined request. The
 * container-specific part (asking, reading, withdrawing) is in {@link JettyDisconnects} (Jetty 12) and
 * {@link Jetty9Disconnects} (Jetty 9.4, Pax Web 8).
 */
abstract class ConnectionWatch {
    private enum State { WATCHING, FIRED, STOPPED }

    private final Runnable onGone;
    private State state = State.WATCHING;
    private boolean pipelined;

    ConnectionWatch(Runnable onGone) { this.onGone = onGone; }

    /** Reads at most one byte from the connection: -1 at the end of the stream. */
    abstract int readOne() throws IOException;

    /** Takes back the interest in the connection becoming readable (it is still registered). */
    abstract void withdraw();

    /**
     * The connection is readable. Under the lock, so that once {@link #stop} has returned (the answer is about to be
     * written) nothing here reads the connection: a late read would take the first byte of the client's next request.
     * Watching ends either way; a spurious wake-up (0 bytes) only loses the watch.
     */
    final void readable() {
        boolean gone;
        synchronized (this) {
            if (state != State.WATCHING) return;
            state = State.FIRED;
            try {
                int n = readOne();
                if (n > 0) pipelined = true; // a byte of the next request is consumed: the answer closes the connection
                gone = n < 0;
            } catch (IOException e) {
                gone = true;
            }
        }
        if (gone) onGone.run();
    }

    /** The connection failed (reset, closed), unless the watch was withdrawn. */
    final void broken() {
        synchronized (this) {
            if (state != State.WATCHING) return;
            state = State.FIRED;
        }
        onGone.run();
    }

    /** Before the answer is written: gives the connection back to the container. True when the answer must close it. */
    final synchronized boolean stop() {
        State was = state;
        state = State.STOPPED;
        if (was == State.WATCHING) withdraw();
        return pipelined;
    }
}
