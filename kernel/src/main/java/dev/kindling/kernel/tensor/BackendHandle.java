package dev.kindling.kernel.tensor;

import dev.kindling.kernel.spi.TensorBackend;

/**
 * A registered backend. Tensors keep the handle of the backend that holds their storage, so when that backend goes
 * away (bundle stopped or uninstalled) they fail with an error that names it, instead of calling into a dead bundle.
 */
public final class BackendHandle {
    private final TensorBackend backend;
    private final long order;
    private volatile boolean active = true;

    /** Made by the kernel's backend registry; {@code order} breaks ties between backends of equal rank. */
    public BackendHandle(TensorBackend backend, long order) {
        this.backend = backend;
        this.order = order;
    }

    /** The backend, checked to be still registered. */
    public TensorBackend backend() {
        if (!active) {
            throw new IllegalStateException("The backend '" + backend.name() + "' that holds this tensor's storage (device '"
                    + backend.deviceType() + "') is no longer available: its bundle was stopped or uninstalled. "
                    + "Tensors created on it cannot be used any more; create them again on an installed backend.");
        }
        return backend;
    }

    public TensorBackend unchecked() { return backend; }

    public boolean isActive() { return active; }

    public long order() { return order; }

    /** Called by the registry when the backend goes away: tensors on it then fail with a clear error. */
    public void deactivate() { active = false; }
}
