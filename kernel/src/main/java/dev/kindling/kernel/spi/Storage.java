package dev.kindling.kernel.spi;

import dev.kindling.api.DType;
import dev.kindling.api.Device;

import org.osgi.annotation.versioning.ConsumerType;

/** A backend's flat buffer of {@link #numel()} elements of one dtype on one device. */
// Implemented by each backend next to its TensorBackend; the kernel calls it.
@ConsumerType
public interface Storage {
    DType dtype();

    long numel();

    Device device();
}
