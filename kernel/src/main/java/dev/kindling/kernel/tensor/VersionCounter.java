package dev.kindling.kernel.tensor;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/** Counts in-place modifications of a storage; shared by a tensor and all its views (as PyTorch's). */
public final class VersionCounter {
    // a field updated through a VarHandle rather than an AtomicInteger: one object less for every tensor made
    private static final VarHandle VERSION;

    static {
        try {
            VERSION = MethodHandles.lookup().findVarHandle(VersionCounter.class, "version", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private volatile int version;

    public int get() { return version; }

    public void bump() { VERSION.getAndAdd(this, 1); }
}
