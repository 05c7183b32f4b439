package dev.kindling.serving.internal;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.kindling.api.Tensor;
import dev.kindling.serving.internal.ModelConfig.TensorSpec;

import java.io.IOException;
import java.io.InputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * The HTTP endpoints, independent of the servlet container (the servlet adapter and the tests both call {@link #handle}):
 * Open Inference Protocol v2 REST, Triton's model-repository extension, TorchServe-style {@code /ping} and
 * {@code /predictions}, Prometheus {@code /metrics}. Every error is {@code {"error": "..."}} with its status, and nothing
 * thrown inside reaches the container. Authorization is checked here, per endpoint, rather than in a
 * {@code ServletContextHelper}, so the plain-classpath server enforces the same rules.
 */
final class Protocol {
    /**
     * A request: the path as sent (still percent-encoded, without the context path), headers by name, the body;
     * {@code clientGone} completes when the client disconnects (queued work is then dropped), and {@code continuation}
     * runs what follows a model's answer (encoding the reply), on the container's threads rather than the model's.
     */
    record Call(String method, String path, Function<String, String> header, InputStream body, long contentLength,
                CompletionStage<?> clientGone, Executor continuation) {
        /** A call whose client never goes away, continued on the thread that completes it (tests, embedding). */
        Call(String method, String path, Function<String, String> header, InputStream body, long contentLength) {
            this(method, path, header, body, contentLength, new CompletableFuture<Void>(), Runnable::run);
        }
    }

    record Reply(int status, String contentType, byte[] body, Map<String, String> headers) {
        static Reply json(int status, byte[] body) { return new Reply(status, "application/json", body, Map.of()); }
    }

    /**
     * A request, whichever servlet API it came through: the path without the context, answered by {@code p} (null:
     * stopping). The future never fails: every outcome is a reply.
     */
    static CompletableFuture<Reply> answer(Protocol p, String method, String uri, String contextPath, Function<String, String> header,
                                           InputStream body, long length, CompletionStage<?> clientGone, Executor continuation) {
        String path = uri;
        if (contextPath != null && !contextPath.isEmpty() && path.startsWith(contextPath)) path = path.substring(contextPath.length());
        if (p == null) return CompletableFuture.completedFuture(Reply.json(503, "{\"error\":\"the server is stopping\"}".getBytes(StandardCharsets.UTF_8)));
        return p.handleAsync(new Call(method, path, header, body, length, clientGone, continuation));
    }

    static final String SERVER_NAME = "kindling";
    private static final System.Logger LOG = System.getLogger("dev.kindling.serving");
    /** The page at {@code /}: models, versions, request rate and latency, a form to try a model (plain HTML and JS). */
    private static final byte[] DASHBOARD = dashboard();
    static final String JSON_TYPE = "application/json";
    static final String BINARY_HEADER = "Inference-Header-Content-Length";

    private final ModelRepository repo;
    private final Metrics metrics;
    private final ServingOptions options;
    private final JsonTensors json;
    private final Tokens inference, admin;
    private final String version;

    Protocol(ModelRepository repo, Metrics metrics, ServingOptions options, String serverVersion) {
        this.repo = repo;
        this.metrics = metrics;
        this.options = options;
        this.json = new JsonTensors(options.maxJsonDepth(), options.maxElements());
        this.inference = new Tokens(options.token());
        this.admin = new Tokens(options.adminToken());
        this.version = serverVersion;
    }

    private enum Access { OPEN, INFERENCE, ADMIN }

    /** Answers a call, waiting for the model when it needs one. */
    Reply handle(Call call) { return handleAsync(call).join(); }

    /** Answers a call; the future completes when the model has answered (at once for the other endpoints), and never fails. */
    CompletableFuture<Reply> handleAsync(Call call) {
        String endpoint = "other";
        CompletableFuture<Reply> pending;
        try {
            List<String> seg = segments(call.path());
            endpoint = endpoint(seg);
            pending = route(call, seg);
        } catch (RuntimeException | StackOverflowError e) {
            pending = CompletableFuture.failedFuture(e);
        }
        String label = endpoint;
        return pending.handle((reply, failure) -> {
            Reply r = failure == null ? reply : error(call, failure);
            metrics.http.inc(label, Integer.toString(r.status()));
            return r;
        });
    }

    private Reply error(Call call, Throwable failure) {
        Throwable t = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
        if (t instanceof ServingException e) return error(e);
        // a bug, not a bad request: the client gets no stack trace, the log gets it
        LOG.log(System.Logger.Level.WARNING, "internal error answering " + call.method() + " " + Names.clip(call.path()), t);
        return error(new ServingException(500, "internal error: " + t.getClass().getSimpleName()));
    }

    private static CompletableFuture<Reply> done(Reply r) { return CompletableFuture.completedFuture(r); }

    Reply error(ServingException e) {
        byte[] body = json.write(g -> {
            g.writeStartObject();
            g.writeStringField("error", e.getMessage());
            g.writeEndObject();
        });
        Map<String, String> h = new LinkedHashMap<>();
        if (e.retryAfter > 0) h.put("Retry-After", Integer.toString(e.retryAfter));
        if (e.status == 401) h.put("WWW-Authenticate", "Bearer");
        return new Reply(e.status, JSON_TYPE, body, h);
    }

    private static List<String> segments(String path) {
        List<String> out = new ArrayList<>();
        for (String s : path.split("/")) {
            if (s.isEmpty()) continue;
            try {
                out.add(URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8));
            } catch (IllegalArgumentException e) {
                throw ServingException.badRequest("malformed percent-encoding in the path");
            }
        }
        return out;
    }

    /** A coarse endpoint label for the HTTP metric, never a client-chosen string. */
    private static String endpoint(List<String> s) {
        if (s.isEmpty()) return "dashboard";
        String first = s.get(0);
        if (first.equals("ping") || first.equals("metrics") || first.equals("predictions")) return first;
        if (!first.equals("v2")) return "other";
        if (s.size() == 1) return "server_metadata";
        if (s.get(1).equals("health")) return "health";
        if (s.get(1).equals("repository")) return "repository";
        if (s.get(1).equals("models")) {
            String last = s.get(s.size() - 1);
            return last.equals("infer") ? "infer" : last.equals("ready") ? "model_ready" : "model_metadata";
        }
        return "other";
    }

    private CompletableFuture<Reply> route(Call c, List<String> s) {
        int n = s.size();
        if (n == 0) {
            // the page holds no data: what it shows it fetches from /metrics, with the token the user types in
            method(c, "GET");
            return done(new Reply(200, "text/html; charset=utf-8", DASHBOARD, Map.of("X-Content-Type-Options", "nosniff",
                    "Content-Security-Policy", "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'unsafe-inline'")));
        }
        if (n == 1 && s.get(0).equals("ping")) {
            method(c, "GET");
            boolean ok = repo.ready();
            return done(object(ok ? 200 : 503, g -> g.writeStringField("status", ok ? "Healthy" : "Unhealthy")));
        }
        if (n >= 1 && s.get(0).equals("v2")) return v2(c, s);
        if (n == 1 && s.get(0).equals("metrics")) {
            method(c, "GET");
            authorize(c, Access.INFERENCE);
            return done(new Reply(200, "text/plain; version=0.0.4; charset=utf-8", metrics.scrape().getBytes(StandardCharsets.UTF_8), Map.of()));
        }
        if ((n == 2 || n == 3) && s.get(0).equals("predictions")) {
            method(c, "POST");
            authorize(c, Access.INFERENCE);
            return predictions(c, Names.model(s.get(1)), n == 3 ? Names.version(s.get(2)) : null);
        }
        throw ServingException.notFound("no such endpoint: " + c.method() + " /" + Names.clip(String.join("/", s)));
    }

    private CompletableFuture<Reply> v2(Call c, List<String> s) {
        int n = s.size();
        if (n == 1) {
            method(c, "GET");
            authorize(c, Access.INFERENCE);
            return done(object(200, g -> {
                g.writeStringField("name", SERVER_NAME);
                g.writeStringField("version", version);
                g.writeArrayFieldStart("extensions");
                g.writeString("binary_tensor_data");
                g.writeString("model_repository");
                g.writeString(SafetensorsBodies.EXTENSION);
                g.writeEndArray();
            }));
        }
        if (n == 3 && s.get(1).equals("health") && (s.get(2).equals("live") || s.get(2).equals("ready"))) {
            method(c, "GET");
            // the protocol: 200 means true, a 4xx false (the body says which, as KServe's does)
            boolean live = s.get(2).equals("live");
            boolean ok = live || repo.ready();
            return done(object(ok ? 200 : 400, g -> g.writeBooleanField(live ? "live" : "ready", ok)));
        }
        if (s.get(1).equals("repository")) return done(repository(c, s));
        if (n >= 3 && s.get(1).equals("models")) {
            String model = Names.model(s.get(2));
            String ver = null;
            int rest = 3;
            if (n >= 5 && s.get(3).equals("versions")) {
                ver = Names.version(s.get(4));
                rest = 5;
            }
            if (n == rest) {
                method(c, "GET");
                authorize(c, Access.INFERENCE);
                return done(metadata(model, ver));
            }
            if (n == rest + 1 && s.get(rest).equals("ready")) {
                method(c, "GET");
                authorize(c, Access.INFERENCE);
                boolean ok = modelReady(model, ver);
                return done(object(ok ? 200 : 400, g -> {
                    g.writeStringField("name", model);
                    g.writeBooleanField("ready", ok);
                }));
            }
            if (n == rest + 1 && s.get(rest).equals("infer")) {
                method(c, "POST");
                authorize(c, Access.INFERENCE);
                return infer(c, model, ver);
            }
        }
        throw ServingException.notFound("no such endpoint: " + c.method() + " /" + Names.clip(String.join("/", s)));
    }

    private void method(Call c, String allowed) {
        if (!c.method().equals(allowed)) throw new ServingException(405, c.method() + " is not allowed here; use " + allowed);
    }

    private void authorize(Call c, Access access) {
        if (access == Access.OPEN) return;
        String auth = c.header().apply("Authorization");
        if (access == Access.ADMIN) {
            if (!admin.configured()) {
                throw new ServingException(403, "the repository (management) API is off: it is enabled by setting an admin token (kindling.serve.adminToken)");
            }
            if (!admin.matches(auth)) throw new ServingException(401, auth == null ? "this endpoint needs the admin token (Authorization: Bearer <token>)" : "wrong admin token");
            return;
        }
        if (!inference.configured() || inference.matches(auth) || admin.matches(auth)) return;
        throw new ServingException(401, auth == null ? "this server needs a token (Authorization: Bearer <token>)" : "wrong token");
    }

    private boolean modelReady(String model, String ver) {
        ModelRepository.Model m = repo.model(model);
        if (m == null) throw ServingException.notFound("unknown model '" + model + "'");
        if (ver == null) return m.versions.values().stream().anyMatch(sl -> sl.current.get() != null);
        ModelRepository.Slot slot = m.versions.get(Long.parseLong(ver));
        if (slot == null) throw ServingException.notFound("model '" + model + "' has no version '" + ver + "'");
        return slot.current.get() != null;
    }

    private Reply metadata(String model, String ver) {
        LoadedVersion v = repo.acquire(model, ver);
        try {
            ModelRepository.Model m = repo.model(model);
            List<String> versions = m == null ? List.of(v.version) : m.sorted().stream().map(sl -> sl.version).toList();
            return object(200, g -> {
                g.writeStringField("name", v.name);
                g.writeArrayFieldStart("versions");
                for (String x : versions) g.writeString(x);
                g.writeEndArray();
                g.writeStringField("platform", v.platform);
                specs(g, "inputs", v.inputs);
                specs(g, "outputs", v.outputs);
            });
        } finally {
            v.release();
        }
    }

    private static void specs(JsonGenerator g, String field, List<TensorSpec> specs) throws IOException {
        g.writeArrayFieldStart(field);
        for (TensorSpec t : specs) {
            g.writeStartObject();
            g.writeStringField("name", t.name());
            g.writeStringField("datatype", t.datatype());
            g.writeFieldName("shape");
            JsonTensors.writeLongs(g, t.shape() == null ? new long[] {-1} : t.shape());
            g.writeEndObject();
        }
        g.writeEndArray();
    }

    private CompletableFuture<Reply> infer(Call c, String model, String ver) {
        long t0 = System.nanoTime();
        byte[] body = body(c);
        boolean safetensorsIn = SafetensorsBodies.named(c.header().apply("Content-Type"));
        boolean safetensorsOut = SafetensorsBodies.named(c.header().apply("Accept"));
        JsonTensors.InferRequest req = safetensorsIn ? SafetensorsBodies.read(body, options.maxElements()) : json.readInfer(body, headerLength(c));
        return served(repo.acquire(model, ver), t0, v -> v.submit(req.inputs(), TimeUnit.MICROSECONDS.toNanos(req.timeoutMicros()),
                TimeUnit.MILLISECONDS.toNanos(options.requestTimeoutMillis()), c.clientGone()).thenApplyAsync(out -> {
            if (safetensorsOut) {
                byte[] st = SafetensorsBodies.write(v.name, v.version, req.id(), pick(out, req.outputs(), v));
                return new Reply(200, SafetensorsBodies.MEDIA_TYPE, st, Map.of());
            }
            JsonTensors.Encoded e = json.writeResponse(v.name, v.version, req.id(), pick(out, req.outputs(), v), req::binary);
            if (e.jsonLength() < 0) return Reply.json(200, e.body());
            return new Reply(200, "application/octet-stream", e.body(), Map.of(BINARY_HEADER, Integer.toString(e.jsonLength())));
        }, c.continuation()));
    }

    /** Triton's binary tensor extension: the length of the JSON part of a body followed by raw tensor bytes; -1 without it. */
    private static int headerLength(Call c) {
        String h = c.header().apply(BINARY_HEADER);
        if (h == null) return -1;
        try {
            int n = Integer.parseInt(h.trim());
            if (n < 0) throw new NumberFormatException();
            return n;
        } catch (NumberFormatException e) {
            throw ServingException.badRequest(BINARY_HEADER + " must be a byte count, got '" + Names.clip(h) + "'");
        }
    }

    /** Answers with a held version, counts the answer in its metrics by status, and lets the version go once answered. */
    private CompletableFuture<Reply> served(LoadedVersion v, long t0, Function<LoadedVersion, CompletableFuture<Reply>> work) {
        CompletableFuture<Reply> pending;
        try {
            pending = work.apply(v);
        } catch (RuntimeException e) {
            pending = CompletableFuture.failedFuture(e);
        }
        return pending.whenComplete((r, failure) -> {
            int status = r != null ? r.status() : v.failure(failure).status;
            metrics.requests.inc(v.name, v.version, Integer.toString(status));
            metrics.requestSeconds.observe((System.nanoTime() - t0) / 1e9, v.name, v.version);
            v.release();
        });
    }

    private static Map<String, Tensor> pick(Map<String, Tensor> out, List<String> wanted, LoadedVersion v) {
        if (wanted.isEmpty()) return out;
        Map<String, Tensor> picked = new LinkedHashMap<>();
        for (String w : wanted) {
            Tensor t = out.get(w);
            if (t == null) throw ServingException.badRequest("model " + v.name + " has no output '" + Names.clip(w) + "' (outputs: " + String.join(", ", out.keySet()) + ")");
            picked.put(w, t);
        }
        return picked;
    }

    /**
     * TorchServe style: the body is a nested array (or {@code {"data": [...]}}) for a model with one input; the reply is the
     * output as a nested array. A single sample (one dimension less than the declared input) gets the batch dimension
     * added, and the reply loses it again.
     */
    private CompletableFuture<Reply> predictions(Call c, String model, String ver) {
        long t0 = System.nanoTime();
        byte[] body = body(c);
        return served(repo.acquire(model, ver), t0, v -> {
            if (v.inputs.size() != 1) {
                throw ServingException.badRequest("model " + model + " takes " + v.inputs.size() + " inputs; /predictions is for one-input models, use /v2/models/" + model + "/infer");
            }
            TensorSpec in = v.inputs.get(0);
            Tensor x = json.readPlain(body, in.dtype());
            boolean single = in.shape() != null && x.dim() == in.shape().length - 1;
            return v.submit(Map.of(in.name(), single ? x.unsqueeze(0) : x), 0, TimeUnit.MILLISECONDS.toNanos(options.requestTimeoutMillis()),
                    c.clientGone()).thenApplyAsync(out -> nested(out, single), c.continuation());
        });
    }

    /** /predictions' reply: the one output as a nested array, or an object of them, without the batch dimension it added. */
    private Reply nested(Map<String, Tensor> out, boolean single) {
        if (out.size() == 1) {
            Tensor y = out.values().iterator().next();
            return Reply.json(200, json.writeNested(single && y.dim() > 0 ? y.squeeze(0) : y));
        }
        return Reply.json(200, json.write(g -> {
            g.writeStartObject();
            for (Map.Entry<String, Tensor> e : out.entrySet()) {
                g.writeFieldName(e.getKey());
                g.writeRawValue(new String(json.writeNested(single ? e.getValue().squeeze(0) : e.getValue()), StandardCharsets.UTF_8));
            }
            g.writeEndObject();
        }));
    }

    /** Triton's model-repository extension, behind the admin token. */
    private Reply repository(Call c, List<String> s) {
        int n = s.size();
        if (n == 3 && s.get(2).equals("index")) {
            method(c, "POST");
            authorize(c, Access.ADMIN);
            return Reply.json(200, json.write(g -> {
                g.writeStartArray();
                for (ModelRepository.Entry e : repo.index()) {
                    g.writeStartObject();
                    g.writeStringField("name", e.name());
                    if (!e.version().isEmpty()) g.writeStringField("version", e.version());
                    g.writeStringField("state", e.state().name());
                    g.writeStringField("reason", e.reason());
                    g.writeEndObject();
                }
                g.writeEndArray();
            }));
        }
        if (n == 5 && s.get(2).equals("models") && (s.get(4).equals("load") || s.get(4).equals("unload"))) {
            method(c, "POST");
            authorize(c, Access.ADMIN);
            String model = Names.model(s.get(3));
            if (s.get(4).equals("unload")) {
                if (!repo.unload(model)) throw ServingException.notFound("model '" + model + "' is not loaded");
                return object(200, g -> {});
            }
            ModelRepository.Model m = repo.loadNow(model);
            if (m == null) throw ServingException.badRequest("no model folder '" + model + "' in the repository");
            for (ModelRepository.Slot slot : m.sorted()) {
                if (slot.current.get() == null) throw ServingException.badRequest("model '" + model + "' version " + slot.version + ": " + slot.reason);
                if (slot.reason.startsWith("reload failed")) throw ServingException.badRequest("model '" + model + "' version " + slot.version + ": " + slot.reason);
            }
            if (m.versions.isEmpty()) throw ServingException.badRequest("model '" + model + "' has no version folder with a model");
            return object(200, g -> {});
        }
        throw ServingException.notFound("no such endpoint: " + c.method() + " /" + Names.clip(String.join("/", s)));
    }

    private static byte[] dashboard() {
        try (InputStream in = Protocol.class.getResourceAsStream("dashboard.html")) {
            if (in == null) throw new IllegalStateException("dashboard.html is missing from the serving bundle");
            return in.readAllBytes();
        } catch (IOException e) {
            throw new IllegalStateException("cannot read dashboard.html: " + e.getMessage(), e);
        }
    }

    /** The most of a too-large body read and dropped before the 413, so the client gets to read the answer. */
    static final long DRAIN_BYTES = 1L << 20;

    /**
     * The body, at most {@code maxRequestBytes} (413 beyond: checked on Content-Length first, then while reading). A body
     * over the limit by at most {@link #DRAIN_BYTES} is read to its end first: a server that answers and closes while the
     * client still sends makes the client see a reset instead of the 413.
     */
    private byte[] body(Call c) {
        long limit = options.maxRequestBytes();
        if (c.contentLength() > limit) {
            drain(c.body(), c.contentLength());
            throw tooLarge(limit);
        }
        try {
            byte[] b = c.body().readNBytes((int) Math.min(Integer.MAX_VALUE - 8, limit + 1));
            if (b.length > limit) {
                drain(c.body(), DRAIN_BYTES);
                throw tooLarge(limit);
            }
            return b;
        } catch (IOException e) {
            throw ServingException.badRequest("cannot read the request body: " + e.getMessage());
        }
    }

    /** Reads and drops up to {@code n} bytes (at most {@link #DRAIN_BYTES}); a client that stops sending ends it. */
    private static void drain(InputStream in, long n) {
        long left = Math.min(n, DRAIN_BYTES);
        byte[] buf = new byte[8192];
        try {
            int r;
            while (left > 0 && (r = in.read(buf, 0, (int) Math.min(buf.length, left))) > 0) left -= r;
        } catch (IOException e) {
            // the client went away: the 413 goes nowhere either way
        }
    }

    private static ServingException tooLarge(long limit) {
        return new ServingException(413, "the request body is larger than the limit of " + limit + " bytes");
    }

    private Reply object(int status, JsonTensors.Writer fields) {
        return Reply.json(status, json.write(g -> {
            g.writeStartObject();
            fields.write(g);
            g.writeEndObject();
        }));
    }
}
