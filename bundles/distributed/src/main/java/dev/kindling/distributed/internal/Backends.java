package dev.kindling.distributed.internal;

import dev.kindling.distributed.spi.ProcessGroupBackend;
import dev.kindling.distributed.spi.RendezvousHandler;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.ServiceLoader;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The installed backends (the built-in {@code local}, those bound by {@link DistributedComponent} inside OSGi, and
 * on a plain classpath the {@code ServiceLoader} providers) and rendezvous handlers, found the same ways. Lives as
 * long as this bundle's class loader.
 */
public final class Backends {
    public static final Backends INSTANCE = new Backends();

    private final LocalBackend local = new LocalBackend();
    private final List<ProcessGroupBackend> bound = new CopyOnWriteArrayList<>();
    private final List<RendezvousHandler> handlers = new CopyOnWriteArrayList<>();

    private Backends() {}

    void bind(ProcessGroupBackend b) { bound.add(b); }

    void unbind(ProcessGroupBackend b) { bound.remove(b); }

    void bind(RendezvousHandler h) { handlers.add(h); }

    void unbind(RendezvousHandler h) { handlers.remove(h); }

    /** The handler of an init-method scheme, or null. */
    public RendezvousHandler handler(String scheme) {
        for (int i = handlers.size() - 1; i >= 0; i--) if (handlers.get(i).scheme().equalsIgnoreCase(scheme)) return handlers.get(i);
        for (RendezvousHandler h : ServiceLoader.load(RendezvousHandler.class, Backends.class.getClassLoader())) {
            if (h.scheme().equalsIgnoreCase(scheme)) return h;
        }
        return null;
    }

    public List<ProcessGroupBackend> all() {
        List<ProcessGroupBackend> all = new ArrayList<>(bound);
        for (ProcessGroupBackend b : ServiceLoader.load(ProcessGroupBackend.class, Backends.class.getClassLoader())) all.add(b);
        all.add(local);
        return all;
    }

    public ProcessGroupBackend get(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        // The latest OSGi registration wins, so an updated backend bundle replaces an older one.
        for (int i = bound.size() - 1; i >= 0; i--) if (bound.get(i).name().toLowerCase(Locale.ROOT).equals(n)) return bound.get(i);
        for (ProcessGroupBackend b : all()) if (b.name().toLowerCase(Locale.ROOT).equals(n)) return b;
        throw new IllegalArgumentException("unknown distributed backend '" + name + "'; installed: "
                + all().stream().map(ProcessGroupBackend::name).distinct().toList()
                + (n.equals("gloo") ? " (gloo needs the kindling-distributed-gloo bundle and its natives)" : ""));
    }
}
