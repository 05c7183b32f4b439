package dev.kindling.kernel;

import dev.kindling.kernel.spi.Provider;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

/** The providers of one kind (layers, losses, ...) currently installed, looked up by name (case-insensitive). */
public final class ProviderRegistry<P extends Provider<?>> {
    private final String kind;
    private final List<P> providers = new CopyOnWriteArrayList<>();

    public ProviderRegistry(String kind) { this.kind = kind; }

    public String kind() { return kind; }

    public void add(P provider) { if (!providers.contains(provider)) providers.add(provider); }

    public void remove(P provider) { providers.remove(provider); }

    /** Sorted by name. */
    public List<P> all() {
        List<P> list = new ArrayList<>(providers);
        list.sort(Comparator.comparing(Provider::name));
        return list;
    }

    public Optional<P> find(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        // The latest registration wins, so an updated bundle replaces an older one of the same name.
        for (int i = providers.size() - 1; i >= 0; i--) {
            P p = providers.get(i);
            if (p.name().toLowerCase(Locale.ROOT).equals(n)) return Optional.of(p);
        }
        return Optional.empty();
    }

    public P get(String name) {
        return find(name).orElseThrow(() -> new IllegalArgumentException("unknown " + kind + " '" + name + "'; installed: "
                + all().stream().map(Provider::name).toList()));
    }

    public Object create(String name, Map<String, Object> parameters) { return get(name).create(parameters); }
}
