package dev.kindling.kernel.tensor;

import java.util.concurrent.atomic.AtomicInteger;

/** Counts in-place modifications of a storage; shared by a tensor and all its views (as PyTorch's). */
public final class VersionCounter {
    private final AtomicInteger version = new AtomicInteger();

    public int get() { return version.get(); }

    public void bump() { version.incrementAndGet(); }
}
