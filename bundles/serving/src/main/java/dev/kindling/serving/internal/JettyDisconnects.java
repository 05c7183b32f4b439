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

    /** The connection is readable: the end of the stream means the client left. */
    @Override
    public void succeeded() {
        if (!state.compareAndSet(WATCHING, FIRED)) return;
        try {
            ByteBuffer one = BufferUtil.allocate(1);
            int n = endPoint.fill(one);
            if (n < 0) onGone.run();
            else if (n > 0) pipelined = true; // a byte of the next request is consumed: the answer closes the connection
            else if (state.compareAndSet(FIRED, WATCHING) && !endPoint.tryFillInterested(this)) state.set(STOPPED);
        } catch (IOException e) {
            onGone.run();
        }
    }

    @Override
    public void failed(Throwable cause) {
        if (state.compareAndSet(WATCHING, FIRED)) onGone.run(); // the connection failed (reset, closed)
    }

    /** Before the answer is written: gives the connection back to Jetty. True when the answer must close it. */
    boolean stop() {
        if (state.compareAndSet(WATCHING, STOPPED)) ((AbstractEndPoint) endPoint).getFillInterest().onFail(new CancellationException("answered"));
        return pipelined;
    }

    @Override
    public InvocationType getInvocationType() { return InvocationType.BLOCKING; } // off the selector thread
}
