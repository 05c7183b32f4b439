package dev.kindling.kernel.tensor;

import dev.kindling.api.DType;
import dev.kindling.api.Device;
import dev.kindling.kernel.spi.Storage;
import dev.kindling.kernel.spi.TensorBackend;
import dev.kindling.kernel.spi.View;

/**
 * The strided implementation behind a tensor (PyTorch's TensorImpl): a backend's storage seen through a shape,
 * strides and an offset, plus the version counter that views share. It knows nothing of ops or autograd.
 *
 * <p>The storage is swappable ({@link #setData}): moving a parameter to another device or dtype, or assigning
 * {@code t.data}, replaces what the tensor points at while the tensor object, and so every reference to it (an
 * optimizer's parameter list, a module's field), stays the same.
 */
public final class TensorImpl {
    private BackendHandle handle;
    private Storage storage;
    private long[] shape;
    private long[] strides;
    private long offset;
    private final VersionCounter version;
    private final boolean wrappedNumber;
    /** For a view, the implementation of the tensor it views (held by the view's tensor anyway), else null. */
    private final TensorImpl viewOf;

    private TensorImpl(BackendHandle handle, Storage storage, long[] shape, long[] strides, long offset,
                       VersionCounter version, boolean wrappedNumber) {
        this(handle, storage, shape, strides, offset, version, wrappedNumber, null);
    }

    private TensorImpl(BackendHandle handle, Storage storage, long[] shape, long[] strides, long offset,
                       VersionCounter version, boolean wrappedNumber, TensorImpl viewOf) {
        this.viewOf = viewOf;
        this.handle = handle;
        this.storage = storage;
        this.shape = shape;
        this.strides = strides;
        this.offset = offset;
        this.version = version;
        this.wrappedNumber = wrappedNumber;
    }

    /** Owns {@code storage}, laid out contiguously with a fresh version counter. */
    public static TensorImpl contiguous(BackendHandle handle, Storage storage, long[] shape) {
        return new TensorImpl(handle, storage, shape.clone(), Shapes.contiguousStrides(shape), 0, new VersionCounter(), false);
    }

    /** A dense block laid out in the order {@code strides} give (a permutation of the contiguous layout). */
    public static TensorImpl strided(BackendHandle handle, Storage storage, long[] shape, long[] strides) {
        return new TensorImpl(handle, storage, shape.clone(), strides.clone(), 0, new VersionCounter(), false);
    }

    /** A 0-dim tensor standing for a Java scalar in type promotion (PyTorch's wrapped number). */
    public static TensorImpl wrappedNumber(BackendHandle handle, Storage storage) {
        return new TensorImpl(handle, storage, new long[0], new long[0], 0, new VersionCounter(), true);
    }

    /** Another layout of the same storage; shares the version counter, as views do. */
    public TensorImpl restrided(long[] newShape, long[] newStrides, long newOffset) {
        live();
        return new TensorImpl(handle, storage, newShape, newStrides, newOffset, version, false, viewOf != null ? viewOf : this);
    }

    /**
     * Makes sure the storage is on an active backend: when the backend that held it went away, moves it (once per
     * storage, shared by its views) to the one serving the device type now. Costs one volatile read otherwise.
     */
    private void live() {
        if (!handle.isActive()) migrate();
    }

    private void migrate() {
        synchronized (this) {
            while (!handle.isActive()) {
                BackendHandle.Moved m = handle.migrate(storage);
                handle = m.handle();
                storage = m.storage();
            }
        }
        // The viewed tensor shares the storage: it moves along (at no copy), so that it does not keep the old copy
        // and the gone backend alive while only its views are used.
        if (viewOf != null) viewOf.live();
    }

    /** The same storage and layout under a new identity (detach): shares the version counter. */
    public TensorImpl alias() {
        live();
        return new TensorImpl(handle, storage, shape, strides, offset, version, wrappedNumber, viewOf);
    }

    /**
     * Points this tensor at {@code other}'s storage and layout ({@code t.data = other}, {@code Module.to}). The
     * version counter stays this tensor's own and is bumped, so saved-for-backward checks see the change.
     */
    public void setData(TensorImpl other) {
        this.handle = other.handle();
        this.storage = other.storage();
        this.shape = other.shape.clone();
        this.strides = other.strides.clone();
        this.offset = other.offset;
        version.bump();
    }

    public BackendHandle handle() {
        live();
        return handle;
    }

    /** The backend holding the storage, or a clear error if it went away. */
    public TensorBackend backend() {
        live();
        return handle.backend();
    }

    public Storage storage() {
        live();
        return storage;
    }

    public View view() {
        live();
        return new View(storage, shape, strides, offset);
    }

    /** The shape array itself, not a copy: callers must not modify it. */
    public long[] shapeRef() { return shape; }

    public long[] stridesRef() { return strides; }

    public long offset() { return offset; }

    public int dim() { return shape.length; }

    public long numel() { return Shapes.numel(shape); }

    public DType dtype() { return storage.dtype(); }

    public Device device() { return storage.device(); }

    public boolean isContiguous() { return view().isContiguous(); }

    public VersionCounter versionCounter() { return version; }

    public boolean isWrappedNumber() { return wrappedNumber; }
}
