package dev.kindling.kernel;

import dev.kindling.api.Device;

import java.util.List;

/**
 * What {@code kindling:backends} shows about one backend; {@code details} are the lines of a backend that implements
 * {@link dev.kindling.kernel.spi.BackendDiagnostics} (device names, memory in use), else empty.
 */
public record BackendInfo(String name, String deviceType, String version, int rank, boolean available, String reason,
                          List<Device> devices, boolean selected, boolean preferred, List<String> details) {
    public BackendInfo(String name, String deviceType, String version, int rank, boolean available, String reason,
                       List<Device> devices, boolean selected, boolean preferred) {
        this(name, deviceType, version, rank, available, reason, devices, selected, preferred, List.of());
    }
}
