package dev.kindling.serving.internal;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * The servlet adapter: one servlet for every path, handing each request to the current {@link Protocol}. A request
 * runs asynchronously: the container thread returns while the request waits in a model's queue, so the container can
 * report a client that disconnects ({@link AsyncListener#onError}; on Jetty 12 {@link JettyDisconnects} watches the
 * connection), and the request is then dropped from the queue unrun.
 * ({@link JavaxServingServlet} is the same over the javax servlet API; keep the two alike.)
 */
final class ServingServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;
    private static final boolean JETTY = JettyDisconnects.available();
    private final transient Supplier<Protocol> protocol;

    ServingServlet(Supplier<Protocol> protocol) { this.protocol = protocol; }

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
        JettyDisconnects watch = reply.isDone() || !JETTY ? null : JettyDisconnects.watch(req, () -> {
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
