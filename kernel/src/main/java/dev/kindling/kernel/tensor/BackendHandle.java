package dev.kindling.kernel.tensor;

import dev.kindling.kernel.spi.Storage;
import dev.kindling.kernel.spi.TensorBackend;
import dev.kindling.kernel.spi.View;

import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * A registered backend. Tensors keep the handle of the backend that holds their storage. When that backend goes away
 * (its bundle stopped, updated or uninstalled), the handle is deactivated with a {@link Successor}: the next use of a
 * tensor on it moves the tensor's storage, once per storage so views stay aliases, to the backend that serves the
 * device type by then, waiting a bounded time for one to come back. A job therefore pauses across an update of its
 * backend instead of failing.
 */
public final class BackendHandle {
    /** Finds the handle now serving a device type, waiting (bounded) for one; or fails saying why. */
    @FunctionalInterface
    public interface Successor {
        BackendHandle await(String deviceType, BackendHandle gone);
    }

    private final TensorBackend backend;
    private final long order;
    private volatile boolean active = true;
    private volatile Successor successor;
    // Old storage -> its copy on the successor: weak keys, so a storage no tensor uses any more costs nothing.
    private final Map<Storage, Moved> moved = Collections.synchronizedMap(new WeakHashMap<>());

    /** A storage's new place. */
    public record Moved(BackendHandle handle, Storage storage) {}

    /** Made by the kernel's backend registry; {@code order} breaks ties between backends of equal rank. */
    public BackendHandle(TensorBackend backend, long order) {
        this.backend = backend;
        this.order = order;
    }

    /**
     * The backend. Once it is removed, only the ops already running on its tensors still get it (its code runs on, on
     * storages it made), and fail clearly where it was removed with no successor; every new use of a tensor moves the
     * storage first ({@link #migrate}).
     */
    public TensorBackend backend() {
        if (!active && successor == null) throw gone();
        return backend;
    }

    private IllegalStateException gone() {
        return new IllegalStateException("The backend '" + backend.name() + "' that holds this tensor's storage (device '"
                + backend.deviceType() + "') is no longer available: its bundle was stopped or uninstalled. "
                + "Tensors created on it cannot be used any more; create them again on an installed backend.");
    }

    public TensorBackend unchecked() { return backend; }

    public boolean isActive() { return active; }

    public long order() { return order; }

    /**
     * Runs the copy to the host that {@link #migrate} will need, for every dtype, small and above the sizes that take
     * parallel paths, while the backend's bundle can still load its classes: once a bundle is updated, the old
     * revision's code runs on but a class it had not loaded yet cannot be loaded any more. Called by the registry as
     * the backend is removed, before its bundle is gone; dtypes the backend does not hold are skipped.
     */
    public void prepareMigration() {
        if (backend.devices().isEmpty()) return;
        dev.kindling.api.Device device = backend.devices().get(0);
        for (dev.kindling.api.DType dtype : dev.kindling.api.DType.values()) {
            for (long n : new long[] {1, (1L << 18) + 1}) {
                try {
                    Storage s = backend.allocate(device, dtype, n);
                    backend.toHost(new View(s, new long[] {n}, new long[] {1}, 0));
                } catch (RuntimeException | LinkageError e) {
                    // a dtype this backend does not hold (nothing of it to migrate), or code it cannot run: the
                    // removal goes on, and a migration that fails later says so
                }
            }
        }
    }

    /** Called by the registry when the backend goes away with no successor: tensors on it then fail clearly. */
    public void deactivate() { deactivate(null); }

    /** Called by the registry when the backend goes away: tensors on it move to what {@code next} finds. */
    public void deactivate(Successor next) {
        successor = next;
        active = false;
    }

    /**
     * Where {@code storage} (held by this gone backend) lives now: copied, the first time any tensor asks, through the
     * host to the backend that serves its device type. The gone backend's storage must still be readable: true of
     * host-resident storage (the CPU backend's arrays), which outlives the bundle that made it.
     */
    public Moved migrate(Storage storage) {
        if (active) throw new IllegalStateException("backend '" + backend.name() + "' is still active: nothing to migrate");
        synchronized (moved) {
            Moved m = moved.get(storage);
            if (m != null) return m;
            Successor next = successor;
            if (next == null) throw gone();
            BackendHandle target = next.await(backend.deviceType(), this);
            Object host = backend.toHost(new View(storage, new long[] {storage.numel()}, new long[] {1}, 0));
            m = new Moved(target, target.backend().fromHost(storage.device(), storage.dtype(), host));
            moved.put(storage, m);
            return m;
        }
    }
}
