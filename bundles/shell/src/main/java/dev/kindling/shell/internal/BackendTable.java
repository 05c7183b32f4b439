package dev.kindling.shell.internal;

import dev.kindling.kernel.BackendInfo;

import java.util.List;
import java.util.stream.Collectors;

/** Formats {@code kindling:backends}. */
final class BackendTable {
    private BackendTable() {}

    static String format(List<BackendInfo> backends) {
        if (backends.isEmpty()) {
            return "No tensor backends installed. Install a backend bundle, e.g. kindling-backend-cpu (dev.kindling.backend.cpu).\n";
        }
        TextTable table = new TextTable(" ", "BACKEND", "DEVICE", "VERSION", "RANK", "STATUS", "DEVICES");
        boolean anyPreferred = false;
        for (BackendInfo b : backends) {
            String mark = b.selected() ? "*" : "";
            if (b.preferred()) {
                mark += "P";
                anyPreferred = true;
            }
            String status = b.available() ? "available" : "unavailable: " + nullToEmpty(b.reason());
            String devices = b.devices() == null || b.devices().isEmpty() ? "-"
                    : b.devices().stream().map(String::valueOf).collect(Collectors.joining(", "));
            table.row(mark, b.name(), b.deviceType(), b.version(), b.rank(), status, devices);
        }
        StringBuilder sb = new StringBuilder(table.toString());
        for (BackendInfo b : backends) {
            if (b.details() == null) continue;
            for (String line : b.details()) sb.append("  ").append(b.name()).append(": ").append(line).append('\n');
        }
        sb.append("* = serves new tensors for its device type");
        if (anyPreferred) sb.append("; P = preferred (kindling:prefer <device> default restores the ranking)");
        sb.append('\n');
        return sb.toString();
    }

    private static String nullToEmpty(String s) { return s == null ? "" : s; }
}
