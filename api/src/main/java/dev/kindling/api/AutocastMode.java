package dev.kindling.api;

import org.osgi.annotation.versioning.ProviderType;

/**
 * An autocast region ({@code torch.autocast}): {@code try (var ac = Torch.autocast(Device.CPU)) { ... }}. Closing it
 * restores this thread's previous autocast state for the device; closing the outermost region also drops the casts of
 * weights cached inside it.
 */
@ProviderType
public interface AutocastMode extends AutoCloseable {
    /** The device type the region is for ("cpu", "cuda"). */
    String deviceType();

    /** The lower-precision dtype listed ops run in inside the region. */
    DType dtype();

    /** Whether the region casts at all (an {@code enabled=false} region switches autocast off inside it). */
    boolean enabled();

    @Override
    void close();
}
