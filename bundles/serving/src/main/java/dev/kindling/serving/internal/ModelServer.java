package dev.kindling.serving.internal;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A repository with its metrics and protocol: everything a server is, apart from the HTTP container it runs in. */
final class ModelServer implements AutoCloseable {
    final Metrics metrics = new Metrics();
    final ModelRepository repository;
    final Protocol protocol;
    final ServingOptions options;

    ModelServer(Path repo, ServingOptions options, String version, ModelRepository.Listener listener) throws IOException {
        this.options = options;
        this.repository = new ModelRepository(repo, metrics, listener);
        this.protocol = new Protocol(repository, metrics, options, version);
        metrics.gauge("kindling_inference_pending_requests", "Requests waiting in a model version's batching queue.", () -> {
            Map<List<String>, Double> m = new LinkedHashMap<>();
            for (LoadedVersion v : repository.serving()) m.put(List.of(v.name, v.version), (double) v.pending());
            return m;
        }, "model", "version");
        metrics.gauge("kindling_model_ready", "1 for each model version that serves.", () -> {
            Map<List<String>, Double> m = new LinkedHashMap<>();
            for (ModelRepository.Entry e : repository.index()) {
                if (!e.version().isEmpty()) m.put(List.of(e.name(), e.version()), e.state() == ModelRepository.State.READY ? 1.0 : 0.0);
            }
            return m;
        }, "model", "version");
    }

    /** Loads what the repository holds (waiting for it), then keeps polling it. */
    ModelServer start() {
        repository.start(options.pollMillis());
        return this;
    }

    @Override
    public void close() { repository.close(); }
}
