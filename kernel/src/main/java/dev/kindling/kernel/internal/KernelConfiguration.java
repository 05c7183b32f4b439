package dev.kindling.kernel.internal;

import dev.kindling.kernel.Kernel;
import dev.kindling.kernel.spi.TensorBackend;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The kernel's settings from Configuration Admin (PID {@value #PID}): which backend serves a device type
 * ({@code prefer.cpu}, {@code prefer.cuda}, …: what {@code kindling:prefer} sets) and how long an op waits for a backend
 * that went away ({@code backend.waitMillis}). Applied at once; a preferred backend that is not installed yet is preferred
 * as soon as it is. A value that is not allowed is logged with the PID, key and allowed values, and that key keeps its
 * previous setting.
 */
@Component(configurationPid = KernelConfiguration.PID, configurationPolicy = ConfigurationPolicy.OPTIONAL, immediate = true, service = {})
@Designate(ocd = KernelConfiguration.Settings.class)
public class KernelConfiguration {
    static final String PID = "dev.kindling.kernel";
    static final String PREFER = "prefer.";
    static final String WAIT = "backend.waitMillis";
    static final long MAX_WAIT_MILLIS = 86_400_000L;
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");
    private static final System.Logger LOG = System.getLogger(PID);

    @ObjectClassDefinition(id = PID, name = "Kindling kernel",
            description = "Backend choice and hot-swap behaviour. Further keys prefer.<device type> (e.g. prefer.cuda) name the "
                    + "backend that serves that device type, as kindling:prefer does; 'default' restores the ranking rule.")
    public @interface Settings {
        @AttributeDefinition(name = "Preferred CPU backend", required = false,
                description = "The backend (a name from kindling:backends) that serves new CPU tensors; 'default' or empty: the highest ranked.")
        String prefer_cpu() default "default";

        @AttributeDefinition(name = "Preferred CUDA backend", required = false,
                description = "The backend that serves new CUDA tensors; 'default' or empty: the highest ranked.")
        String prefer_cuda() default "default";

        @AttributeDefinition(name = "Backend wait (ms)", min = "0", max = "86400000",
                description = "How long an op waits for a backend of its device type to come back after its bundle stopped or "
                        + "was updated, before it fails (0: fail at once).")
        long backend_waitMillis() default 30_000;
    }

    private final Kernel kernel;
    private final Duration initialWait;
    /** The preferences this configuration asked for (device type to backend name), applied whenever that backend is there. */
    private final Map<String, String> wanted = new HashMap<>();

    @Activate
    public KernelConfiguration(@Reference(name = "kernel") Kernel kernel, Map<String, Object> properties) {
        this.kernel = kernel;
        this.initialWait = kernel.backends().backendWait();
        configure(properties);
    }

    @Modified
    synchronized void configure(Map<String, Object> properties) {
        Object wait = properties.get(WAIT);
        if (wait == null) {
            kernel.backends().setBackendWait(initialWait);
        } else {
            Long ms = wholeNumber(wait);
            if (ms == null || ms < 0 || ms > MAX_WAIT_MILLIS) {
                reject(WAIT, wait, "whole numbers of milliseconds from 0 to " + MAX_WAIT_MILLIS, kernel.backends().backendWait().toMillis());
            } else {
                kernel.backends().setBackendWait(Duration.ofMillis(ms));
            }
        }
        Map<String, String> next = new HashMap<>();
        for (Map.Entry<String, Object> e : properties.entrySet()) {
            if (!e.getKey().startsWith(PREFER)) continue;
            String type = e.getKey().substring(PREFER.length()).toLowerCase(Locale.ROOT);
            String name = e.getValue() == null ? "" : e.getValue().toString().trim();
            if (name.isEmpty() || name.equalsIgnoreCase("default")) continue;
            if (type.isEmpty() || !NAME.matcher(type).matches() || !NAME.matcher(name).matches()) {
                String kept = wanted.get(type);
                reject(e.getKey(), e.getValue(), "a backend name from kindling:backends (letters, digits, '.', '_', '-') or 'default', "
                        + "under a key prefer.<device type>", kept == null ? "default" : kept);
                if (kept != null) next.put(type, kept);
                continue;
            }
            next.put(type, name);
        }
        for (String type : wanted.keySet()) {
            if (!next.containsKey(type) && kernel.backends().preferred(type).isPresent()) kernel.backends().prefer(type, null);
        }
        wanted.clear();
        wanted.putAll(next);
        applyPreferences();
    }

    /** A backend came: a preference waiting for it takes effect. */
    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    synchronized void bindBackend(TensorBackend backend) {
        if (kernel != null) applyPreferences();
    }

    void unbindBackend(TensorBackend backend) {
        // the kernel's ranking rule takes over until the preferred backend is back
    }

    private void applyPreferences() {
        for (Map.Entry<String, String> p : wanted.entrySet()) {
            try {
                kernel.backends().prefer(p.getKey(), p.getValue());
            } catch (IllegalArgumentException notInstalledYet) {
                // preferred as soon as it is installed (bindBackend)
            }
        }
    }

    @Deactivate
    synchronized void deactivate() {
        for (String type : wanted.keySet()) kernel.backends().prefer(type, null);
        wanted.clear();
        kernel.backends().setBackendWait(initialWait);
    }

    private static void reject(String key, Object value, String allowed, Object kept) {
        LOG.log(System.Logger.Level.ERROR, PID + ": " + key + "=" + value + " rejected: allowed values are " + allowed + "; keeping " + key + "=" + kept);
    }

    /** {@code raw} as a whole number, or null when it is not one. */
    static Long wholeNumber(Object raw) {
        if (raw instanceof Integer || raw instanceof Long || raw instanceof Short || raw instanceof Byte) return ((Number) raw).longValue();
        if (raw instanceof String s) {
            try {
                return Long.parseLong(s.trim());
            } catch (NumberFormatException e) {
                return null;
            }
        }
        return null;
    }
}
