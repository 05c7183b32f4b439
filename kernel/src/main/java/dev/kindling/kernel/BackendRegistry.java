package dev.kindling.kernel;

import dev.kindling.api.Device;
import dev.kindling.kernel.spi.Availability;
import dev.kindling.kernel.spi.BackendDiagnostics;
import dev.kindling.kernel.spi.TensorBackend;
import dev.kindling.kernel.tensor.BackendHandle;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The backends currently installed. Several may serve one device type: the ranking rule picks the user's preferred
 * backend if it is installed and available, else the available one with the highest {@link TensorBackend#rank()},
 * else the earliest registered.
 */
public final class BackendRegistry {
    private final List<BackendHandle> handles = new CopyOnWriteArrayList<>();
    private final Map<String, String> preferred = new ConcurrentHashMap<>();
    private final AtomicLong order = new AtomicLong();

    public void add(TensorBackend backend) {
        for (BackendHandle h : handles) {
            if (h.unchecked() == backend) return;
        }
        handles.add(new BackendHandle(backend, order.incrementAndGet()));
        removed.remove(backend.deviceType()); // the gone handle then lives only as long as tensors not yet moved off it
        synchronized (arrivals) {
            arrivals.notifyAll(); // ops waiting for a backend of this device type may go on
        }
    }

    /**
     * Removes a backend. Tensors it held are not lost: their next use moves them to the backend then serving the
     * device type, waiting up to {@link #backendWait()} for one to be installed (a bundle update or restart).
     */
    public void remove(TensorBackend backend) {
        for (BackendHandle h : handles) {
            if (h.unchecked() == backend) {
                removals.incrementAndGet();
                // Only a backend that served its device type makes new tensors wait for a successor: one that never
                // could (no driver) leaves the "No backend available" answer immediate. It is listed as removed before
                // it stops serving, so that a tensor created meanwhile on another thread waits rather than fails.
                if (isAvailable(backend)) {
                    h.prepareMigration();
                    removed.put(backend.deviceType(), h);
                }
                h.deactivate(this::awaitSuccessor);
                handles.remove(h);
            }
        }
    }

    private static boolean isAvailable(TensorBackend backend) {
        try {
            return backend.availability().available();
        } catch (RuntimeException e) {
            return false;
        }
    }

    private final Object arrivals = new Object();
    private final AtomicLong removals = new AtomicLong();

    /** How many backends were removed so far: an op that failed while this changed ran into a removal. */
    public long removals() { return removals.get(); }

    /** The last backend removed per device type: new tensors on it wait for a successor, as old ones do. */
    private final Map<String, BackendHandle> removed = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> waiting = new ConcurrentHashMap<>();
    private volatile Duration backendWait = Duration.ofMillis(Long.getLong("kindling.backend.waitMillis", 30_000));

    /** How long an op on a tensor of a removed backend waits for a backend of its device type to come back. */
    public Duration backendWait() { return backendWait; }

    public void setBackendWait(Duration wait) {
        if (wait.isNegative()) throw new IllegalArgumentException("backend wait must not be negative: " + wait);
        backendWait = wait;
    }

    /** The device type {@code thread} is waiting for a backend of, or null. */
    public String waitingFor(Thread thread) { return waitingThreads.get(thread); }

    private final Map<Thread, String> waitingThreads = new ConcurrentHashMap<>();

    /** Device types that ops are waiting for right now (a job shows as "waiting for backend cpu"). */
    public Set<String> waitingFor() {
        Set<String> out = new TreeSet<>();
        waiting.forEach((type, n) -> { if (n.get() > 0) out.add(type); });
        return out;
    }

    private BackendHandle awaitSuccessor(String deviceType, BackendHandle gone) {
        long deadline = System.nanoTime() + backendWait.toNanos();
        AtomicInteger count = waiting.computeIfAbsent(deviceType, t -> new AtomicInteger());
        count.incrementAndGet();
        waitingThreads.put(Thread.currentThread(), deviceType);
        try {
            synchronized (arrivals) {
                while (true) {
                    BackendHandle h = selectOrNull(deviceType);
                    if (h != null && h != gone) return h;
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        throw new IllegalStateException("The backend '" + gone.unchecked().name() + "' that holds this tensor's storage (device '" + deviceType
                                + "') is no longer available (its bundle was stopped, updated or uninstalled) and no backend for '" + deviceType
                                + "' came back within " + backendWait.toMillis() + " ms (kindling.backend.waitMillis)");
                    }
                    try {
                        arrivals.wait(Math.max(1, left / 1_000_000));
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IllegalStateException("interrupted while waiting for a backend for device '" + deviceType + "'", e);
                    }
                }
            }
        } finally {
            waitingThreads.remove(Thread.currentThread());
            count.decrementAndGet();
        }
    }

    /** Chooses {@code backendName} for its device type from now on (null clears the choice). */
    public void prefer(String deviceType, String backendName) {
        if (backendName == null) {
            preferred.remove(deviceType);
            return;
        }
        boolean known = handles.stream().anyMatch(h -> h.unchecked().name().equals(backendName)
                && h.unchecked().deviceType().equals(deviceType));
        if (!known) {
            throw new IllegalArgumentException("no backend named '" + backendName + "' serves device type '" + deviceType
                    + "'; installed: " + names());
        }
        preferred.put(deviceType, backendName);
    }

    public Optional<String> preferred(String deviceType) { return Optional.ofNullable(preferred.get(deviceType)); }

    private List<String> names() {
        List<String> n = new ArrayList<>();
        for (BackendHandle h : handles) n.add(h.unchecked().name() + " (" + h.unchecked().deviceType() + ")");
        return n;
    }

    /** The backend that serves new tensors on {@code device}, or an error that says what is installed. */
    public BackendHandle select(Device device) {
        BackendHandle h = selectOrNull(device.type());
        BackendHandle gone = removed.get(device.type());
        // Momentarily absent (the backend that served it was removed and nothing else is registered for the device
        // type, as during a bundle update): wait, as ops on its tensors do. A registered but unavailable backend
        // (no driver) answers at once.
        if (h == null && gone != null && handles.stream().noneMatch(x -> x.isActive() && x.unchecked().deviceType().equals(device.type()))) {
            h = awaitSuccessor(device.type(), gone);
        }
        if (h == null) {
            StringBuilder msg = new StringBuilder("No backend available for device '").append(device).append("'");
            List<String> unavailable = new ArrayList<>();
            for (BackendHandle b : handles) {
                if (b.unchecked().deviceType().equals(device.type())) {
                    unavailable.add(b.unchecked().name() + ": " + b.unchecked().availability().reason());
                }
            }
            if (unavailable.isEmpty()) {
                msg.append(": no installed backend serves '").append(device.type()).append("' (installed: ").append(names())
                        .append("). Install a backend bundle for it, e.g. kindling-backend-").append(device.type());
            } else {
                msg.append(": ").append(String.join("; ", unavailable));
            }
            throw new IllegalStateException(msg.toString());
        }
        if (device.index() >= 0 && !h.unchecked().devices().contains(device)) {
            throw new IllegalStateException("Device '" + device + "' does not exist; backend '" + h.unchecked().name()
                    + "' offers " + h.unchecked().devices());
        }
        return h;
    }

    BackendHandle selectOrNull(String deviceType) {
        String pref = preferred.get(deviceType);
        BackendHandle best = null;
        for (BackendHandle h : handles) {
            TensorBackend b = h.unchecked();
            if (!b.deviceType().equals(deviceType) || !h.isActive()) continue;
            if (!b.availability().available()) continue;
            if (pref != null && b.name().equals(pref)) return h;
            if (best == null || b.rank() > best.unchecked().rank()
                    || (b.rank() == best.unchecked().rank() && h.order() < best.order())) {
                best = h;
            }
        }
        return best;
    }

    public List<BackendInfo> info() {
        List<BackendInfo> out = new ArrayList<>();
        List<BackendHandle> sorted = new ArrayList<>(handles);
        sorted.sort(Comparator.comparing((BackendHandle h) -> h.unchecked().deviceType())
                .thenComparing(h -> -h.unchecked().rank()).thenComparingLong(BackendHandle::order));
        for (BackendHandle h : sorted) {
            TensorBackend b = h.unchecked();
            Availability a = b.availability();
            BackendHandle sel = selectOrNull(b.deviceType());
            out.add(new BackendInfo(b.name(), b.deviceType(), b.version(), b.rank(), a.available(), a.reason(),
                    a.available() ? b.devices() : List.of(), sel == h, b.name().equals(preferred.get(b.deviceType())), diagnostics(b)));
        }
        return out;
    }

    private static List<String> diagnostics(TensorBackend b) {
        if (!(b instanceof BackendDiagnostics)) return List.of();
        try {
            return List.copyOf(((BackendDiagnostics) b).diagnostics());
        } catch (RuntimeException e) {
            return List.of("diagnostics failed: " + e);
        }
    }

    public List<Device> devices() {
        List<Device> out = new ArrayList<>();
        for (BackendHandle h : handles) {
            if (h.isActive() && h.unchecked().availability().available()) {
                for (Device d : h.unchecked().devices()) if (!out.contains(d)) out.add(d);
            }
        }
        return out;
    }

    public boolean isAvailable(String deviceType) { return selectOrNull(deviceType) != null; }
}
