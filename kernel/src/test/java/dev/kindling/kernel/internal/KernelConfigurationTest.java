package dev.kindling.kernel.internal;

import dev.kindling.api.Device;
import dev.kindling.kernel.Kernel;
import dev.kindling.kernel.spi.Availability;
import dev.kindling.kernel.spi.TensorBackend;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;

class KernelConfigurationTest {
    /** A backend that only answers what the registry asks of it. */
    static TensorBackend backend(String name, String deviceType, int rank) {
        return (TensorBackend) Proxy.newProxyInstance(TensorBackend.class.getClassLoader(), new Class<?>[] {TensorBackend.class}, (p, m, a) -> switch (m.getName()) {
            case "name" -> name;
            case "deviceType" -> deviceType;
            case "rank" -> rank;
            case "version" -> "1";
            case "availability" -> Availability.yes();
            case "devices" -> List.of(Device.CPU);
            case "hashCode" -> System.identityHashCode(p);
            case "equals" -> p == a[0];
            case "toString" -> name;
            default -> throw new UnsupportedOperationException(m.getName());
        });
    }

    private static Map<String, Object> config(Object... keyValues) {
        Map<String, Object> m = new HashMap<>();
        m.put("service.pid", KernelConfiguration.PID);
        for (int i = 0; i < keyValues.length; i += 2) m.put((String) keyValues[i], keyValues[i + 1]);
        return m;
    }

    @Test
    void preferenceAndWaitApplyAtOnceAndGoWithTheConfiguration() {
        Kernel k = new Kernel();
        k.addBackend(backend("fast", "cpu", 200));
        k.addBackend(backend("exact", "cpu", 100));
        Duration initial = k.backends().backendWait();
        KernelConfiguration c = new KernelConfiguration(k, config("prefer.cpu", "exact", "backend.waitMillis", "1500"));
        assertEquals(Optional.of("exact"), k.backends().preferred("cpu"));
        assertEquals(Duration.ofMillis(1500), k.backends().backendWait());

        c.configure(config("backend.waitMillis", 250L));
        assertEquals(Optional.empty(), k.backends().preferred("cpu"), "a key removed from the configuration takes its default again");
        assertEquals(Duration.ofMillis(250), k.backends().backendWait());

        c.deactivate();
        assertEquals(initial, k.backends().backendWait());
    }

    @Test
    void aPreferenceForABackendNotInstalledYetTakesEffectWhenItArrives() {
        Kernel k = new Kernel();
        k.addBackend(backend("cuda-a", "cuda", 200));
        KernelConfiguration c = new KernelConfiguration(k, config("prefer.cuda", "cuda-b"));
        assertEquals(Optional.empty(), k.backends().preferred("cuda"));
        TensorBackend b = backend("cuda-b", "cuda", 100);
        k.addBackend(b);
        c.bindBackend(b);
        assertEquals(Optional.of("cuda-b"), k.backends().preferred("cuda"));
    }

    @Test
    void valuesThatAreNotAllowedKeepThePreviousSetting() {
        Kernel k = new Kernel();
        k.addBackend(backend("exact", "cpu", 100));
        KernelConfiguration c = new KernelConfiguration(k, config("prefer.cpu", "exact", "backend.waitMillis", 2000));
        c.configure(config("prefer.cpu", "no such/name!", "backend.waitMillis", "soon"));
        assertEquals(Optional.of("exact"), k.backends().preferred("cpu"));
        assertEquals(Duration.ofMillis(2000), k.backends().backendWait());
        c.configure(config("prefer.cpu", "exact", "backend.waitMillis", -5));
        assertEquals(Duration.ofMillis(2000), k.backends().backendWait(), "negative waits are refused");
        c.configure(config("prefer.cpu", "default", "backend.waitMillis", "0"));
        assertEquals(Optional.empty(), k.backends().preferred("cpu"));
        assertEquals(Duration.ZERO, k.backends().backendWait());
    }
}
