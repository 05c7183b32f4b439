package dev.kindling.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * The kernel's packages form layers, each importing only those below it: {@code spi} (what backends implement) and
 * {@code tensor} (strided storage) know nothing of ops, dispatch or the kernel's registries. Read from the sources, so
 * fully qualified references count as much as imports.
 */
class PackageLayersTest {
    private static final Path SOURCES = Path.of("src/main/java");
    private static final String ROOT = "dev.kindling.kernel";
    /** Bottom to top; a package may depend on packages listed before it. */
    private static final List<String> LAYERS = List.of(ROOT + ".spi", ROOT + ".tensor", ROOT + ".ops", ROOT, ROOT + ".internal");
    private static final Pattern REFERENCE = Pattern.compile("\\b(dev\\.kindling\\.kernel(?:\\.[a-z]+)*)\\.[A-Z*]");

    @Test
    void everyKernelPackageImportsOnlyTheLayersBelowIt() throws IOException {
        Map<String, Set<String>> deps = dependencies();
        List<String> violations = new ArrayList<>();
        deps.forEach((from, tos) -> {
            int level = LAYERS.indexOf(from);
            assertTrue(level >= 0, "package " + from + " has no layer: add it to PackageLayersTest.LAYERS");
            for (String to : tos) {
                int target = LAYERS.indexOf(to);
                if (target >= level) violations.add(from + " -> " + to);
            }
        });
        assertEquals(List.of(), violations, "kernel packages that reach up or sideways (layers, bottom first: " + LAYERS + ")");
    }

    @Test
    void thereIsNoPackageCycle() throws IOException {
        Map<String, Set<String>> deps = dependencies();
        for (String start : deps.keySet()) {
            List<String> cycle = cycleFrom(start, start, deps, new ArrayList<>(List.of(start)), new TreeSet<>());
            assertEquals(null, cycle, "package cycle in the kernel: " + cycle);
        }
    }

    private static List<String> cycleFrom(String start, String at, Map<String, Set<String>> deps, List<String> path, Set<String> seen) {
        for (String next : deps.getOrDefault(at, Set.of())) {
            if (next.equals(start)) {
                List<String> cycle = new ArrayList<>(path);
                cycle.add(start);
                return cycle;
            }
            if (seen.add(next)) {
                path.add(next);
                List<String> found = cycleFrom(start, next, deps, path, seen);
                if (found != null) return found;
                path.remove(path.size() - 1);
            }
        }
        return null;
    }

    /** Package -> the other kernel packages its sources reference. */
    private static Map<String, Set<String>> dependencies() throws IOException {
        Map<String, Set<String>> deps = new TreeMap<>();
        try (Stream<Path> files = Files.walk(SOURCES)) {
            for (Path f : (Iterable<Path>) files.filter(p -> p.toString().endsWith(".java"))::iterator) {
                String pkg = SOURCES.relativize(f.getParent()).toString().replace('/', '.').replace('\\', '.');
                Set<String> tos = deps.computeIfAbsent(pkg, k -> new TreeSet<>());
                Matcher m = REFERENCE.matcher(Files.readString(f));
                while (m.find()) {
                    if (!m.group(1).equals(pkg)) tos.add(m.group(1));
                }
            }
        }
        assertTrue(deps.size() >= LAYERS.size(), "found no kernel sources under " + SOURCES.toAbsolutePath());
        return deps;
    }
}
