package dev.kindling.serving.internal;

import javax.servlet.AsyncContext;
import javax.servlet.AsyncEvent;
import javax.servlet.AsyncListener;
import javax.servlet.http.HttpServlet;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;

import java.io.IOException;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * {@link ServingServlet} for the javax HTTP Whiteboard (Pax Web 8 in Apache Karaf 4.4): the same asynchronous adapter
 * over the javax servlet API (keep the two alike). Only loaded when that whiteboard is the one running
 * ({@link Whiteboard#JAVAX}). A client's disconnect drops its queued request when the container reports it through
 * {@link AsyncListener#onError}; on Jetty 9.4 (Pax Web 8), which reports it only when the answer is written,
 * {@link Jetty9Disconnects} watches the connection.
 */
final class JavaxServingServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;
    private static final boolean JETTY = Jetty9Disconnects.available();
    private final transient Supplier<Protocol> protocol;

    JavaxServingServlet(Supplier<Protocol> protocol) { this.protocol = protocol; }

    @Override
    protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        if (!req.isAsyncSupported()) {
            // registered without async support (a container or filter that does not allow it): answer on this thread
            write(resp, Protocol.answer(protocol.get(), req.getMethod(), req.getRequestURI(), req.getContextPath(), req::getHeader,
                    req.getInputStream(), req.getContentLengthLong(), new CompletableFuture<Void>(), Runnable::run).join());
            return;
        }
        AsyncContext async = req.startAsync();
        async.setTimeout(0); // the protocol's own request timeout (504) bounds every request
        CompletableFuture<Void> clientGone = new CompletableFuture<>();
        AtomicBoolean finished = new AtomicBoolean();
        async.addListener(new AsyncListener() {
            @Override public void onError(AsyncEvent event) { gone(); }

            @Override public void onTimeout(AsyncEvent event) { gone(); }

            private void gone() {
                // finished first: cancelling the queued request completes the reply at once, and the answer must not be written
                boolean first = finished.compareAndSet(false, true);
                clientGone.complete(null);
                if (first) async.complete();
            }

            @Override public void onComplete(AsyncEvent event) {}

            @Override public void onStartAsync(AsyncEvent event) {}
        });
        CompletableFuture<Protocol.Reply> reply = Protocol.answer(protocol.get(), req.getMethod(), req.getRequestURI(), req.getContextPath(),
                req::getHeader, req.getInputStream(), req.getContentLengthLong(), clientGone, task -> onContainerThread(async, task));
        // the body is read now; while the model works, watch the connection (Jetty reports a disconnect only on writing)
        Jetty9Disconnects watch = reply.isDone() || !JETTY ? null : Jetty9Disconnects.watch(req, () -> {
            boolean first = finished.compareAndSet(false, true);
            clientGone.complete(null);
            if (first) async.complete();
        });
        Runnable answer = () -> {
            if (!finished.compareAndSet(false, true)) return; // the client is gone
            try {
                if (watch != null && watch.stop()) resp.setHeader("Connection", "close");
                write(resp, reply.join());
            } catch (IOException e) {
                // the client went away before the answer: nothing to tell it
            } finally {
                async.complete();
            }
        };
        if (reply.isDone()) answer.run();
        else reply.thenRun(() -> onContainerThread(async, answer));
    }

    /** Runs a task on one of the container's threads, or here when the request is already over. */
    private static void onContainerThread(AsyncContext async, Runnable task) {
        try {
            async.start(task);
        } catch (IllegalStateException e) {
            task.run();
        }
    }

    private static void write(HttpServletResponse resp, Protocol.Reply r) throws IOException {
        resp.setStatus(r.status());
        resp.setContentType(r.contentType());
        for (Map.Entry<String, String> h : r.headers().entrySet()) resp.setHeader(h.getKey(), h.getValue());
        resp.setContentLength(r.body().length);
        try {
            resp.getOutputStream().write(r.body());
        } catch (IOException e) {
            // the client went away before the answer: nothing to tell it
        }
    }
}
