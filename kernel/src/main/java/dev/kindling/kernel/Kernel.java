package dev.kindling.kernel;

import dev.kindling.api.AutocastMode;
import dev.kindling.api.DType;
import dev.kindling.api.Device;
import dev.kindling.api.Generator;
import dev.kindling.api.Tensor;
import dev.kindling.api.autograd.Function;
import dev.kindling.api.autograd.FunctionContext;
import dev.kindling.api.spi.AutogradService;
import dev.kindling.api.spi.TensorRuntime;
import dev.kindling.kernel.ops.Attrs;
import dev.kindling.kernel.ops.AutocastState;
import dev.kindling.kernel.ops.Creation;
import dev.kindling.kernel.ops.DenseTensor;
import dev.kindling.kernel.ops.DispatchChain;
import dev.kindling.kernel.ops.DispatchLayer;
import dev.kindling.kernel.ops.OpDef;
import dev.kindling.kernel.tensor.BackendHandle;
import dev.kindling.kernel.ops.GradientEngine;
import dev.kindling.kernel.ops.OpRuntime;
import dev.kindling.kernel.ops.Ops;
import dev.kindling.kernel.spi.DatasetProvider;
import dev.kindling.kernel.spi.LayerProvider;
import dev.kindling.kernel.spi.LossProvider;
import dev.kindling.kernel.spi.OptimizerProvider;
import dev.kindling.kernel.spi.SchedulerProvider;
import dev.kindling.kernel.spi.TensorBackend;
import dev.kindling.kernel.spi.TensorFormat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The microkernel: registries that follow backends, the autograd engine and providers as they come and go, and the
 * entry point of the op dispatcher. It contains no backend and no op implementation of its own. Inside OSGi one
 * instance lives as long as the kernel bundle's component; outside OSGi one is created through ServiceLoader.
 */
public class Kernel implements TensorRuntime, OpRuntime {
    public static final String VERSION = "0.1.0";

    private final BackendRegistry backends = new BackendRegistry();
    private final ProviderRegistry<LayerProvider<?>> layers = new ProviderRegistry<>("layer");
    private final ProviderRegistry<LossProvider<?>> losses = new ProviderRegistry<>("loss");
    private final ProviderRegistry<OptimizerProvider<?>> optimizers = new ProviderRegistry<>("optimizer");
    private final ProviderRegistry<SchedulerProvider<?>> schedulers = new ProviderRegistry<>("scheduler");
    private final ProviderRegistry<DatasetProvider<?>> datasets = new ProviderRegistry<>("dataset");
    private final java.util.List<TensorFormat> formats = new java.util.concurrent.CopyOnWriteArrayList<>();
    private volatile GradientEngine engine;
    private final ThreadLocal<DispatchChain.ThreadState> dispatchState = ThreadLocal.withInitial(DispatchChain.ThreadState::new);
    private volatile DispatchChain chain = DispatchChain.empty(dispatchState);
    /** The installed engine as a layer of the chain, or null. */
    private final Generator defaultGenerator = new Generator();
    private final ThreadLocal<boolean[]> gradEnabled = ThreadLocal.withInitial(() -> new boolean[] {true});
    private final ThreadLocal<AutocastState> autocast = ThreadLocal.withInitial(AutocastState::new);
    /** Layers linked only while autocast regions are open, and how many enabled regions are open on all threads. */
    private final List<DispatchLayer> whileAutocasting = new ArrayList<>();
    private int autocastRegions;
    private final AutocastState.Regions regions = new AutocastState.Regions() {
        @Override
        public void opened() {
            synchronized (Kernel.this) {
                if (autocastRegions++ == 0) for (DispatchLayer l : whileAutocasting) chain = chain.with(l);
            }
        }

        @Override
        public void closed() {
            synchronized (Kernel.this) {
                if (--autocastRegions == 0) for (DispatchLayer l : whileAutocasting) chain = chain.without(l);
            }
        }
    };

    public BackendRegistry backends() { return backends; }

    @Override
    public BackendHandle selectBackend(Device device) { return backends.select(device); }

    @Override
    public long backendRemovals() { return backends.removals(); }

    public ProviderRegistry<LayerProvider<?>> layers() { return layers; }

    public ProviderRegistry<LossProvider<?>> losses() { return losses; }

    public ProviderRegistry<OptimizerProvider<?>> optimizers() { return optimizers; }

    public ProviderRegistry<SchedulerProvider<?>> schedulers() { return schedulers; }

    public ProviderRegistry<DatasetProvider<?>> datasets() { return datasets; }

    public void addBackend(TensorBackend backend) { backends.add(backend); }

    public void removeBackend(TensorBackend backend) { backends.remove(backend); }

    public void addFormat(TensorFormat f) { if (!formats.contains(f)) formats.add(f); }

    public void removeFormat(TensorFormat f) { formats.remove(f); }

    /** The installed tensor file format with the highest rank, or an error that names the missing bundle. */
    public TensorFormat format() {
        TensorFormat best = null;
        for (TensorFormat f : formats) if (best == null || f.rank() > best.rank()) best = f;
        if (best == null) {
            throw new IllegalStateException("Saving and loading tensors needs the kindling-io bundle (safetensors), which is not "
                    + "installed: add it to the framework or the classpath.");
        }
        return best;
    }

    @Override
    public void save(Map<String, Tensor> tensors, java.nio.file.Path path) {
        try {
            format().save(tensors, Map.of("format", "pt"), path);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot save tensors to " + path + ": " + e.getMessage(), e);
        }
    }

    @Override
    public Map<String, Tensor> load(java.nio.file.Path path, Device device) {
        try {
            return format().load(path, device);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot load tensors from " + path + ": " + e.getMessage(), e);
        }
    }

    public synchronized void setGradientEngine(GradientEngine e) {
        // The engine is its own layer of the chain. The new chain is published in one step: an op on another thread
        // never sees a chain without any autograd layer while one engine replaces another.
        DispatchChain next = engine != null ? chain.without(engine) : chain;
        if (e != null) next = next.without(awaitingEngine).with(e);
        engine = e;
        chain = next;
        if (e != null) {
            engineGone = false;
            synchronized (engineArrivals) {
                engineArrivals.notifyAll(); // ops waiting for an engine go on with this one
            }
        }
    }

    /**
     * Removes the engine if it is still {@code e} (its bundle stopped, updated or uninstalled). Tensors it kept state
     * on are not cut off: their differentiable ops and gradient calls wait (for {@link BackendRegistry#backendWait()},
     * as ops on a removed backend's tensors do) for an engine to be installed again, then go on with it. Tensors that
     * autograd never touched compute on meanwhile.
     */
    public synchronized void unsetGradientEngine(GradientEngine e) {
        if (engine != e || e == null) return;
        // In this order, so that an op on another thread never finds neither the engine nor the awaiting layer in the
        // chain (it would run unrecorded): the awaiting layer replaces the engine in one step.
        engineGone = true;
        chain = chain.without(e).with(awaitingEngine);
        engine = null;
    }

    private final Object engineArrivals = new Object();
    /** Whether an engine was removed and none has come since: autograd's tensors then wait instead of failing. */
    private volatile boolean engineGone;
    private final java.util.Set<Thread> waitingForEngine = java.util.concurrent.ConcurrentHashMap.newKeySet();
    /** In the chain at autograd's place while the engine is away: holds back ops on tensors with autograd state. */
    private final DispatchLayer awaitingEngine = new DispatchLayer() {
        @Override public int rank() { return AUTOGRAD; }

        @Override public String name() { return "awaiting autograd"; }

        @Override public boolean intercepts(OpDef op) { return op.kind() == OpDef.Kind.DIFFERENTIABLE; }

        @Override public boolean excludedBelow() { return false; }

        @Override
        public Tensor[] dispatch(OpDef op, Tensor[] inputs, Attrs attrs, Below below) {
            if (!isGradEnabled() || !touchedByAutograd(inputs)) return below.call(op, inputs, attrs);
            return requireEngine("'" + op.name() + "' on a tensor that requires grad").dispatch(op, inputs, attrs, below);
        }
    };

    private static boolean touchedByAutograd(Tensor[] inputs) {
        for (Tensor t : inputs) {
            if (t instanceof DenseTensor && ((DenseTensor) t).autogradMeta() != null) return true;
        }
        return false;
    }

    /** What {@code thread} is waiting for ("backend cpu", "autograd"), or null. */
    public String waitingFor(Thread thread) {
        String type = backends.waitingFor(thread);
        if (type != null) return "backend " + type;
        return waitingForEngine.contains(thread) ? "autograd" : null;
    }

    /** Adds a layer to the dispatch chain of this kernel's ops (a service: autocast, a tracer, a profiler). */
    public synchronized void addDispatchLayer(DispatchLayer layer) {
        if (layer.activation() == DispatchLayer.Activation.WHILE_AUTOCASTING) {
            if (whileAutocasting.contains(layer)) return;
            whileAutocasting.add(layer);
            if (autocastRegions == 0) return;
        }
        if (!chain.layers().contains(layer)) chain = chain.with(layer);
    }

    public synchronized void removeDispatchLayer(DispatchLayer layer) {
        whileAutocasting.remove(layer);
        chain = chain.without(layer);
    }

    @Override
    public DispatchChain dispatchChain() { return chain; }

    /** The autograd engine in the chain: differentiable ops only, at PyTorch's place (below autocast, above tracing). */
    /** The installed autograd engine, or null. */
    @Override
    public GradientEngine gradientEngine() { return engine; }

    /** The engine, or an error that says the autograd bundle is missing. */
    @Override
    public GradientEngine requireEngine(String what) {
        GradientEngine e = engine;
        if (e == null && engineGone) e = awaitEngine(what);
        if (e == null) {
            throw new IllegalStateException(what + " needs autograd, which is not installed: add the kindling-autograd "
                    + "bundle (dev.kindling.autograd) to the framework or the classpath. Without it tensors compute but "
                    + "do not record gradients.");
        }
        return e;
    }

    /** The engine once one is installed again, waiting a bounded time; null if none was ever removed. */
    private GradientEngine awaitEngine(String what) {
        java.time.Duration wait = backends.backendWait();
        long deadline = System.nanoTime() + wait.toNanos();
        waitingForEngine.add(Thread.currentThread());
        try {
            synchronized (engineArrivals) {
                while (true) {
                    GradientEngine e = engine;
                    if (e != null || !engineGone) return e;
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        throw new IllegalStateException(what + " needs autograd: the autograd engine was removed (its bundle was stopped, "
                                + "updated or uninstalled) and none came back within " + wait.toMillis() + " ms (kindling.backend.waitMillis)");
                    }
                    try {
                        engineArrivals.wait(Math.max(1, left / 1_000_000));
                    } catch (InterruptedException ie) {
                        Thread.currentThread().interrupt();
                        throw new IllegalStateException("interrupted while waiting for the autograd engine (" + what + ")", ie);
                    }
                }
            }
        } finally {
            waitingForEngine.remove(Thread.currentThread());
        }
    }

    /** Registers any provider by the kinds it implements. */
    public void addProvider(Object p) { forEachRegistry(p, true); }

    public void removeProvider(Object p) { forEachRegistry(p, false); }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private void forEachRegistry(Object p, boolean add) {
        Map<Class<?>, ProviderRegistry> kinds = new HashMap<>();
        kinds.put(LayerProvider.class, layers);
        kinds.put(LossProvider.class, losses);
        kinds.put(OptimizerProvider.class, optimizers);
        kinds.put(SchedulerProvider.class, schedulers);
        kinds.put(DatasetProvider.class, datasets);
        kinds.forEach((type, reg) -> {
            if (type.isInstance(p)) {
                if (add) reg.add((dev.kindling.kernel.spi.Provider) p);
                else reg.remove((dev.kindling.kernel.spi.Provider) p);
            }
        });
    }

    public String version() { return VERSION; }

    // ---- TensorRuntime ----
    @Override
    public Tensor fromArray(Object data, long[] shape, DType dtype, Device device) {
        return Creation.fromArray(this, data, shape, dtype, device);
    }

    @Override
    public Tensor empty(long[] shape, DType dtype, Device device) { return Creation.empty(this, shape, dtype, device); }

    @Override
    public Tensor full(long[] shape, double value, DType dtype, Device device) {
        return Creation.full(this, shape, value, dtype, device);
    }

    @Override
    public Tensor rand(long[] shape, DType dtype, Device device, Generator generator) {
        return Creation.rand(this, shape, dtype, device, gen(generator));
    }

    @Override
    public Tensor randn(long[] shape, DType dtype, Device device, Generator generator) {
        return Creation.randn(this, shape, dtype, device, gen(generator));
    }

    @Override
    public Tensor randint(long low, long high, long[] shape, DType dtype, Device device, Generator generator) {
        return Creation.randint(this, low, high, shape, dtype, device, gen(generator));
    }

    @Override
    public Tensor randperm(long n, DType dtype, Device device, Generator generator) {
        return Creation.randperm(this, n, dtype, device, gen(generator));
    }

    @Override
    public Tensor bernoulli(Tensor p, Generator generator) { return Creation.bernoulli(p, gen(generator)); }

    @Override
    public Tensor multinomial(Tensor probs, long numSamples, boolean replacement, Generator generator) {
        return Creation.multinomial(probs, numSamples, replacement, gen(generator));
    }

    @Override
    public Tensor arange(double start, double end, double step, DType dtype, Device device) {
        return Creation.arange(this, start, end, step, dtype, device);
    }

    @Override
    public Tensor linspace(double start, double end, long steps, DType dtype, Device device) {
        return Creation.linspace(this, start, end, steps, dtype, device);
    }

    @Override
    public Tensor eye(long n, long m, DType dtype, Device device) { return Creation.eye(this, n, m, dtype, device); }

    @Override
    public Tensor cat(List<Tensor> tensors, int dim) { return Ops.cat(tensors, dim); }

    @Override
    public Tensor stack(List<Tensor> tensors, int dim) { return Ops.stack(tensors, dim); }

    @Override
    public Tensor where(Tensor condition, Tensor input, Tensor other) { return Ops.where(condition, input, other); }

    @Override
    public Generator defaultGenerator() { return defaultGenerator; }

    @Override
    public Generator gen(Generator g) { return g != null ? g : defaultGenerator; }

    @Override
    public List<Device> devices() { return backends.devices(); }

    @Override
    public boolean isAvailable(String deviceType) { return backends.isAvailable(deviceType); }

    @Override
    public boolean isGradEnabled() { return gradEnabled.get()[0]; }

    @Override
    public boolean setGradEnabled(boolean enabled) {
        boolean[] cell = gradEnabled.get();
        boolean prev = cell[0];
        cell[0] = enabled;
        return prev;
    }

    @Override
    public AutocastMode autocast(Device device, DType dtype, boolean enabled) {
        return autocast.get().open(device.type(), dtype, enabled, regions);
    }

    @Override
    public boolean isAutocastEnabled(String deviceType) { return autocast.get().enabled(deviceType); }

    @Override
    public DType autocastDtype(String deviceType) { return autocast.get().dtype(deviceType); }

    @Override
    public AutocastState autocastState() { return autocast.get(); }

    @Override
    public AutogradService autograd() { return requireEngine("Autograd.grad"); }

    @Override
    public Tensor applyFunction(Function function, Tensor[] inputs) {
        GradientEngine e = engine;
        if (e != null) return e.apply(function, inputs);
        // No autograd: nothing can require grad, so a custom function is just its forward.
        return function.forward(new PlainContext(), inputs);
    }

    private static final class PlainContext implements FunctionContext {
        private final List<Tensor> saved = new ArrayList<>();
        private final Map<String, Object> values = new HashMap<>();

        @Override public void saveForBackward(Tensor... tensors) { saved.clear(); saved.addAll(List.of(tensors)); }
        @Override public List<Tensor> savedTensors() { return List.copyOf(saved); }
        @Override public boolean needsInputGrad(int i) { return false; }
        @Override public void put(String key, Object value) { values.put(key, value); }
        @SuppressWarnings("unchecked") @Override public <T> T get(String key) { return (T) values.get(key); }
        @Override public void markNonDifferentiable(Tensor... outputs) {}
    }
}
