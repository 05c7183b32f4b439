package dev.kindling.train.internal;

import dev.kindling.distributed.spi.ProcessGroupBackend;
import dev.kindling.run.RunOptions;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.ServiceLoader;

/**
 * How the shell starts the ranks of a {@code kindling:train --nproc N} job: N JVMs on this machine, each running
 * {@link RankMain} on a plain class path, started and watched by kindling-run's launcher with PyTorch's
 * {@code env://} contract (rank 0 serves the rendezvous on a free port of 127.0.0.1). Inside OSGi the class path is
 * the installed bundles' jars; on a plain class path (tests, embedding), this JVM's.
 *
 * <p>Framework (or system) properties: {@value #CLASSPATH_PROPERTY} replaces the ranks' class path;
 * {@value #JVM_ARGS_PROPERTY} adds JVM options (separated by blanks), e.g. {@code -Xmx2g}. Each rank gets
 * {@code -XX:ActiveProcessorCount} and {@code kindling.cpu.threads} of its share of the cores, so that N ranks do not
 * oversubscribe them.
 */
final class RankLaunch {
    static final String CLASSPATH_PROPERTY = "kindling.train.rankClasspath";
    static final String JVM_ARGS_PROPERTY = "kindling.train.rankJvmArgs";

    /** The framework's bundle context, or null outside OSGi. */
    private final BundleContext context;

    RankLaunch(BundleContext context) { this.context = context; }

    private String property(String key) {
        return context != null ? context.getProperty(key) : System.getProperty(key);
    }

    /**
     * Why a job with ranks over {@code backend} cannot start here (a bundle is missing, the backend's natives are not
     * installed), or null when it can.
     */
    String problem(String backend) {
        ClassLoader cl = RankLaunch.class.getClassLoader();
        try {
            Class.forName("dev.kindling.run.KindlingRun", false, cl);
        } catch (ClassNotFoundException | LinkageError e) {
            return "the kindling-run bundle (the launcher of the ranks) is not installed";
        }
        try {
            Class.forName("dev.kindling.distributed.spi.ProcessGroupBackend", false, cl);
        } catch (ClassNotFoundException | LinkageError e) {
            return "the kindling-distributed bundle is not installed";
        }
        return BackendLookup.problem(context, backend);
    }

    /** Looks backends up; a class of its own, loaded only once the distributed bundle is known to be there. */
    private static final class BackendLookup {
        static String problem(BundleContext context, String name) {
            List<ProcessGroupBackend> found = new ArrayList<>();
            List<ServiceReference<ProcessGroupBackend>> refs = new ArrayList<>();
            try {
                if (context != null) {
                    refs.addAll(context.getServiceReferences(ProcessGroupBackend.class, null));
                    for (ServiceReference<ProcessGroupBackend> r : refs) {
                        ProcessGroupBackend b = context.getService(r);
                        if (b != null) found.add(b);
                    }
                } else {
                    ServiceLoader.load(ProcessGroupBackend.class, ProcessGroupBackend.class.getClassLoader()).forEach(found::add);
                }
                List<String> names = new ArrayList<>();
                for (ProcessGroupBackend b : found) {
                    names.add(b.name());
                    if (!b.name().equalsIgnoreCase(name)) continue;
                    String why = b.unavailableReason();
                    return why == null ? null : "the " + name + " backend is unavailable here: " + why;
                }
                return "no '" + name + "' process-group backend is installed" + (name.equalsIgnoreCase("gloo")
                        ? " (bundles kindling-distributed-gloo and kindling-distributed-gloo-natives)" : "")
                        + (names.isEmpty() ? "" : "; installed: " + String.join(", ", names));
            } catch (InvalidSyntaxException e) {
                throw new IllegalStateException(e);
            } finally {
                for (ServiceReference<ProcessGroupBackend> r : refs) context.ungetService(r);
            }
        }
    }

    /** The launcher options of {@code config}'s ranks, training into {@code out}, from {@code resumeFrom} (or afresh). */
    RunOptions options(RunConfig config, Path out, Path resumeFrom) {
        List<String> args = new ArrayList<>(List.of(out.toAbsolutePath().toString()));
        if (resumeFrom != null) args.add(resumeFrom.toAbsolutePath().toString());
        return RunOptions.builder(RankMain.class.getName()).nprocPerNode(config.nproc).maxRestarts(config.maxRestarts)
                .masterAddr("127.0.0.1").masterPort(freePort()).classpath(classpath()).jvmArgs(jvmArgs(config.nproc)).args(args).build();
    }

    static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free port for the ranks' rendezvous: " + e.getMessage(), e);
        }
    }

    List<String> jvmArgs(int nproc) {
        List<String> a = new ArrayList<>();
        a.add("-XX:+IgnoreUnrecognizedVMOptions");
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent()) a.add("--add-modules=jdk.incubator.vector");
        a.add("--enable-native-access=ALL-UNNAMED");
        int cores = Math.max(1, Runtime.getRuntime().availableProcessors() / Math.max(1, nproc));
        a.add("-XX:ActiveProcessorCount=" + cores);
        a.add("-Dkindling.cpu.threads=" + cores);
        String extra = property(JVM_ARGS_PROPERTY);
        if (extra != null) for (String x : extra.trim().split("\\s+")) if (!x.isEmpty()) a.add(x);
        return a;
    }

    /** The ranks' class path: the property, else the installed bundles' jars (OSGi), else this JVM's class path. */
    String classpath() {
        String p = property(CLASSPATH_PROPERTY);
        if (p != null && !p.isBlank()) return p.trim();
        if (context == null) return System.getProperty("java.class.path");
        List<String> entries = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        for (Bundle b : context.getBundles()) {
            if (b.getBundleId() == 0 || (b.getState() & (Bundle.INSTALLED | Bundle.UNINSTALLED)) != 0) continue;
            Path f = bundleFile(b.getLocation(), property("karaf.home"));
            if (f != null) entries.add(f.toString());
            else if (String.valueOf(b.getSymbolicName()).toLowerCase(Locale.ROOT).contains("kindling")) missing.add(b.getSymbolicName() + " (" + b.getLocation() + ")");
        }
        if (!missing.isEmpty()) {
            throw new IllegalArgumentException("the ranks run on a plain class path of the installed bundles' jars, but these were not installed from "
                    + "local files: " + String.join(", ", missing) + "; set the framework property " + CLASSPATH_PROPERTY + " to the ranks' class path");
        }
        return String.join(File.pathSeparator, entries);
    }

    /**
     * The jar (or directory) a bundle was installed from: {@code file:} and {@code reference:file:} locations, and
     * {@code mvn:group/artifact/version} ones in Karaf's system repository or the local Maven repository; else null.
     */
    static Path bundleFile(String location, String karafHome) {
        if (location == null) return null;
        String l = location.startsWith("reference:") ? location.substring("reference:".length()) : location;
        try {
            if (l.startsWith("file:")) {
                Path p = Path.of(URI.create(l));
                return Files.exists(p) ? p : null;
            }
            if (l.startsWith("mvn:")) {
                String[] c = l.substring(4).split("/");
                if (c.length < 3 || c[0].contains(":")) return null; // a repository URL in front: not looked up
                String type = c.length > 3 && !c[3].isEmpty() ? c[3] : "jar";
                String file = c[1] + "-" + c[2] + (c.length > 4 && !c[4].isEmpty() ? "-" + c[4] : "") + "." + type;
                Path rel = Path.of(c[0].replace('.', '/'), c[1], c[2], file);
                List<Path> roots = new ArrayList<>();
                if (karafHome != null) roots.add(Path.of(karafHome, "system"));
                roots.add(Path.of(System.getProperty("user.home"), ".m2", "repository"));
                for (Path root : roots) if (Files.isRegularFile(root.resolve(rel))) return root.resolve(rel);
            }
        } catch (RuntimeException e) {
            return null;
        }
        return null;
    }
}
