package dev.kindling.kernel.spi;

import dev.kindling.api.DType;
import dev.kindling.api.Device;

/** A backend's flat buffer of {@link #numel()} elements of one dtype on one device. */
public interface Storage {
    DType dtype();

    long numel();

    Device device();
}
