package dev.kindling.serving.internal;

import dev.kindling.api.Device;
import dev.kindling.api.Tensor;
import dev.kindling.api.Torch;
import dev.kindling.nn.Module;
import dev.kindling.onnx.OnnxModel;
import dev.kindling.serving.ServedModel;
import dev.kindling.serving.internal.ModelConfig.TensorSpec;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One loaded, warmed-up model version: its model instances, what it takes and gives, and its batching queue. Requests hold
 * it between {@link #acquire} and {@link #release}; once {@link #retire retired} (replaced or unloaded) it finishes the
 * requests that hold it and then stops, so a swap never fails a request in flight.
 */
final class LoadedVersion implements ServedModel {
    final String name, version, platform;
    final Path source;
    final ModelConfig config;
    final List<TensorSpec> inputs, outputs;
    final String warmup;
    final Batcher batcher;
    private final long defaultTimeoutNanos;
    /** Requests holding this version; -1 once closed (no one may acquire it any more). */
    private final AtomicInteger users = new AtomicInteger();
    private volatile boolean retired;

    private LoadedVersion(String name, String version, String platform, Path source, ModelConfig config, List<TensorSpec> inputs,
                          List<TensorSpec> outputs, String warmup, List<Batcher.Runner> runners, Metrics metrics) {
        this.name = name;
        this.version = version;
        this.platform = platform;
        this.source = source;
        this.config = config;
        this.inputs = inputs;
        this.outputs = outputs;
        this.warmup = warmup;
        this.defaultTimeoutNanos = TimeUnit.MICROSECONDS.toNanos(config.defaultTimeoutMicros());
        this.batcher = new Batcher(name + "/" + version, runners, config.maxBatchSize(), TimeUnit.MICROSECONDS.toNanos(config.maxQueueDelayMicros()),
                config.maxQueueSize(), new Batcher.Observer() {
                    @Override public void batch(int rows, long[] queued, long compute) {
                        for (long q : queued) metrics.queueSeconds.observe(q / 1e9, name, version);
                        metrics.computeSeconds.observe(compute / 1e9, name, version);
                        metrics.batchSize.observe(rows, name, version);
                    }

                    @Override public void abandoned() { metrics.abandoned.inc(name, version); }
                });
    }

    /**
     * Wraps loaded model instances (one per {@code instances}), derives the inputs and outputs (from config.json, else the
     * model), and warms the model up with one batch of zeros when the input shapes are known.
     */
    static LoadedVersion of(String name, String version, Path source, ModelConfig config, List<Module> instances, Metrics metrics) {
        Module first = instances.get(0);
        boolean onnx = first instanceof OnnxModel;
        List<TensorSpec> in = !config.inputs().isEmpty() ? config.inputs() : defaultInputs(first);
        List<String> inNames = in.stream().map(TensorSpec::name).toList();
        List<String> outNames = !config.outputs().isEmpty() ? config.outputs().stream().map(TensorSpec::name).toList()
                : onnx ? ((OnnxModel) first).outputNames() : List.of("output");
        List<Batcher.Runner> runners = new ArrayList<>();
        for (Module m : instances) {
            m.eval();
            runners.add(runner(m, inNames, outNames));
        }
        List<TensorSpec> out = config.outputs();
        String warmup;
        if (in.stream().allMatch(s -> s.shape() != null)) {
            Map<String, Tensor> zeros = new LinkedHashMap<>();
            for (TensorSpec s : in) zeros.put(s.name(), Torch.zeros(batchOfOne(s.shape()), s.dtype(), Device.CPU));
            Map<String, Tensor> result;
            try (var g = Torch.noGrad()) {
                for (Batcher.Runner r : runners) r.run(zeros);
                result = runners.get(0).run(zeros);
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("the warm-up batch of zeros " + describe(in) + " failed: " + e.getMessage(), e);
            }
            if (out.isEmpty()) {
                List<TensorSpec> derived = new ArrayList<>();
                result.forEach((k, t) -> {
                    long[] s = t.shape().clone();
                    if (s.length > 0) s[0] = -1;
                    derived.add(new TensorSpec(k, t.dtype(), s));
                });
                out = derived;
            }
            warmup = "warmed up with a batch of zeros " + describe(in);
        } else {
            warmup = "not warmed up: config.json declares no input shapes";
            if (out.isEmpty()) out = outNames.stream().map(n -> new TensorSpec(n, dev.kindling.api.DType.FLOAT32, null)).toList();
        }
        return new LoadedVersion(name, version, onnx ? "onnx" : "kindling", source, config, in, out, warmup, runners, metrics);
    }

    private static long[] batchOfOne(long[] shape) {
        long[] s = shape.clone();
        for (int i = 0; i < s.length; i++) if (s[i] < 0) s[i] = 1;
        return s;
    }

    private static String describe(List<TensorSpec> specs) {
        StringBuilder sb = new StringBuilder();
        for (TensorSpec s : specs) sb.append(sb.length() == 0 ? "" : ", ").append(s.name()).append(' ').append(Arrays.toString(batchOfOne(s.shape())));
        return sb.toString();
    }

    /**
     * Without config.json: an ONNX model's graph inputs, or one FP32 input "input" for a Kindling model, shaped [-1, in]
     * when it starts with a linear layer (after flatten layers, which leave [-1, in] as it is), else of unknown shape.
     */
    private static List<TensorSpec> defaultInputs(Module m) {
        if (m instanceof OnnxModel o) return o.inputNames().stream().map(n -> new TensorSpec(n, dev.kindling.api.DType.FLOAT32, null)).toList();
        Module first = firstLayer(m);
        long[] shape = first instanceof dev.kindling.nn.Linear lin ? new long[] {-1, lin.weight().size(1)} : null;
        return List.of(new TensorSpec("input", dev.kindling.api.DType.FLOAT32, shape));
    }

    /** The first leaf module that is not a flatten layer. */
    private static Module firstLayer(Module m) {
        List<Module> children = m.children();
        if (children.isEmpty()) return m;
        for (Module c : children) {
            Module leaf = firstLayer(c);
            if (!(leaf instanceof dev.kindling.nn.Flatten)) return leaf;
        }
        return children.get(children.size() - 1);
    }

    /** The model as a runner: inputs moved to the model's device, outputs back on the CPU, named. */
    private static Batcher.Runner runner(Module m, List<String> inNames, List<String> outNames) {
        Device device = m.parameters().isEmpty() ? Device.CPU : m.parameters().get(0).device();
        if (m instanceof OnnxModel o) {
            return inputs -> {
                Map<String, Tensor> on = new LinkedHashMap<>();
                inputs.forEach((k, t) -> on.put(k, t.to(device)));
                Map<String, Tensor> r = o.run(on);
                Map<String, Tensor> out = new LinkedHashMap<>();
                r.forEach((k, t) -> out.put(k, t.cpu()));
                return out;
            };
        }
        if (outNames.size() != 1) throw new IllegalArgumentException("config.json declares " + outNames.size() + " outputs, but a Kindling model gives one tensor");
        String outName = outNames.get(0);
        return inputs -> {
            Tensor[] xs = new Tensor[inNames.size()];
            for (int i = 0; i < xs.length; i++) xs[i] = inputs.get(inNames.get(i)).to(device);
            Tensor y = xs.length == 1 ? m.forward(xs[0]) : m.forward(xs);
            return Map.of(outName, y.cpu());
        };
    }

    /** Takes a hold on this version; false once it has closed (the caller looks up the current version again). */
    boolean acquire() {
        while (true) {
            int u = users.get();
            if (u < 0) return false;
            if (users.compareAndSet(u, u + 1)) return true;
        }
    }

    void release() {
        if (users.decrementAndGet() == 0 && retired && users.compareAndSet(0, -1)) batcher.close();
    }

    /** No new requests; the batcher stops once the requests holding this version are answered. */
    void retire() {
        retired = true;
        if (users.compareAndSet(0, -1)) batcher.close();
    }

    boolean closed() { return users.get() < 0; }

    int pending() { return batcher.pending(); }

    /**
     * Checks the inputs against what the version takes and queues them; the future completes with the outputs or a
     * {@link ServingException}. {@code timeoutNanos} 0 takes the model's default ({@code dynamic_batching.default_timeout_us}),
     * else {@code ceiling}: no request waits forever. When {@code clientGone} completes while the request is still queued,
     * the request leaves the queue and is never run.
     */
    CompletableFuture<Map<String, Tensor>> submit(Map<String, Tensor> given, long timeoutNanos, long ceilingNanos, CompletionStage<?> clientGone) {
        check(given);
        long timeout = timeoutNanos > 0 ? timeoutNanos : defaultTimeoutNanos > 0 ? defaultTimeoutNanos : ceilingNanos;
        timeout = Math.min(timeout, ceilingNanos);
        Map<String, Tensor> ordered = new LinkedHashMap<>();
        for (TensorSpec s : inputs) ordered.put(s.name(), given.get(s.name()));
        Batcher.Job job = batcher.submit(ordered, timeout);
        if (clientGone != null) clientGone.thenRun(() -> batcher.abandon(job));
        return job.result;
    }

    /** {@link #submit}, waiting for the outputs. */
    Map<String, Tensor> infer(Map<String, Tensor> given, long timeoutNanos, long ceilingNanos) {
        CompletableFuture<Void> gone = new CompletableFuture<>();
        CompletableFuture<Map<String, Tensor>> result = submit(given, timeoutNanos, ceilingNanos, gone);
        try {
            return result.get();
        } catch (InterruptedException e) {
            gone.complete(null);
            Thread.currentThread().interrupt();
            throw new ServingException(503, "the request was interrupted (the server is stopping)", 1);
        } catch (ExecutionException e) {
            throw failure(e.getCause());
        }
    }

    /** What a request's future failed with, as the status to answer. */
    ServingException failure(Throwable cause) {
        if (cause instanceof CompletionException && cause.getCause() != null) cause = cause.getCause();
        if (cause instanceof ServingException s) return s;
        return new ServingException(500, "model " + name + "/" + version + " failed: " + cause.getClass().getSimpleName());
    }

    private void check(Map<String, Tensor> given) {
        for (String k : given.keySet()) {
            if (inputs.stream().noneMatch(s -> s.name().equals(k))) {
                throw ServingException.badRequest("model " + name + " has no input '" + Names.clip(k) + "' (inputs: " + String.join(", ", inputNames()) + ")");
            }
        }
        for (TensorSpec s : inputs) {
            Tensor t = given.get(s.name());
            if (t == null) throw ServingException.badRequest("input '" + s.name() + "' of model " + name + " is missing");
            if (t.dtype() != s.dtype()) {
                throw ServingException.badRequest("input '" + s.name() + "' is " + Datatypes.name(t.dtype()) + ", but model " + name + " takes " + s.datatype());
            }
            if (!ModelConfig.fits(s.shape(), t.shape())) {
                throw ServingException.badRequest("input '" + s.name() + "' has shape " + Arrays.toString(t.shape()) + ", but model " + name
                        + " takes " + ModelConfig.shape(s.shape()) + " (-1: any size)");
            }
        }
    }

    @Override public String name() { return name; }

    @Override public String version() { return version; }

    @Override public List<String> inputNames() { return inputs.stream().map(TensorSpec::name).toList(); }

    @Override
    public Map<String, Tensor> infer(Map<String, Tensor> inputs) {
        if (!acquire()) throw new IllegalStateException("model " + name + "/" + version + " has been unloaded");
        try {
            return infer(inputs, 0, TimeUnit.SECONDS.toNanos(60));
        } catch (ServingException e) {
            if (e.status == 400) throw new IllegalArgumentException(e.getMessage());
            throw new IllegalStateException(e.getMessage());
        } finally {
            release();
        }
    }
}
