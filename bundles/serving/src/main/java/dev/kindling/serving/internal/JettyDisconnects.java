package dev.kindling.serving.internal;

import jakarta.servlet.http.HttpServletRequest;
import org.eclipse.jetty.ee10.servlet.ServletContextRequest;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.io.AbstractEndPoint;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.util.BufferUtil;
import org.eclipse.jetty.util.Callback;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.CancellationException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Notices a client that closes its connection while its request waits in a model's queue, on Jetty 12 (Felix HTTP Jetty
 * 12 in Kindling's distribution, the embedded server). Jetty does not read from an HTTP/1.1 connection while a request
 * whose body it has read waits asynchronously, so it reports no disconnect until the answer is written; this asks Jetty
 * to tell when the connection becomes readable, which, with the body read and the answer not sent, means the client
 * closed it (end of stream) or pipelined another request. Only touched when Jetty 12's classes are there
 * ({@link #available}); other containers rely on {@code AsyncListener.onError}.
 */
final class JettyDisconnects implements Callback {
    private static final int WATCHING = 0, STOPPED = 1, FIRED = 2;

    private final EndPoint endPoint;
    private final Runnable onGone;
    private final AtomicInteger state = new AtomicInteger(WATCHING);
    private volatile boolean pipelined;

    private JettyDisconnects(EndPoint endPoint, Runnable onGone) {
        this.endPoint = endPoint;
        this.onGone = onGone;
    }

    /** Whether this bundle sees Jetty 12's classes (an optional import). */
    static boolean available() {
        try {
            Class.forName("org.eclipse.jetty.ee10.servlet.ServletContextRequest", false, JettyDisconnects.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    /**
     * Starts watching {@code req}'s connection; null where it cannot (not Jetty's request, not HTTP/1.x, the body not read
     * to its end, or Jetty already reading).
     */
    static JettyDisconnects watch(HttpServletRequest req, Runnable onGone) throws IOException {
        if (!req.getInputStream().isFinished()) return null; // the bytes still to come are the body's, not ours to read
        ServletContextRequest jetty = ServletContextRequest.getServletContextRequest(req);
        if (jetty == null) return null;
        HttpVersion v = jetty.getConnectionMetaData().getHttpVersion();
        if (v != HttpVersion.HTTP_1_1 && v != HttpVersion.HTTP_1_0) return null; // HTTP/2 multiplexes one connection
        EndPoint endPoint = jetty.getConnectionMetaData().getConnection().getEndPoint();
        if (!(endPoint instanceof AbstractEndPoint)) return null; // its interest could not be withdrawn before the answer
        JettyDisconnects watch = new JettyDisconnects(endPoint, onGone);
        return endPoint.tryFillInterested(watch) ? watch : null;
    }

    /**
     * The connection is readable: the end of the stream means the client left. Under the lock, so that once
     * {@link #stop} has returned (the answer is about to be written) nothing here reads the connection any more: a
     * late read could take the first bytes of the client's next request.
     */
    @Override
    public void succeeded() {
        boolean gone;
        synchronized (this) {
            if (state.get() != WATCHING) return;
            state.set(FIRED);
            try {
                int n = endPoint.fill(BufferUtil.allocate(1));
                if (n > 0) pipelined = true; // a byte of the next request is consumed: the answer closes the connection
                gone = n < 0;
            } catch (IOException e) {
                gone = true;
            }
        }
        if (gone) onGone.run(); // watching ends either way: a spurious wake-up (0 bytes) only loses the watch
    }

    @Override
    public void failed(Throwable cause) {
        synchronized (this) {
            if (state.get() != WATCHING) return; // withdrawn by stop()
            state.set(FIRED);
        }
        onGone.run(); // the connection failed (reset, closed)
    }

    /** Before the answer is written: gives the connection back to Jetty. True when the answer must close it. */
    synchronized boolean stop() {
        if (state.getAndSet(STOPPED) == WATCHING) ((AbstractEndPoint) endPoint).getFillInterest().onFail(new CancellationException("answered"));
        return pipelined;
    }

    @Override
    public InvocationType getInvocationType() { return InvocationType.BLOCKING; } // off the selector thread
}
