package dev.kindling.shell.internal;

import dev.kindling.kernel.Kernel;
import dev.kindling.kernel.ProviderRegistry;
import dev.kindling.kernel.spi.ParameterSpec;
import dev.kindling.kernel.spi.Provider;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/** Formats {@code kindling:providers}: one table of all installed providers, optionally of one kind. */
final class ProviderList {
    private ProviderList() {}

    static List<ProviderRegistry<?>> registries(Kernel kernel) {
        return List.of(kernel.layers(), kernel.losses(), kernel.optimizers(), kernel.schedulers(), kernel.datasets());
    }

    /** @param kind null for all kinds; else "layer" or "layers" (case-insensitive) etc. */
    static String format(List<ProviderRegistry<?>> registries, String kind) {
        List<ProviderRegistry<?>> selected = new ArrayList<>();
        for (ProviderRegistry<?> r : registries) {
            if (kind == null || matches(r.kind(), kind)) selected.add(r);
        }
        if (selected.isEmpty()) {
            throw new IllegalArgumentException("unknown provider kind '" + kind + "'; known: "
                    + registries.stream().map(ProviderRegistry::kind).collect(Collectors.joining(", ")));
        }
        TextTable table = new TextTable("KIND", "NAME", "PARAMETERS", "DESCRIPTION");
        for (ProviderRegistry<?> r : selected) {
            for (Provider<?> p : r.all()) {
                List<ParameterSpec> params = p.parameters() == null ? List.of() : p.parameters();
                table.row(r.kind(), p.name(), params.stream().map(String::valueOf).collect(Collectors.joining(" ")),
                        p.description());
            }
        }
        if (table.size() == 0) {
            return "No " + (kind == null ? "providers" : selected.get(0).kind() + " providers") + " installed.\n";
        }
        return table.toString();
    }

    private static boolean matches(String kind, String query) {
        String q = query.toLowerCase(Locale.ROOT);
        return q.equals(kind) || q.equals(kind + "s") || q.equals(kind + "es");
    }
}
