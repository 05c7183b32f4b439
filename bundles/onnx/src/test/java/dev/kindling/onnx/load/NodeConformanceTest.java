package dev.kindling.onnx.load;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import dev.kindling.api.DType;
import dev.kindling.api.Tensor;
import dev.kindling.onnx.Onnx;
import dev.kindling.onnx.OnnxModel;
import dev.kindling.onnx.internal.load.OpSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * ONNX's node conformance cases (Debian's {@code libonnx-testdata}: one-node models with serialised inputs and
 * expected outputs) run through the importer, compared as ONNX's own runner does: rtol 1e-3, atol 1e-7 (looser for
 * 16-bit floats), the same shape, and the output held in the dtype the ONNX type maps to. A case that fails must be in
 * {@code onnx-load/node-expected-failures.txt} with its reason; a listed case that passes fails too, so the list only
 * shrinks. Per-op counts go to {@code target/onnx-node-report.txt}. Skipped when the data is not installed.
 *
 * <p>{@code -Donnx.node.data=DIR} points at another copy of the data, {@code -Donnx.node.expected=NAME} at its list:
 * {@code node-expected-failures-onnx-1.23.txt} goes with the data regenerated from the onnx 1.23.1 wheel.
 */
class NodeConformanceTest {
    static final Path DATA = Path.of(System.getProperty("onnx.node.data", "/usr/share/libonnx-testdata/data/node"));
    private static final long CASE_TIMEOUT_S = 20;

    private static final Map<String, int[]> PER_OP = new TreeMap<>(); // op -> {passed, run}
    private static final Map<String, String> FAILURES = new TreeMap<>();
    private static ExecutorService exec = newExecutor();

    private static ExecutorService newExecutor() {
        return Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "onnx-node-case");
            t.setDaemon(true);
            return t;
        });
    }

    static Map<String, String> expectedFailures(String resource) throws IOException {
        Map<String, String> m = new TreeMap<>();
        try (InputStream in = NodeConformanceTest.class.getResourceAsStream("/onnx-load/" + resource)) {
            if (in == null) throw new IllegalStateException("onnx-load/" + resource + " is missing from the test resources");
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                String l = line.strip();
                if (l.isEmpty() || l.startsWith("#")) continue;
                int sp = l.indexOf(' ');
                m.put(sp < 0 ? l : l.substring(0, sp), sp < 0 ? "" : l.substring(sp + 1).strip());
            }
        }
        return m;
    }

    /** ONNX's one-node cases. */
    @TestFactory
    Stream<DynamicTest> nodeCases() throws IOException {
        Assumptions.assumeTrue(Files.isDirectory(DATA), "ONNX node test data not installed at " + DATA + " (apt-get install libonnx-testdata); skipping");
        return cases(List.of(DATA), System.getProperty("onnx.node.expected", "node-expected-failures.txt"), false);
    }

    /**
     * The module-level cases ONNX converted from PyTorch's tests (Conv1d/2d/3d, BatchNorm eval, pools, PReLU, ...:
     * opset 6-9 models, so they exercise the old-opset adapters), keyed {@code pytorch-converted/<case>}.
     */
    @TestFactory
    Stream<DynamicTest> pytorchCases() throws IOException {
        Path root = DATA.getParent();
        List<Path> dirs = List.of(root.resolve("pytorch-converted"), root.resolve("pytorch-operator"));
        Assumptions.assumeTrue(dirs.stream().allMatch(Files::isDirectory), "ONNX's pytorch-converted/-operator data not installed under " + root + "; skipping");
        return cases(dirs, "pytorch-expected-failures.txt", true);
    }

    private Stream<DynamicTest> cases(List<Path> roots, String listName, boolean prefixed) throws IOException {
        Map<String, String> expected = expectedFailures(listName);
        List<Path> cases = new ArrayList<>();
        for (Path root : roots) {
            try (Stream<Path> s = Files.list(root)) {
                cases.addAll(s.filter(p -> Files.isRegularFile(p.resolve("model.onnx"))).sorted().toList());
            }
        }
        Set<String> present = new LinkedHashSet<>();
        List<DynamicTest> tests = new ArrayList<>();
        for (Path dir : cases) {
            String name = prefixed ? dir.getParent().getFileName() + "/" + dir.getFileName() : dir.getFileName().toString();
            present.add(name);
            tests.add(DynamicTest.dynamicTest(name, () -> {
                String op = (prefixed ? dir.getParent().getFileName() + ": " : "") + opLabel(dir);
                String problem = runCase(dir);
                int[] counts = PER_OP.computeIfAbsent(op, k -> new int[2]);
                counts[1]++;
                if (problem == null) counts[0]++;
                else FAILURES.put(name, problem);
                boolean listed = expected.containsKey(name);
                if (problem != null && !listed) fail(name + " fails and is not in " + listName + ": " + problem);
                if (problem == null && listed) fail(name + " now passes: remove it from " + listName + " (listed as: " + expected.get(name) + ")");
            }));
        }
        tests.add(DynamicTest.dynamicTest(listName + " names only existing cases", () -> {
            List<String> stale = expected.keySet().stream().filter(k -> !present.contains(k)).toList();
            if (!stale.isEmpty()) fail(listName + " lists cases that are not in " + roots + ": " + stale);
        }));
        return tests.stream();
    }

    @AfterAll
    static void report() throws IOException {
        if (PER_OP.isEmpty()) return;
        int passed = 0, run = 0, ptPassed = 0, ptRun = 0;
        StringBuilder sb = new StringBuilder("# ONNX conformance (" + DATA.getParent() + ")\n# op: passed/run\n");
        for (var e : PER_OP.entrySet()) {
            if (e.getKey().startsWith("pytorch-")) {
                ptPassed += e.getValue()[0];
                ptRun += e.getValue()[1];
            } else {
                passed += e.getValue()[0];
                run += e.getValue()[1];
            }
            sb.append(e.getKey()).append(": ").append(e.getValue()[0]).append('/').append(e.getValue()[1]).append('\n');
        }
        sb.append("\n# failures\n");
        FAILURES.forEach((k, v) -> sb.append(k).append(' ').append(v.replace('\n', ' ')).append('\n'));
        String total = "TOTAL: " + passed + "/" + run + " node cases pass; " + ptPassed + "/" + ptRun + " pytorch-converted/-operator cases pass";
        sb.insert(0, total + "\n");
        Path out = Path.of("target", "onnx-node-report.txt");
        Files.createDirectories(out.getParent());
        Files.writeString(out, sb.toString());
        System.out.println("[onnx node conformance] " + total + " (" + PER_OP.size() + " op labels; report: " + out.toAbsolutePath() + ")");
    }

    /** The op a case tests: its node's type, or {@code <case> (expanded)} for a function body of several nodes. */
    private static String opLabel(Path dir) {
        try {
            ModelProto m = ModelProto.parseFrom(Files.readAllBytes(dir.resolve("model.onnx")));
            List<NodeProto> nodes = m.getGraph().getNodeList();
            if (nodes.size() == 1) return nodes.get(0).getOpType();
            return "multi-node: " + (nodes.isEmpty() ? "none" : nodes.get(nodes.size() - 1).getOpType() + " (expanded functions)");
        } catch (IOException e) {
            return "unparseable";
        }
    }

    /** Null when the case passes, else a short reason. */
    private static String runCase(Path dir) throws InterruptedException {
        Future<String> f = exec.submit(() -> CaseRunner.check(dir));
        try {
            return f.get(CASE_TIMEOUT_S, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            f.cancel(true);
            exec.shutdownNow(); // a case that hangs must not hold up the ones after it
            exec = newExecutor();
            return "timeout after " + CASE_TIMEOUT_S + " s";
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            return "error: " + c.getClass().getSimpleName() + ": " + c.getMessage();
        }
    }

}
