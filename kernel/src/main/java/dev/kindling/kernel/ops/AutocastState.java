package dev.kindling.kernel.ops;

import dev.kindling.api.AutocastMode;
import dev.kindling.api.DType;
import dev.kindling.api.Tensor;
import dev.kindling.kernel.tensor.TensorImpl;

import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * One thread's autocast state (PyTorch's thread-local autocast flags): per device type whether autocast is on and its
 * dtype, how deeply regions nest, and the cache of weight casts made inside the outermost region. The kernel holds it
 * and opens and closes regions; the autocast layer reads it and fills the cache.
 */
public final class AutocastState {
    /** Counts the enabled regions open on all threads (the kernel links its autocast layers while there are any). */
    public interface Regions {
        void opened();

        void closed();
    }

    /** A device type's flags at one moment, restored when a region closes. */
    record Flags(boolean enabled, DType dtype) {}

    private static final System.Logger LOG = System.getLogger(AutocastState.class.getName());

    private final Map<String, Flags> flags = new HashMap<>(4);
    private final Map<TensorImpl, CachedCast> cache = new IdentityHashMap<>();
    private int depth;

    /** A weight's cast, valid while the weight's storage and version are the ones it was made from. */
    private record CachedCast(long version, DType dtype, Tensor cast) {}

    /** PyTorch's defaults: bfloat16 on the CPU, float16 elsewhere (CUDA). */
    static DType defaultDtype(String deviceType) { return deviceType.equals("cpu") ? DType.BFLOAT16 : DType.FLOAT16; }

    public boolean enabled(String deviceType) {
        Flags f = flags.get(deviceType);
        return f != null && f.enabled();
    }

    public DType dtype(String deviceType) {
        Flags f = flags.get(deviceType);
        return f == null ? defaultDtype(deviceType) : f.dtype();
    }

    /** Whether autocast is on for any device type on this thread. */
    public boolean anyEnabled() {
        for (Flags f : flags.values()) if (f.enabled()) return true;
        return false;
    }

    /**
     * Opens a region on this thread ({@code dtype} null: the current one); {@code regions} counts the enabled regions
     * open on all threads. Closing the region restores the device type's previous flags.
     */
    public AutocastMode open(String deviceType, DType dtype, boolean enabled, Regions regions) {
        DType dt = dtype != null ? dtype : dtype(deviceType);
        boolean on = enabled;
        if (on && dt != DType.BFLOAT16 && dt != DType.FLOAT16) {
            // As PyTorch: a dtype the device type cannot autocast to warns and disables autocast.
            LOG.log(System.Logger.Level.WARNING, "In " + deviceType + " autocast, but the target dtype " + dt
                    + " is not supported (bfloat16, float16): disabling autocast");
            on = false;
        }
        Flags previous = flags.get(deviceType);
        flags.put(deviceType, new Flags(on, dt));
        depth++;
        if (on) regions.opened();
        return new Region(deviceType, dt, on, previous, regions);
    }

    private final class Region implements AutocastMode {
        private final String deviceType;
        private final DType dtype;
        private final boolean enabled;
        private final Flags previous;
        private final Regions regions;
        private final Thread owner = Thread.currentThread();
        private boolean closed;

        Region(String deviceType, DType dtype, boolean enabled, Flags previous, Regions regions) {
            this.deviceType = deviceType;
            this.dtype = dtype;
            this.enabled = enabled;
            this.previous = previous;
            this.regions = regions;
        }

        @Override public String deviceType() { return deviceType; }

        @Override public DType dtype() { return dtype; }

        @Override public boolean enabled() { return enabled; }

        @Override
        public void close() {
            if (closed) return;
            if (Thread.currentThread() != owner) throw new IllegalStateException("an autocast region must be closed on the thread that opened it");
            closed = true;
            if (previous == null) flags.remove(deviceType);
            else flags.put(deviceType, previous);
            if (enabled) regions.closed();
            if (--depth == 0) cache.clear(); // as PyTorch: the cast cache lives until the outermost region exits
        }

        @Override
        public String toString() { return "autocast(" + deviceType + ", " + dtype + (enabled ? "" : ", enabled=false") + ")"; }
    }

    /**
     * The cached {@code dtype} cast of {@code weight}, or null. Keyed by the weight's implementation and checked
     * against its version counter, so an in-place update (an optimizer step) is never answered with a stale cast.
     */
    public Tensor cachedCast(DenseTensor weight, DType dtype) {
        CachedCast c = cache.get(weight.impl());
        return c != null && c.dtype() == dtype && c.version() == weight.versionCounter().get() ? c.cast() : null;
    }

    /** Remembers {@code cast} as {@code weight}'s {@code dtype} cast until the outermost region exits. */
    public void cacheCast(DenseTensor weight, DType dtype, Tensor cast) {
        if (depth > 0) cache.put(weight.impl(), new CachedCast(weight.versionCounter().get(), dtype, cast));
    }
}
