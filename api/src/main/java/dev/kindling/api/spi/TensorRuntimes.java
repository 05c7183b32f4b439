package dev.kindling.api.spi;

import java.util.Iterator;
import java.util.ServiceLoader;

/**
 * Finds the kernel. Inside OSGi the kernel bundle installs itself here when it activates and removes itself when it
 * stops; on a plain classpath the kernel is found once through {@link ServiceLoader}.
 */
public final class TensorRuntimes {
    private static volatile TensorRuntime installed;
    private static volatile TensorRuntime discovered;

    private TensorRuntimes() {}

    public static TensorRuntime get() {
        TensorRuntime rt = installed;
        if (rt != null) return rt;
        rt = discovered;
        if (rt != null) return rt;
        synchronized (TensorRuntimes.class) {
            if (installed != null) return installed;
            if (discovered == null) {
                Iterator<TensorRuntime> it = ServiceLoader.load(TensorRuntime.class, TensorRuntimes.class.getClassLoader()).iterator();
                if (!it.hasNext()) {
                    it = ServiceLoader.load(TensorRuntime.class).iterator();
                }
                if (it.hasNext()) discovered = it.next();
            }
            if (discovered == null) {
                throw new IllegalStateException("No Kindling kernel is available: put kindling-kernel (and a backend such "
                        + "as kindling-backend-cpu) on the classpath, or start the dev.kindling.kernel bundle");
            }
            return discovered;
        }
    }

    /** Called by the kernel bundle on activation. */
    public static void install(TensorRuntime runtime) { installed = runtime; }

    /** Called by the kernel bundle on deactivation; a no-op if another runtime was installed since. */
    public static void uninstall(TensorRuntime runtime) {
        synchronized (TensorRuntimes.class) {
            if (installed == runtime) installed = null;
        }
    }
}
