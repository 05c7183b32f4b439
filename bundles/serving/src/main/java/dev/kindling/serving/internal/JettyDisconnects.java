package dev.kindling.serving.internal;

import jakarta.servlet.http.HttpServletRequest;
import org.eclipse.jetty.ee10.servlet.ServletContextRequest;
import org.eclipse.jetty.io.AbstractEndPoint;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.util.BufferUtil;
import org.eclipse.jetty.util.Callback;

import java.io.IOException;
import java.util.concurrent.CancellationException;

/**
 * A {@link ConnectionWatch} on Jetty 12 (Felix HTTP Jetty 12 in Kindling's distribution, the embedded server). Only
 * touched when Jetty 12's classes are there ({@link #available}).
 */
final class JettyDisconnects extends ConnectionWatch implements Callback {
    private final AbstractEndPoint endPoint;

    private JettyDisconnects(AbstractEndPoint endPoint, Runnable onGone) {
        super(onGone);
        this.endPoint = endPoint;
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
        if (!req.getProtocol().startsWith("HTTP/1.")) return null; // HTTP/2 multiplexes one connection
        ServletContextRequest jetty = ServletContextRequest.getServletContextRequest(req);
        if (jetty == null) return null;
        EndPoint endPoint = jetty.getConnectionMetaData().getConnection().getEndPoint();
        if (!(endPoint instanceof AbstractEndPoint e)) return null; // its interest could not be withdrawn before the answer
        JettyDisconnects watch = new JettyDisconnects(e, onGone);
        return e.tryFillInterested(watch) ? watch : null;
    }

    @Override
    int readOne() throws IOException { return endPoint.fill(BufferUtil.allocate(1)); }

    @Override
    void withdraw() { endPoint.getFillInterest().onFail(new CancellationException("answered")); }

    @Override
    public void succeeded() { readable(); }

    @Override
    public void failed(Throwable cause) { broken(); }

    @Override
    public InvocationType getInvocationType() { return InvocationType.BLOCKING; } // off the selector thread
}
