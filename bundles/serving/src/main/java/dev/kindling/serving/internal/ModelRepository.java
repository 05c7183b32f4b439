package dev.kindling.serving.internal;

import dev.kindling.nn.Module;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A model repository, {@code <repo>/<model>/<version>/} (Triton's layout) with an optional {@code <repo>/<model>/config.json},
 * kept in step with the disk: a periodic rescan (re)loads new or changed versions in the background and unloads those
 * removed or dropped by the version policy. A reload is load-before-swap: the new version is loaded and warmed up while the
 * old one serves, swapped in atomically, and the old one drained. A version that fails to load keeps its old model serving
 * (Triton and TorchServe users ask for exactly this: triton-inference-server/server#2076) and reports why in its reason.
 */
final class ModelRepository implements AutoCloseable {
    /** Told when a version starts or stops serving (to register it as an OSGi service). */
    interface Listener {
        void ready(LoadedVersion v);

        void gone(LoadedVersion v);
    }

    enum State { LOADING, READY, UNAVAILABLE }

    /** One version's slot: what serves now (may be null), and what the last load attempt said. */
    static final class Slot {
        final String version;
        final AtomicReference<LoadedVersion> current = new AtomicReference<>();
        volatile State state = State.LOADING;
        volatile String reason = "";
        volatile String loadedPrint, failedPrint;

        Slot(String version) { this.version = version; }
    }

    static final class Model {
        final String name;
        volatile ModelConfig config = ModelConfig.defaults();
        volatile String configError;
        /** By version number; guarded by the repository's scan lock. */
        final Map<Long, Slot> versions = new ConcurrentHashMap<>();

        Model(String name) { this.name = name; }

        List<Slot> sorted() {
            return new TreeMap<>(versions).values().stream().toList();
        }
    }

    /** A row of the repository index. */
    record Entry(String name, String version, State state, String reason) {}

    private final Path root;
    private final Metrics metrics;
    private final Listener listener;
    private final Map<String, Model> models = new ConcurrentHashMap<>();
    /** Models unloaded through the management API: left alone by the rescan until loaded again. */
    private final Set<String> unloaded = ConcurrentHashMap.newKeySet();
    private final ExecutorService loader;
    private final ScheduledExecutorService poller;
    private final Object scanLock = new Object();
    private volatile boolean closed;

    ModelRepository(Path root, Metrics metrics, Listener listener) throws IOException {
        if (!Files.isDirectory(root)) throw new IOException(root + ": no such model repository (a folder of <model>/<version>/ folders)");
        this.root = root.toRealPath();
        this.metrics = metrics;
        this.listener = listener;
        this.loader = Executors.newSingleThreadExecutor(r -> daemon(r, "kindling-serve-loader"));
        this.poller = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "kindling-serve-poll"));
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    Path root() { return root; }

    /** Scans once and waits for the loads it started; then, with {@code pollMillis} > 0, rescans that often. */
    void start(long pollMillis) {
        awaitAll(scan(null));
        if (pollMillis > 0) {
            poller.scheduleWithFixedDelay(() -> {
                try {
                    scan(null);
                } catch (RuntimeException e) {
                    // a rescan must never stop the poller; the next one tries again
                }
            }, pollMillis, pollMillis, TimeUnit.MILLISECONDS);
        }
    }

    private static void awaitAll(List<Future<?>> loads) {
        for (Future<?> f : loads) {
            try {
                f.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (Exception e) {
                // the load itself records failures in its slot
            }
        }
    }

    /**
     * Brings the models (all, or the one named) in step with the disk and returns the loads it queued. Safe to call from
     * the poller and the management API at once (one scan at a time).
     */
    List<Future<?>> scan(String only) {
        List<Future<?>> loads = new ArrayList<>();
        synchronized (scanLock) {
            if (closed) return loads;
            Set<String> seen = new java.util.HashSet<>();
            try (DirectoryStream<Path> dirs = Files.newDirectoryStream(root)) {
                for (Path d : dirs) {
                    String name = d.getFileName().toString();
                    if (!Names.isModel(name) || !Files.isDirectory(d) || (only != null && !only.equals(name))) continue;
                    if (unloaded.contains(name)) continue;
                    seen.add(name);
                    scanModel(name, d, loads);
                }
            } catch (IOException e) {
                return loads; // the repository folder went away for a moment: keep serving what is loaded
            }
            for (Model m : models.values()) {
                if ((only == null || only.equals(m.name)) && !seen.contains(m.name)) {
                    for (Long v : new ArrayList<>(m.versions.keySet())) drop(m, v);
                    models.remove(m.name);
                }
            }
        }
        return loads;
    }

    private void scanModel(String name, Path dir, List<Future<?>> loads) {
        Model m = models.computeIfAbsent(name, Model::new);
        try {
            m.config = ModelConfig.read(dir);
            m.configError = null;
        } catch (IOException e) {
            // a broken config.json changes nothing that serves; it is reported until fixed
            m.configError = e.getMessage();
        }
        Map<Long, Path> found = new LinkedHashMap<>();
        try (DirectoryStream<Path> vs = Files.newDirectoryStream(dir)) {
            for (Path v : vs) {
                String vn = v.getFileName().toString();
                if (Names.isVersion(vn) && Files.isDirectory(v) && inside(v)) found.put(Long.parseLong(vn), v);
            }
        } catch (IOException e) {
            return;
        }
        List<Long> wanted = m.config.policy().select(new ArrayList<>(found.keySet()));
        for (Long v : wanted) {
            Path file = ModelFiles.locate(found.get(v));
            Slot slot = m.versions.computeIfAbsent(v, k -> new Slot(Long.toString(k)));
            if (file == null) {
                if (slot.current.get() == null) fail(slot, "version folder " + root.relativize(found.get(v)) + " holds no model.safetensors, model.onnx or checkpoint");
                continue;
            }
            if (!inside(file)) {
                if (slot.current.get() == null) fail(slot, root.relativize(file) + " is a link to a file outside the repository: not loaded");
                continue;
            }
            String print;
            try {
                print = ModelFiles.fingerprint(file, dir.resolve(ModelConfig.FILE));
            } catch (IOException e) {
                continue; // being written or removed right now: look again next scan
            }
            if (print.equals(slot.loadedPrint) || print.equals(slot.failedPrint) || m.configError != null && slot.current.get() != null) continue;
            slot.failedPrint = print; // until the load succeeds, so a failing file is not retried on every scan
            if (slot.current.get() == null) slot.state = State.LOADING;
            ModelConfig config = m.config;
            loads.add(loader.submit(() -> load(m, slot, file, config, print)));
        }
        // A version the policy no longer wants keeps serving until every wanted one is ready (or has failed for good), so
        // a new version never leaves a gap, and a broken new version leaves the old one serving.
        boolean settled = wanted.stream().allMatch(v -> m.versions.get(v).state != State.LOADING || m.versions.get(v).current.get() != null);
        for (Long v : new ArrayList<>(m.versions.keySet())) {
            if (wanted.contains(v)) continue;
            Slot old = m.versions.get(v);
            boolean wantedServe = wanted.stream().anyMatch(w -> m.versions.get(w).current.get() != null);
            if (old.current.get() == null || wanted.isEmpty() || settled && wantedServe) drop(m, v);
            else old.reason = "no longer selected by the version policy; serving until a newer version is ready";
        }
    }

    /** Symbolic links must not lead out of the repository. */
    private boolean inside(Path p) {
        try {
            return p.toRealPath().startsWith(root);
        } catch (IOException e) {
            return false;
        }
    }

    private void load(Model m, Slot slot, Path file, ModelConfig config, String print) {
        if (closed) return;
        long t0 = System.nanoTime();
        LoadedVersion fresh;
        try {
            List<Module> instances = new ArrayList<>();
            for (int i = 0; i < config.instances(); i++) instances.add(ModelFiles.load(file));
            fresh = LoadedVersion.of(m.name, slot.version, file, config, instances, metrics);
        } catch (Exception | LinkageError | StackOverflowError e) {
            metrics.loads.inc(m.name, slot.version, "failed");
            String why = "cannot load " + root.relativize(file) + ": " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
            if (slot.current.get() != null) {
                slot.reason = "reload failed, the previous load keeps serving: " + why;
            } else fail(slot, why);
            return;
        }
        metrics.loads.inc(m.name, slot.version, "ok");
        metrics.loadSeconds.observe((System.nanoTime() - t0) / 1e9, m.name);
        synchronized (scanLock) {
            if (closed || m.versions.get(Long.parseLong(slot.version)) != slot) {
                fresh.retire(); // dropped while it loaded
                return;
            }
            LoadedVersion old = slot.current.getAndSet(fresh);
            slot.loadedPrint = print;
            slot.failedPrint = null;
            slot.state = State.READY;
            slot.reason = fresh.warmup;
            listener.ready(fresh);
            if (old != null) {
                listener.gone(old);
                old.retire();
            }
        }
    }

    private static void fail(Slot slot, String why) {
        slot.state = State.UNAVAILABLE;
        slot.reason = why;
    }

    private void drop(Model m, Long v) {
        Slot s = m.versions.remove(v);
        if (s == null) return;
        LoadedVersion old = s.current.getAndSet(null);
        if (old != null) {
            listener.gone(old);
            old.retire();
        }
    }

    /** Management API: stops serving a model (all versions) until {@link #loadNow} or a restart. */
    boolean unload(String name) {
        synchronized (scanLock) {
            Model m = models.remove(name);
            unloaded.add(name);
            if (m == null) return false;
            for (Long v : new ArrayList<>(m.versions.keySet())) drop(m, v);
            return true;
        }
    }

    /** Management API: (re)scans one model now and waits for its loads; the model's state afterwards. */
    Model loadNow(String name) {
        unloaded.remove(name);
        awaitAll(scan(name));
        return models.get(name);
    }

    Model model(String name) { return models.get(name); }

    List<Model> models() { return new TreeMap<>(models).values().stream().toList(); }

    /** Ready: every model the repository holds has a version serving, and none is still loading for the first time. */
    boolean ready() {
        if (closed) return false;
        for (Model m : models.values()) {
            boolean any = false;
            for (Slot s : m.versions.values()) {
                if (s.current.get() != null) any = true;
                else if (s.state == State.LOADING) return false;
            }
            if (!any) return false;
        }
        return true;
    }

    List<Entry> index() {
        List<Entry> out = new ArrayList<>();
        for (Model m : models()) {
            if (m.versions.isEmpty()) out.add(new Entry(m.name, "", State.UNAVAILABLE, m.configError != null ? m.configError : "no version folders"));
            for (Slot s : m.sorted()) {
                String reason = m.configError != null ? "config.json not applied: " + m.configError + "; " + s.reason : s.reason;
                out.add(new Entry(m.name, s.version, s.current.get() != null ? State.READY : s.state, reason));
            }
        }
        for (String u : new java.util.TreeSet<>(unloaded)) {
            if (!models.containsKey(u)) out.add(new Entry(u, "", State.UNAVAILABLE, "unloaded through the repository API"));
        }
        return out;
    }

    /**
     * Holds the version a request names (or the model's default: config's default_version, else the newest serving one)
     * until {@link LoadedVersion#release}. 404 for an unknown model or version, 503 for one that is not ready.
     */
    LoadedVersion acquire(String name, String version) {
        Model m = models.get(name);
        if (m == null) throw ServingException.notFound("unknown model '" + name + "'");
        while (true) {
            Slot slot = version != null ? m.versions.get(Long.parseLong(version)) : defaultSlot(m);
            if (slot == null) {
                if (version != null) {
                    throw ServingException.notFound("model '" + name + "' has no version '" + version + "' (versions: "
                            + String.join(", ", m.sorted().stream().map(s -> s.version).toList()) + ")");
                }
                throw new ServingException(503, "model '" + name + "' has no version ready" + firstReason(m), 1);
            }
            LoadedVersion v = slot.current.get();
            if (v == null) throw new ServingException(503, "model '" + name + "' version " + slot.version + " is not ready: " + slot.state + " " + slot.reason, 1);
            if (v.acquire()) return v;
            // it was swapped out between reading and holding it: the slot holds the new one now
        }
    }

    private static Slot defaultSlot(Model m) {
        String dv = m.config.defaultVersion();
        if (dv != null) {
            Slot s = m.versions.get(Long.parseLong(dv));
            if (s != null && s.current.get() != null) return s;
        }
        Slot best = null;
        for (Slot s : m.sorted()) if (s.current.get() != null) best = s;
        return best;
    }

    private static String firstReason(Model m) {
        for (Slot s : m.sorted()) if (!s.reason.isEmpty()) return ": version " + s.version + " " + s.state + " " + s.reason;
        return "";
    }

    /** Every serving version, for gauges and listings. */
    List<LoadedVersion> serving() {
        List<LoadedVersion> out = new ArrayList<>();
        for (Model m : models()) for (Slot s : m.sorted()) {
            LoadedVersion v = s.current.get();
            if (v != null) out.add(v);
        }
        return out;
    }

    @Override
    public void close() {
        synchronized (scanLock) {
            closed = true;
        }
        poller.shutdownNow();
        loader.shutdownNow();
        try {
            loader.awaitTermination(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (scanLock) {
            for (Model m : models.values()) for (Long v : new ArrayList<>(m.versions.keySet())) drop(m, v);
            models.clear();
        }
    }
}
