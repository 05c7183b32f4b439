package dev.kindling.kernel.ops;

import dev.kindling.api.Device;
import dev.kindling.api.Generator;
import dev.kindling.kernel.tensor.BackendHandle;

/**
 * What the op layer needs from the kernel that owns a tensor: the backend for a device, grad mode, the autograd
 * engine and the default generator. The kernel implements it; ops and tensors see only this, so the op layer does
 * not depend on the kernel's registries.
 */
// Implemented by the kernel, called by ops and the autograd bundle.
@org.osgi.annotation.versioning.ProviderType
public interface OpRuntime {
    /** The best registered backend for {@code device}, or an error naming the missing backend. */
    BackendHandle selectBackend(Device device);

    boolean isGradEnabled();

    /** Sets this thread's grad mode and returns the previous one. */
    boolean setGradEnabled(boolean enabled);

    /** The installed autograd engine, or null. */
    GradientEngine gradientEngine();

    /** The engine, or an error that says the autograd bundle is missing. */
    GradientEngine requireEngine(String what);

    /** The layers every op call of this kernel's tensors runs through (autograd among them, when installed). */
    DispatchChain dispatchChain();

    /** This thread's autocast state (for the autocast layer). */
    AutocastState autocastState();

    /**
     * How many backends have been removed so far. The dispatcher reads it only when an op failed inside backend code:
     * an op that ran into a backend's removal is run again on the successor (read off the hot path).
     */
    long backendRemovals();

    /** {@code g}, or the default generator when {@code g} is null. */
    Generator gen(Generator g);
}
