package dev.kindling.shell.internal;

import dev.kindling.api.Device;
import dev.kindling.kernel.Kernel;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SystemInfoTest {
    @Test
    void formatsAllFields() {
        Map<String, Integer> providers = new LinkedHashMap<>();
        providers.put("layer", 3);
        providers.put("loss", 2);
        providers.put("optimizer", 0);
        providers.put("dataset", 1);
        String out = new SystemInfo("0.1.0", "25", "Eclipse Adoptium", "/jdk", "Apache Felix 7.0.5", true, false,
                List.of(Device.CPU, Device.CUDA), 2, providers).format();
        assertTrue(out.startsWith("Kindling:       0.1.0\n"), out);
        assertTrue(out.contains("Java:           25 (Eclipse Adoptium), /jdk\n"), out);
        assertTrue(out.contains("OSGi framework: Apache Felix 7.0.5\n"), out);
        assertTrue(out.contains("Vector API:     present (jdk.incubator.vector)\n"), out);
        assertTrue(out.contains("Autograd:       not installed"), out);
        assertTrue(out.contains("Devices:        cpu, cuda:0\n"), out);
        assertTrue(out.contains("Providers:      3 layers, 2 losses, 0 optimizers, 1 dataset\n"), out);
    }

    @Test
    void absentVectorApiAndNoFramework() {
        String out = new SystemInfo("0.1.0", "17", "v", null, null, false, true, List.of(), 0, Map.of()).format();
        assertTrue(out.contains("Vector API:     absent (start the JVM with --add-modules=jdk.incubator.vector"), out);
        assertTrue(out.contains("Autograd:       installed"), out);
        assertTrue(out.contains("Devices:        none"), out);
        assertFalse(out.contains("OSGi framework"), out);
    }

    @Test
    void collectsFromAnEmptyKernel() {
        SystemInfo info = SystemInfo.collect(new Kernel(), null);
        assertEquals(Kernel.VERSION, info.kindlingVersion());
        assertEquals(System.getProperty("java.version"), info.javaVersion());
        assertFalse(info.autograd());
        assertEquals(0, info.backends());
        assertEquals(List.of("layer", "loss", "optimizer", "scheduler", "dataset"), List.copyOf(info.providers().keySet()));
        // surefire runs with --add-modules=jdk.incubator.vector (kindling.jvm.flags)
        assertTrue(info.vectorApi());
    }
}
