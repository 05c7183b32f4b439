package dev.kindling.launcher;

import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;

import java.io.InputStream;
import java.io.OutputStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;

/**
 * A Gogo {@code CommandSession} driven from outside the framework. The Gogo classes live in the runtime bundle, not on
 * the launcher's class path, so the session is used reflectively through the bundle's own interface classes.
 */
final class GogoSession implements AutoCloseable {
    static final String PROCESSOR = "org.apache.felix.service.command.CommandProcessor";
    private static final int INSPECT = 0; // Converter.INSPECT, the level the interactive shell prints results at

    private final BundleContext context;
    private final ServiceReference<?> ref;
    private final Object processor;
    private final Object session;
    private final Method execute;
    private final Method format;
    private final Method put;
    private final Method close;

    private GogoSession(BundleContext context, ServiceReference<?> ref, Object processor, Object session,
                        Class<?> sessionType) throws NoSuchMethodException {
        this.context = context;
        this.ref = ref;
        this.processor = processor;
        this.session = session;
        this.execute = sessionType.getMethod("execute", CharSequence.class);
        this.format = sessionType.getMethod("format", Object.class, int.class);
        this.put = sessionType.getMethod("put", String.class, Object.class);
        this.close = sessionType.getMethod("close");
    }

    /** Opens a session on the registered CommandProcessor, or returns null when there is none. */
    static GogoSession open(BundleContext context, InputStream in, OutputStream out, OutputStream err) throws Exception {
        ServiceReference<?> ref = context.getServiceReference(PROCESSOR);
        if (ref == null) return null;
        Object processor = context.getService(ref);
        if (processor == null) return null;
        Class<?> processorType = ref.getBundle().loadClass(PROCESSOR);
        Class<?> sessionType = ref.getBundle().loadClass("org.apache.felix.service.command.CommandSession");
        Object session = processorType.getMethod("createSession", InputStream.class, OutputStream.class, OutputStream.class)
                .invoke(processor, in, out, err);
        return new GogoSession(context, ref, processor, session, sessionType);
    }

    /** The CommandProcessor service object. */
    Object processor() { return processor; }

    /** Runs one command line; a failing command is thrown as its own exception (not wrapped). */
    Object execute(String commandLine) throws Exception {
        return call(execute, commandLine);
    }

    /** The text the interactive shell prints for a result. */
    String format(Object result) throws Exception {
        return String.valueOf(call(format, result, INSPECT));
    }

    void put(String name, Object value) throws Exception {
        call(put, name, value);
    }

    private Object call(Method m, Object... args) throws Exception {
        try {
            return m.invoke(session, args);
        } catch (InvocationTargetException e) {
            Throwable t = e.getCause();
            if (t instanceof Exception) throw (Exception) t;
            if (t instanceof Error) throw (Error) t;
            throw e;
        }
    }

    @Override
    public void close() {
        try {
            close.invoke(session);
        } catch (ReflectiveOperationException | RuntimeException e) {
            // the framework may be stopping
        }
        try {
            context.ungetService(ref);
        } catch (RuntimeException e) {
            // ignore
        }
    }
}
