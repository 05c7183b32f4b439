package dev.kindling.backend.cpu;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

import java.util.Map;

/**
 * The CPU backend's settings from Configuration Admin (PID {@value #PID}: Karaf's {@code config:edit}, a
 * {@code etc/dev.kindling.cpu.cfg} file, or any ConfigurationAdmin client). Applied at once, jobs keep running; the
 * backend service itself is untouched, so a change never swaps the backend. A value that is not allowed is logged with
 * the PID, key and allowed values, and the previous setting stays.
 */
@Component(configurationPid = CpuConfiguration.PID, configurationPolicy = ConfigurationPolicy.OPTIONAL, immediate = true, service = {})
@Designate(ocd = CpuConfiguration.Settings.class)
public class CpuConfiguration {
    static final String PID = "dev.kindling.cpu";
    static final int MAX_THREADS = 4096;
    private static final System.Logger LOG = System.getLogger(PID);

    @ObjectClassDefinition(id = PID, name = "Kindling CPU backend", description = "How the CPU backend computes.")
    public @interface Settings {
        @AttributeDefinition(name = "Threads", min = "0", max = "4096",
                description = "The most threads one op uses (the calling thread and the JVM's common fork-join pool); "
                        + "0 for the default: -Dkindling.cpu.threads, else the available processors.")
        int threads() default 0;
    }

    @Activate
    @Modified
    void configure(Map<String, Object> properties) {
        Object raw = properties.get("threads");
        if (raw == null) {
            ComputePool.configure(0);
            return;
        }
        Integer threads = parse(raw);
        if (threads == null) {
            LOG.log(System.Logger.Level.ERROR, PID + ": threads=" + raw + " rejected: allowed values are whole numbers from 1 to " + MAX_THREADS
                    + ", or 0 for the default (" + Runtime.getRuntime().availableProcessors() + " processors); keeping threads="
                    + ComputePool.cap());
            return;
        }
        ComputePool.configure(threads);
    }

    /** The thread count {@code raw} names, or null when it names none that is allowed. */
    static Integer parse(Object raw) {
        long v;
        if (raw instanceof Number n && (n instanceof Integer || n instanceof Long || n instanceof Short || n instanceof Byte)) {
            v = n.longValue();
        } else if (raw instanceof String s) {
            try {
                v = Long.parseLong(s.trim());
            } catch (NumberFormatException e) {
                return null;
            }
        } else {
            return null;
        }
        return v >= 0 && v <= MAX_THREADS ? (int) v : null;
    }

    @Deactivate
    void deactivate() { ComputePool.configure(0); }
}
