package dev.kindling.kernel;

import dev.kindling.api.Device;

import java.util.List;

/** What {@code kindling:backends} shows about one backend. */
public record BackendInfo(String name, String deviceType, String version, int rank, boolean available, String reason,
                          List<Device> devices, boolean selected, boolean preferred) {}
