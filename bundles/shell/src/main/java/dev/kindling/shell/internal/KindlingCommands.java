package dev.kindling.shell.internal;

import dev.kindling.kernel.BackendInfo;
import dev.kindling.kernel.Kernel;
import org.apache.felix.service.command.Descriptor;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

import java.util.List;
import java.util.Locale;

/**
 * The {@code kindling:*} Gogo commands. Each returns its text, which the shell prints; failures are exceptions, so
 * scripts and {@code bin/kindling -c} stop with a non-zero exit. The formatting lives in plain classes
 * ({@link BackendTable}, {@link SystemInfo}, {@link ProviderList}, {@link Expr}) that are tested without OSGi.
 */
@Component(service = KindlingCommands.class, property = {
        "osgi.command.scope=kindling",
        "osgi.command.function=backends",
        "osgi.command.function=prefer",
        "osgi.command.function=info",
        "osgi.command.function=providers",
        "osgi.command.function=layers",
        "osgi.command.function=losses",
        "osgi.command.function=optimizers",
        "osgi.command.function=schedulers",
        "osgi.command.function=datasets",
        "osgi.command.function=calc"})
public class KindlingCommands {
    static final String DEFAULT = "default";

    private final Kernel kernel;
    private final String framework;

    /** Used by DS. */
    @Activate
    public KindlingCommands(@Reference(name = "kernel") Kernel kernel, BundleContext context) {
        this(kernel, describe(context.getBundle(Constants.SYSTEM_BUNDLE_LOCATION)));
    }

    /** "Apache Felix 7.0.5": the framework implementation (the system bundle's symbolic name) and version. */
    static String describe(Bundle systemBundle) {
        if (systemBundle == null) return null;
        String bsn = String.valueOf(systemBundle.getSymbolicName());
        String name = bsn.equals("org.apache.felix.framework") ? "Apache Felix"
                : bsn.equals("org.eclipse.osgi") ? "Eclipse Equinox" : bsn;
        return name + " " + systemBundle.getVersion();
    }

    /** For tests and embedding without OSGi. */
    public KindlingCommands(Kernel kernel, String framework) {
        this.kernel = kernel;
        this.framework = framework;
    }

    @Descriptor("list the tensor backends: device type, version, rank, availability (or why not), devices; "
            + "'*' marks the backend that serves new tensors of its device type, 'P' a preferred one")
    public String backends() {
        return text(BackendTable.format(kernel.backends().info()));
    }

    @Descriptor("choose which backend serves a device type (when several are installed); 'default' restores the "
            + "ranking rule (highest rank among the available backends)")
    public String prefer(@Descriptor("device type, e.g. cpu or cuda") String deviceType,
                         @Descriptor("a backend name from kindling:backends, or 'default'") String backendName) {
        String type = deviceType.trim().toLowerCase(Locale.ROOT);
        if (backendName.equalsIgnoreCase(DEFAULT)) {
            kernel.backends().prefer(type, null);
            return "Preference for '" + type + "' cleared; " + selected(type);
        }
        kernel.backends().prefer(type, backendName.trim()); // throws IllegalArgumentException naming what is installed
        return "Preferring '" + backendName.trim() + "' for '" + type + "'; " + selected(type);
    }

    private String selected(String deviceType) {
        List<BackendInfo> infos = kernel.backends().info();
        for (BackendInfo b : infos) {
            if (b.deviceType().equals(deviceType) && b.selected()) return "new tensors use '" + b.name() + "'.";
        }
        return "no available backend serves '" + deviceType + "' now.";
    }

    @Descriptor("show the Kindling and Java versions, the OSGi framework, whether the Vector API module is present, "
            + "whether autograd is installed, the devices and the number of installed providers of each kind")
    public String info() {
        return text(SystemInfo.collect(kernel, framework).format());
    }

    @Descriptor("list installed providers (layers, losses, optimizers, schedulers, datasets) with their parameters")
    public String providers() {
        return text(ProviderList.format(ProviderList.registries(kernel), null));
    }

    @Descriptor("list installed providers of one kind")
    public String providers(@Descriptor("layer, loss, optimizer, scheduler or dataset") String kind) {
        return text(ProviderList.format(ProviderList.registries(kernel), kind));
    }

    @Descriptor("list installed layers (nn modules that can be built by name, e.g. from a JSON model spec) with their parameters")
    public String layers() { return providers("layer"); }

    @Descriptor("list installed losses with their parameters")
    public String losses() { return providers("loss"); }

    @Descriptor("list installed optimizers with their parameters")
    public String optimizers() { return providers("optimizer"); }

    @Descriptor("list installed learning-rate schedulers with their parameters")
    public String schedulers() { return providers("scheduler"); }

    @Descriptor("list installed datasets with their parameters")
    public String datasets() { return providers("dataset"); }

    @Descriptor("evaluate a tensor expression and print the result; quote it so Gogo does not parse the parentheses, "
            + "e.g. kindling:calc \"ones(2,3).add(1).sum()\" or kindling:calc \"[[1,2],[3,4]] @ eye(2, float64)\". "
            + "Calls are Torch functions or Tensor methods; operators + - * / @ ** and x[1:, ::2] slicing work")
    public String calc(@Descriptor("the expression (several words are joined with spaces)") String... expression) {
        if (expression.length == 0) throw new IllegalArgumentException("kindling:calc needs an expression");
        return Expr.evalToString(String.join(" ", expression));
    }

    /** Gogo prints a result with println: drop the final line break. */
    static String text(String s) {
        return s.endsWith("\n") ? s.substring(0, s.length() - 1) : s;
    }
}
