package dev.kindling.shell.internal;

import dev.kindling.api.Device;
import dev.kindling.kernel.Kernel;
import dev.kindling.kernel.ProviderRegistry;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * What {@code kindling:info} shows. Built from a kernel and the running JVM by {@link #collect}, or directly in tests.
 *
 * @param framework the OSGi framework ("Apache Felix 7.0.5"), or null outside OSGi
 * @param providers installed providers per kind, in display order
 */
record SystemInfo(String kindlingVersion, String javaVersion, String javaVendor, String javaHome, String framework,
                  boolean vectorApi, boolean autograd, List<Device> devices, int backends,
                  Map<String, Integer> providers) {

    static final String VECTOR_MODULE = "jdk.incubator.vector";

    static SystemInfo collect(Kernel kernel, String framework) {
        Map<String, Integer> providers = new LinkedHashMap<>();
        for (ProviderRegistry<?> r : List.of(kernel.layers(), kernel.losses(), kernel.optimizers(), kernel.schedulers(),
                kernel.datasets())) {
            providers.put(r.kind(), r.all().size());
        }
        return new SystemInfo(kernel.version(), System.getProperty("java.version"), System.getProperty("java.vendor"),
                System.getProperty("java.home"), framework, vectorApiPresent(), kernel.gradientEngine() != null,
                kernel.backends().devices(), kernel.backends().info().size(), providers);
    }

    /** Whether the JVM was started with the Vector API module ({@code --add-modules=jdk.incubator.vector}). */
    static boolean vectorApiPresent() {
        return ModuleLayer.boot().findModule(VECTOR_MODULE).isPresent();
    }

    String format() {
        StringBuilder sb = new StringBuilder();
        line(sb, "Kindling", kindlingVersion);
        line(sb, "Java", javaVersion + " (" + javaVendor + ")" + (javaHome == null ? "" : ", " + javaHome));
        if (framework != null) line(sb, "OSGi framework", framework);
        line(sb, "Vector API", vectorApi ? "present (" + VECTOR_MODULE + ")"
                : "absent (start the JVM with --add-modules=" + VECTOR_MODULE + " for SIMD CPU kernels)");
        line(sb, "Autograd", autograd ? "installed" : "not installed (tensors compute, gradients need kindling-autograd)");
        line(sb, "Backends", backends + " installed (see kindling:backends)");
        line(sb, "Devices", devices.isEmpty() ? "none" : devices.stream().map(String::valueOf).collect(Collectors.joining(", ")));
        line(sb, "Providers", providers.entrySet().stream().map(e -> plural(e.getValue(), e.getKey()))
                .collect(Collectors.joining(", ")));
        return sb.toString();
    }

    private static String plural(int n, String kind) {
        return n + " " + kind + (n == 1 ? "" : kind.endsWith("s") ? "es" : "s");
    }

    private static void line(StringBuilder sb, String key, String value) {
        sb.append(String.format("%-15s %s%n", key + ":", value));
    }
}
