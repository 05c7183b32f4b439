package dev.kindling.launcher;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.Constants;
import org.osgi.framework.FrameworkEvent;
import org.osgi.framework.launch.Framework;
import org.osgi.framework.launch.FrameworkFactory;
import org.osgi.framework.startlevel.BundleStartLevel;
import org.osgi.framework.wiring.BundleWiring;
import org.osgi.framework.wiring.FrameworkWiring;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Starts Apache Felix with the bundles in {@code $KINDLING_HOME/bundle} and either hands the console to the Gogo shell
 * (interactive) or runs commands / a script through Gogo's CommandProcessor and exits with their status.
 *
 * <p>Configuration comes from {@code $KINDLING_HOME/conf/config.properties}: {@code org.osgi.*}, {@code felix.*}
 * and {@code gosh.*} keys go to the framework; {@code kindling.startlevel.<bsn>} (and {@code .default}) set bundle start
 * levels; {@code kindling.interactive.bundles} lists bundles (the console) that are only started interactively,
 * after the framework has reached its beginning start level.
 * {@code ${kindling.home}} in values is replaced. System properties with the same keys override the file.
 *
 * <p>Exit status: 0 success, 1 a command failed, 2 bad usage, 3 the framework could not start.
 */
public final class Main {
    static final String SHELL_BSN = "dev.kindling.shell";
    static final String JLINE_LIBRARY_BSN = "org.jline";
    static final String KINDLING_COMMANDS = "(osgi.command.scope=kindling)";

    private final Path home;
    private final PrintStream out;
    private final PrintStream err;
    private final InputStream in;
    private volatile boolean shuttingDown;
    private final java.util.concurrent.atomic.AtomicBoolean stopped = new java.util.concurrent.atomic.AtomicBoolean();

    Main(Path home, InputStream in, PrintStream out, PrintStream err) {
        this.home = home;
        this.in = in;
        this.out = out;
        this.err = err;
    }

    public static void main(String[] args) {
        // Keep the real console streams: Gogo replaces System.out/err with per-thread redirecting streams.
        PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), true, consoleCharset());
        PrintStream err = new PrintStream(new FileOutputStream(FileDescriptor.err), true, consoleCharset());
        Path home = Paths.get(System.getProperty("kindling.home", ".")).toAbsolutePath().normalize();
        int status = new Main(home, System.in, out, err).run(args);
        out.flush();
        err.flush();
        System.exit(status);
    }

    private static java.nio.charset.Charset consoleCharset() {
        String enc = System.getProperty("stdout.encoding", System.getProperty("sun.stdout.encoding"));
        try {
            return enc != null ? java.nio.charset.Charset.forName(enc) : java.nio.charset.Charset.defaultCharset();
        } catch (RuntimeException e) {
            return java.nio.charset.Charset.defaultCharset();
        }
    }

    int run(String[] args) {
        LaunchOptions options;
        try {
            options = LaunchOptions.parse(args);
        } catch (IllegalArgumentException e) {
            err.println("kindling: " + e.getMessage());
            err.println(LaunchOptions.USAGE);
            return 2;
        }
        if (options.mode() == LaunchOptions.Mode.HELP) {
            out.println(LaunchOptions.USAGE);
            return 0;
        }
        String scriptText = null;
        if (options.mode() == LaunchOptions.Mode.SCRIPT) {
            try {
                scriptText = options.script().equals("-") ? new String(in.readAllBytes(), StandardCharsets.UTF_8)
                        : Files.readString(Paths.get(options.script()), StandardCharsets.UTF_8);
            } catch (IOException e) {
                err.println("kindling: cannot read script " + options.script() + ": " + e);
                return 2;
            }
        }

        Map<String, String> config;
        try {
            config = loadConfig(home);
        } catch (IOException e) {
            err.println("kindling: cannot read " + home.resolve("conf/config.properties") + ": " + e);
            return 3;
        }
        Path cache;
        boolean tempCache;
        try {
            String c = firstNonNull(System.getProperty("kindling.cache"), System.getenv("KINDLING_CACHE"),
                    config.get(Constants.FRAMEWORK_STORAGE));
            tempCache = c == null;
            cache = tempCache ? Files.createTempDirectory("kindling-felix-") : Paths.get(c).toAbsolutePath();
        } catch (IOException e) {
            err.println("kindling: cannot create the framework cache: " + e);
            return 3;
        }
        Map<String, String> fw = frameworkProperties(config);
        fw.put(Constants.FRAMEWORK_STORAGE, cache.toString());
        fw.putIfAbsent("gosh.home", home.toString());

        Framework framework = ServiceLoader.load(FrameworkFactory.class).iterator().next().newFramework(fw);
        Thread hook = new Thread(() -> {
            shuttingDown = true; // Ctrl-C or kill: no error report for the command it interrupted
            stopQuietly(framework, tempCache ? cache : null);
        }, "kindling-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            int status;
            if (options.interactive() && !isTerminal()) quietJLine();
            try {
                start(framework, config, options.interactive());
            } catch (Exception e) {
                err.println("kindling: the framework did not start: " + e);
                return 3;
            }
            if (options.interactive()) {
                framework.waitForStop(0);
                status = 0;
            } else {
                status = runBatch(framework.getBundleContext(), options, scriptText);
            }
            return status;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        } finally {
            stopQuietly(framework, tempCache ? cache : null);
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // already shutting down
            }
        }
    }

    /** Kept strongly reachable: java.util.logging forgets the level of a logger that was garbage collected. */
    private static java.util.logging.Logger jlineLogger;

    /**
     * With piped input JLine falls back to a dumb terminal and logs a warning about it through java.util.logging;
     * that is expected here, so only severe JLine messages are shown.
     */
    private static void quietJLine() {
        jlineLogger = java.util.logging.Logger.getLogger("org.jline");
        jlineLogger.setLevel(java.util.logging.Level.SEVERE);
    }

    /** Whether standard input and output are a terminal (JDK 22+ has a Console even when they are not). */
    static boolean isTerminal() {
        java.io.Console console = System.console();
        if (console == null) return false;
        try {
            return (Boolean) java.io.Console.class.getMethod("isTerminal").invoke(console);
        } catch (ReflectiveOperationException e) {
            return true; // JDK 17-21: a console exists only for a terminal
        }
    }

    private static String firstNonNull(String... values) {
        for (String v : values) if (v != null && !v.isBlank()) return v;
        return null;
    }

    /** conf/config.properties with ${kindling.home} replaced, overridden by system properties of the same keys. */
    static Map<String, String> loadConfig(Path home) throws IOException {
        Properties p = new Properties();
        Path file = home.resolve("conf/config.properties");
        if (Files.exists(file)) {
            try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                p.load(r);
            }
        }
        Map<String, String> config = new HashMap<>();
        for (String k : p.stringPropertyNames()) config.put(k, p.getProperty(k));
        for (String k : System.getProperties().stringPropertyNames()) {
            if (isFrameworkKey(k) || k.startsWith("kindling.startlevel.") || k.equals("kindling.interactive.bundles")) {
                config.put(k, System.getProperty(k));
            }
        }
        config.replaceAll((k, v) -> v.replace("${kindling.home}", home.toString()));
        return config;
    }

    private static boolean isFrameworkKey(String k) {
        return k.startsWith("org.osgi.") || k.startsWith("felix.") || k.startsWith("gosh.") || k.startsWith("ds.")
                || k.startsWith("org.apache.felix.http.") || k.startsWith("org.ops4j.pax.logging."); // model serving's HTTP stack
    }

    static Map<String, String> frameworkProperties(Map<String, String> config) {
        Map<String, String> fw = new HashMap<>();
        config.forEach((k, v) -> {
            if (isFrameworkKey(k)) fw.put(k, v);
        });
        return fw;
    }

    /** Installs bundle/*.jar with their start levels and starts the framework up to its beginning start level. */
    private void start(Framework framework, Map<String, String> config, boolean interactive) throws Exception {
        framework.init();
        BundleContext ctx = framework.getBundleContext();
        int defaultLevel = Integer.parseInt(config.getOrDefault("kindling.startlevel.default", "2"));
        Set<String> interactiveOnly = new HashSet<>();
        for (String s : config.getOrDefault("kindling.interactive.bundles", "").split(",")) {
            if (!s.isBlank()) interactiveOnly.add(s.trim());
        }
        List<Path> jars = new ArrayList<>();
        Path dir = home.resolve("bundle");
        if (Files.isDirectory(dir)) {
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*.jar")) {
                ds.forEach(jars::add);
            }
        }
        if (jars.isEmpty()) throw new IllegalStateException("no bundles in " + dir);
        jars.sort(Comparator.naturalOrder());
        List<Bundle> toStart = new ArrayList<>();
        List<Bundle> consoles = new ArrayList<>();
        for (Path jar : jars) {
            Bundle b;
            try {
                b = ctx.installBundle(jar.toUri().toString());
            } catch (BundleException e) {
                err.println("kindling: cannot install " + jar.getFileName() + ": " + e.getMessage());
                continue;
            }
            String bsn = b.getSymbolicName();
            if (b.getHeaders().get(Constants.FRAGMENT_HOST) != null) continue;
            String level = config.get("kindling.startlevel." + bsn);
            b.adapt(BundleStartLevel.class).setStartLevel(level != null ? Integer.parseInt(level.trim()) : defaultLevel);
            if (interactiveOnly.contains(bsn)) consoles.add(b);
            else toStart.add(b);
        }
        for (Bundle b : toStart) {
            try {
                b.start(); // marks it for start; it starts when the framework reaches its start level
            } catch (BundleException e) {
                err.println("kindling: cannot start " + b.getSymbolicName() + ": " + e.getMessage());
            }
        }
        CountDownLatch started = new CountDownLatch(1);
        ctx.addFrameworkListener(e -> {
            if (e.getType() == FrameworkEvent.STARTED) started.countDown();
        });
        framework.start();
        if (!started.await(60, TimeUnit.SECONDS)) err.println("kindling: the framework is still starting after 60 s");
        if (interactive) startConsoles(framework, consoles);
    }

    /**
     * Starts the console (Gogo JLine) once everything else is up, so every command is registered before the first
     * prompt. JLine 3.24+ finds its terminal providers (exec, ffm, jni, ...) through the thread context class loader,
     * which inside OSGi must be the JLine bundle's own loader, or it falls back to a dumb terminal: the console is
     * started (and creates its shell thread) with that context class loader.
     */
    private void startConsoles(Framework framework, List<Bundle> consoles) {
        ClassLoader jlineLoader = null;
        for (Bundle b : framework.getBundleContext().getBundles()) {
            if (JLINE_LIBRARY_BSN.equals(b.getSymbolicName())) {
                framework.adapt(FrameworkWiring.class).resolveBundles(List.of(b));
                BundleWiring wiring = b.adapt(BundleWiring.class);
                if (wiring != null) jlineLoader = wiring.getClassLoader();
            }
        }
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        try {
            if (jlineLoader != null) thread.setContextClassLoader(jlineLoader);
            for (Bundle b : consoles) {
                try {
                    b.start();
                } catch (BundleException e) {
                    err.println("kindling: cannot start " + b.getSymbolicName() + ": " + e.getMessage());
                }
            }
        } finally {
            thread.setContextClassLoader(previous);
        }
    }

    private int runBatch(BundleContext ctx, LaunchOptions options, String scriptText) throws InterruptedException {
        awaitKindlingCommands(ctx);
        List<ScriptSplitter.Statement> statements = new ArrayList<>();
        String origin;
        if (options.mode() == LaunchOptions.Mode.SCRIPT) {
            origin = options.script();
            try {
                statements = ScriptSplitter.split(scriptText);
            } catch (IllegalArgumentException e) {
                err.println("kindling: " + origin + ": " + e.getMessage());
                return 2;
            }
        } else {
            origin = "-c";
            for (String c : options.commands()) statements.add(new ScriptSplitter.Statement(c, 0));
        }
        try (GogoSession session = GogoSession.open(ctx, in, out, err)) {
            if (session == null) {
                err.println("kindling: the Gogo runtime (org.apache.felix.gogo.runtime) is not running");
                return 3;
            }
            ScriptCommands.register(ctx, session.processor());
            session.put("SCOPE", "kindling:gogo:*");
            if (options.mode() == LaunchOptions.Mode.SCRIPT) {
                session.put("0", options.script());
                session.put("args", options.scriptArgs());
                for (int i = 0; i < options.scriptArgs().size(); i++) {
                    session.put(String.valueOf(i + 1), options.scriptArgs().get(i));
                }
            }
            for (ScriptSplitter.Statement st : statements) {
                Object result;
                try {
                    result = session.execute(st.text());
                } catch (Exception e) {
                    out.flush();
                    if (shuttingDown) return 130;
                    String where = st.line() > 0 ? origin + ":" + st.line() : origin;
                    err.println("kindling: " + where + ": " + st.text());
                    err.println("  " + e.getClass().getSimpleName() + ": " + e.getMessage());
                    if (Boolean.getBoolean("kindling.trace")) e.printStackTrace(err);
                    return 1;
                }
                if (result != null) out.println(session.format(result));
                out.flush();
            }
            return 0;
        } catch (Exception e) {
            err.println("kindling: " + e);
            return 3;
        }
    }

    /**
     * DS registers the shell's commands when SCR processes the bundle, which can be a moment after the framework
     * reports STARTED: wait (at most 10 s) so that the first command does not fail with "Command not found".
     */
    private static void awaitKindlingCommands(BundleContext ctx) throws InterruptedException {
        boolean shellActive = Stream.of(ctx.getBundles())
                .anyMatch(b -> SHELL_BSN.equals(b.getSymbolicName()) && b.getState() == Bundle.ACTIVE);
        if (!shellActive) return;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            try {
                if (ctx.getServiceReferences((String) null, KINDLING_COMMANDS) != null) return;
            } catch (org.osgi.framework.InvalidSyntaxException e) {
                throw new IllegalStateException(e);
            }
            Thread.sleep(20);
        }
    }

    /** Stops the framework and removes a temporary cache, once (from the main thread or the shutdown hook). */
    private void stopQuietly(Framework framework, Path tempCache) {
        if (!stopped.compareAndSet(false, true)) return;
        try {
            if ((framework.getState() & (Bundle.STARTING | Bundle.ACTIVE)) != 0) {
                framework.stop();
                framework.waitForStop(10_000);
            }
        } catch (Exception e) {
            // best effort on the way out
        }
        if (tempCache != null) deleteTree(tempCache);
    }

    static void deleteTree(Path root) {
        if (!Files.exists(root)) return;
        try (Stream<Path> walk = Files.walk(root)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    // leave it
                }
            });
        } catch (IOException | UncheckedIOException e) {
            // leave it
        }
    }
}
