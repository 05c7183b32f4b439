package dev.kindling.serving.internal;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.servlet.AsyncContext;
import javax.servlet.AsyncEvent;
import javax.servlet.AsyncListener;
import javax.servlet.ReadListener;
import javax.servlet.ServletInputStream;
import javax.servlet.ServletOutputStream;
import javax.servlet.WriteListener;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The javax adapter (Pax Web's whiteboard) without a container: requests go asynchronous, a disconnect the container
 * reports ({@code AsyncListener.onError}) drops the queued request unrun, and the others are answered.
 */
class JavaxServletTest {
    @TempDir
    Path repo;
    private ModelServer server;

    @AfterEach
    void stop() {
        if (server != null) server.close();
    }

    /** One request's container side: the async context's listeners, the status and body written, completion. */
    static final class Exchange {
        final List<AsyncListener> listeners = new CopyOnWriteArrayList<>();
        final CompletableFuture<Void> completed = new CompletableFuture<>();
        final ByteArrayOutputStream body = new ByteArrayOutputStream();
        volatile int status;
        AsyncContext async;
        HttpServletRequest request;
        HttpServletResponse response;
    }

    private static Exchange exchange(String path, String body) {
        Exchange x = new Exchange();
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ByteArrayInputStream in = new ByteArrayInputStream(bytes);
        ServletInputStream input = new ServletInputStream() {
            @Override public int read() { return in.read(); }

            @Override public int read(byte[] b, int off, int len) { return in.read(b, off, len); }

            @Override public boolean isFinished() { return in.available() == 0; }

            @Override public boolean isReady() { return true; }

            @Override public void setReadListener(ReadListener l) { throw new UnsupportedOperationException(); }
        };
        ServletOutputStream output = new ServletOutputStream() {
            @Override public void write(int b) { x.body.write(b); }

            @Override public boolean isReady() { return true; }

            @Override public void setWriteListener(WriteListener l) { throw new UnsupportedOperationException(); }
        };
        x.async = proxy(AsyncContext.class, (m, args) -> switch (m) {
            case "addListener" -> x.listeners.add((AsyncListener) args[0]);
            case "complete" -> x.completed.complete(null);
            case "start" -> {
                new Thread((Runnable) args[0]).start();
                yield null;
            }
            default -> null;
        });
        x.request = proxy(HttpServletRequest.class, (m, args) -> switch (m) {
            case "getMethod" -> "POST";
            case "getRequestURI" -> path;
            case "getContextPath" -> "";
            case "getContentLengthLong" -> (long) bytes.length;
            case "getInputStream" -> input;
            case "isAsyncSupported" -> true;
            case "startAsync" -> x.async;
            default -> null;
        });
        x.response = proxy(HttpServletResponse.class, (m, args) -> switch (m) {
            case "setStatus" -> {
                x.status = (Integer) args[0];
                yield null;
            }
            case "getOutputStream" -> output;
            default -> null;
        });
        return x;
    }

    interface Answer {
        Object of(String method, Object[] args);
    }

    private static <T> T proxy(Class<T> type, Answer answer) {
        return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, (p, m, args) -> {
            Object r = answer.of(m.getName(), args);
            if (r == null && m.getReturnType() == boolean.class) return false;
            if (r == null && m.getReturnType() == int.class) return 0;
            return r instanceof Boolean b && m.getReturnType() == void.class ? null : r;
        }));
    }

    @Test
    void aDisconnectReportedByTheContainerDropsTheQueuedRequestAndTheOtherIsAnswered() throws Exception {
        Fixture.saveMlp(repo, "mlp", "1", 21);
        Files.writeString(repo.resolve("mlp/config.json"), "{\"max_batch_size\": 8, \"dynamic_batching\": {\"max_queue_delay_us\": 1000000}}");
        server = new ModelServer(repo, ServingOptions.defaults().withPollMillis(0), "0.1.0", new ModelRepository.Listener() {
            @Override public void ready(LoadedVersion v) {}

            @Override public void gone(LoadedVersion v) {}
        }).start();
        JavaxServingServlet servlet = new JavaxServingServlet(() -> server.protocol);
        String body = Fixture.inferBody("input", new float[] {1, 2, 3, 4}, 1, 4);
        Exchange leaving = exchange("/v2/models/mlp/infer", body), staying = exchange("/v2/models/mlp/infer", body);
        servlet.service(leaving.request, leaving.response);
        servlet.service(staying.request, staying.response);
        assertEquals(2, server.repository.serving().get(0).pending(), "both wait in the queue; the container threads returned");
        for (AsyncListener l : leaving.listeners) l.onError(new AsyncEvent(leaving.async, new IOException("connection reset")));
        assertTrue(leaving.completed.isDone(), "the gone client's exchange is completed at once");
        assertEquals(1, server.repository.serving().get(0).pending(), "and its request left the queue");
        staying.completed.get(10, TimeUnit.SECONDS);
        assertEquals(200, staying.status, staying.body.toString(StandardCharsets.UTF_8));
        assertTrue(staying.body.toString(StandardCharsets.UTF_8).contains("\"outputs\""));
        assertEquals(1, server.metrics.abandoned.get("mlp", "1"));
        assertEquals(1, server.metrics.batchSize.count("mlp", "1"), "one batch ran");
        assertEquals(0, leaving.status, "nothing was written for the client that left");
    }
}
