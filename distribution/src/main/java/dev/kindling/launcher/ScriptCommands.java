package dev.kindling.launcher;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;

import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.Hashtable;
import java.util.List;

/**
 * Without the console (commands and scripts) the JLine bundle is installed but not started, because its activator
 * takes over the terminal and its signals (Ctrl-C). Its script commands are still wanted ({@code echo}, {@code each},
 * {@code if}, {@code grep}, {@code cat}, ...): this registers them as the activator would, minus the console.
 */
final class ScriptCommands {
    static final String JLINE_BSN = "org.apache.felix.gogo.jline";
    private static final String PKG = "org.apache.felix.gogo.jline.";

    private ScriptCommands() {}

    /** Registers gogo:echo, gogo:each, ... from the (resolved, stopped) JLine bundle; returns what it registered. */
    static List<ServiceRegistration<?>> register(BundleContext ctx, Object processor) {
        List<ServiceRegistration<?>> regs = new ArrayList<>();
        Bundle jline = null;
        for (Bundle b : ctx.getBundles()) if (JLINE_BSN.equals(b.getSymbolicName())) jline = b;
        if (jline == null || jline.getState() == Bundle.ACTIVE) return regs;
        try {
            Class<?> processorType = jline.loadClass(GogoSession.PROCESSOR);
            Class<?> procedural = jline.loadClass(PKG + "Procedural");
            Class<?> posix = jline.loadClass(PKG + "Posix");
            Class<?> builtin = jline.loadClass(PKG + "Builtin");
            regs.add(registerCommands(ctx, procedural, procedural.getConstructor().newInstance()));
            regs.add(registerCommands(ctx, posix, posix.getConstructor(processorType).newInstance(processor)));
            regs.add(registerCommands(ctx, builtin, builtin.getConstructor().newInstance()));
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            // Another Gogo JLine version: scripts still get the runtime's language and the other bundles' commands.
            for (ServiceRegistration<?> r : regs) r.unregister();
            regs.clear();
        }
        return regs;
    }

    private static ServiceRegistration<?> registerCommands(BundleContext ctx, Class<?> type, Object commands)
            throws ReflectiveOperationException {
        Field f = type.getDeclaredField("functions");
        f.setAccessible(true);
        Hashtable<String, Object> props = new Hashtable<>();
        props.put("osgi.command.scope", "gogo");
        props.put("osgi.command.function", ((String[]) f.get(null)).clone());
        return ctx.registerService(type.getName(), commands, props);
    }
}
