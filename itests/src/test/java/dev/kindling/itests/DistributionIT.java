package dev.kindling.itests;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Runs the real launcher script, distribution/target/kindling/bin/kindling, as a subprocess with JAVA_HOME set to
 * the JDK running the tests (so a failsafe run on JDK 25 checks the script on JDK 25).
 */
class DistributionIT {
    static Path home;

    record Result(int status, String out, String err) {
        String all() { return "status " + status + "\n--- stdout\n" + out + "\n--- stderr\n" + err; }
    }

    @BeforeAll
    static void findDistribution() {
        home = Paths.get(System.getProperty("kindling.distribution", "../distribution/target/kindling"))
                .toAbsolutePath().normalize();
        assertTrue(Files.isExecutable(home.resolve("bin/kindling")),
                home + "/bin/kindling is missing or not executable: build the distribution module first (mvn verify)");
    }

    static Result run(Path script, Path workDir, String stdin, String... args) throws IOException, InterruptedException {
        return run(java.util.Map.of(), script, workDir, stdin, args);
    }

    static Result run(java.util.Map<String, String> env, Path script, Path workDir, String stdin, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(script.toString());
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(workDir.toFile());
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        pb.environment().remove("KINDLING_OPTS");
        pb.environment().remove("KINDLING_CACHE");
        pb.environment().remove("KINDLING_AOT");
        pb.environment().putAll(env);
        Path out = Files.createTempFile("kindling-out", ".txt");
        Path err = Files.createTempFile("kindling-err", ".txt");
        try {
            pb.redirectOutput(out.toFile()).redirectError(err.toFile());
            Process p = pb.start();
            try (var in = p.getOutputStream()) {
                if (stdin != null) in.write(stdin.getBytes(StandardCharsets.UTF_8));
            }
            if (!p.waitFor(90, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("bin/kindling " + String.join(" ", args) + " did not finish in 90 s:\n"
                        + Files.readString(out) + Files.readString(err));
            }
            return new Result(p.exitValue(), Files.readString(out), Files.readString(err));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    static Result run(String... args) throws IOException, InterruptedException {
        return run(home.resolve("bin/kindling"), home, null, args);
    }

    @Test
    void aheadOfTimeCacheIsWrittenOnceAndThenUsedWhereTheJdkHasIt(@TempDir Path dir) throws Exception {
        Path cache = dir.resolve("kindling.aot");
        java.util.Map<String, String> env = java.util.Map.of("KINDLING_AOT", cache.toString());
        Result first = run(env, home.resolve("bin/kindling"), home, null, "-c", "kindling:backends");
        assertEquals(0, first.status(), first.all());
        assertTrue(first.out().contains("cpu-java"), first.all());
        // JDK 25 writes the cache as the first run exits (JEP 514); older JDKs ignore the option and write nothing
        boolean jdkHasIt = Runtime.version().feature() >= 25;
        assertEquals(jdkHasIt, Files.isRegularFile(cache), "cache file after the first run on JDK " + Runtime.version() + ":\n" + first.all());
        Result second = run(env, home.resolve("bin/kindling"), home, null, "-c", "kindling:backends");
        assertEquals(0, second.status(), second.all());
        assertTrue(second.out().contains("cpu-java"), second.all());
    }

    @Test
    void backendsCommandListsTheCpuBackend(@TempDir Path elsewhere) throws Exception {
        // from another directory, through a symbolic link: the script finds its installation by itself
        Path link = Files.createSymbolicLink(elsewhere.resolve("kindling"), home.resolve("bin/kindling"));
        Result r = run(link, elsewhere, null, "-c", "kindling:backends");
        assertEquals(0, r.status(), r.all());
        assertTrue(r.out().contains("cpu-java"), r.all());
        assertTrue(r.out().matches("(?s).*\\*\\s+cpu-java\\s+cpu\\s.*available.*"), r.all());
        // The CUDA backend ships too: listed with its status (unavailable with the reason where there is no GPU).
        assertTrue(r.out().matches("(?s).*cuda-jcuda\\s+cuda\\s.*(available|unavailable: .*CUDA).*"), r.all());
        assertFalse(r.err().contains("Exception"), r.all());
        try (var files = Files.list(elsewhere)) {
            assertEquals(1, files.count(), "no felix-cache or other files in the working directory");
        }
    }

    @Test
    void unknownCommandExitsNonZero() throws Exception {
        Result r = run("-c", "kindling:nosuchcommand");
        assertNotEquals(0, r.status(), r.all());
        assertTrue(r.err().contains("nosuchcommand"), r.all());
    }

    @Test
    void severalCommandsAndUnquotedWords() throws Exception {
        Result r = run("-c", "kindling:prefer", "cpu", "cpu-java", "-c", "kindling:calc", "[[1., 2], [3, 4]] @ eye(2)",
                "-c", "kindling:info");
        assertEquals(0, r.status(), r.all());
        assertTrue(r.out().contains("Preferring 'cpu-java' for 'cpu'"), r.all());
        assertTrue(r.out().contains("Vector API:     present"), r.all());
        assertTrue(r.out().contains("Java:           " + System.getProperty("java.version")), r.all());
    }

    @Test
    void scriptStopsAtTheFirstFailure(@TempDir Path dir) throws Exception {
        Path script = dir.resolve("test.gosh");
        Files.writeString(script, "# a Kindling script\n"
                + "kindling:calc \"40 + 2\"\n"
                + "kindling:nosuchcommand\n"
                + "kindling:calc \"1000 + 337\"\n");
        Result r = run(home.resolve("bin/kindling"), dir, null, script.toString());
        assertEquals(1, r.status(), r.all());
        assertTrue(r.out().contains("42"), r.all());
        assertFalse(r.out().contains("1337"), r.all());
        assertTrue(r.err().contains("test.gosh:3"), r.all());

        Files.writeString(script, "kindling:backends\nkindling:calc 'ones(2,3).add(1).sum().item()'\n");
        r = run(home.resolve("bin/kindling"), dir, null, "test.gosh");
        assertEquals(0, r.status(), r.all());
        assertTrue(r.out().contains("cpu-java") && r.out().contains("12.0"), r.all());
    }

    private static double number(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        assertTrue(m.find(), "no match for " + regex + " in:\n" + text);
        return Double.parseDouble(m.group(1));
    }

    /** The README's main job in small: train in the foreground, then evaluate the saved checkpoint; exit codes say how it went. */
    @Test
    void trainsDigitsInTheForegroundAndEvaluatesTheCheckpoint(@TempDir Path dir) throws Exception {
        Path kindling = home.resolve("bin/kindling");
        Result r = run(kindling, dir, null, "-c", "kindling:train digits mlp --epochs 8 --lr 0.01 --out run --wait");
        assertEquals(0, r.status(), r.all());
        assertTrue(r.out().contains("epoch 1/8") && r.out().contains("epoch 8/8"), r.all());
        assertTrue(number(r.out(), "job 1 completed in .*: test accuracy ([0-9.]+)") >= 0.9, r.all());
        assertTrue(Files.isRegularFile(dir.resolve("run/model.safetensors")), r.all());
        assertEquals("epoch-0008", Files.readString(dir.resolve("run/checkpoints/latest")).trim());

        Result e = run(kindling, dir, null, "-c", "kindling:eval run/checkpoints digits");
        assertEquals(0, e.status(), e.all());
        assertTrue(number(e.out(), "accuracy: ([0-9.]+)") >= 0.9, e.all());
        assertTrue(e.out().contains("checkpoint after epoch 8") && e.out().contains("true\\pred"), e.all());

        Result missing = run(kindling, dir, null, "-c", "kindling:eval run/nothing digits");
        assertEquals(1, missing.status(), missing.all());
        assertTrue(missing.err().contains("cannot load a model from run/nothing"), missing.all());

        Result failed = run(kindling, dir, null, "-c", "kindling:train digits mlp --loss mse --epochs 1 --out failed --wait");
        assertEquals(1, failed.status(), failed.all());
        assertTrue(failed.err().contains("job 1 failed: "), failed.all());
    }

    /**
     * {@code kindling:train --nproc 2}: two rank JVMs on the class path of the installed bundles, over gloo, ending with
     * equal parameters; where gloo's natives were not built, the command says so and starts nothing.
     */
    @Test
    void trainsAsTwoRankJvmsWithNproc(@TempDir Path dir) throws Exception {
        boolean gloo;
        try (var jar = new java.util.jar.JarFile(home.resolve("bundle/kindling-distributed-gloo-natives-" + version() + ".jar").toFile())) {
            gloo = jar.getEntry("lib/libkindling_gloo.so") != null;
        }
        Result r = run(home.resolve("bin/kindling"), dir, null, "-c", "kindling:train iris mlp --epochs 2 --nproc 2 --out ranks --wait", "-c", "kindling:jobs");
        if (!gloo) {
            assertEquals(1, r.status(), r.all());
            assertTrue(r.err().contains("--nproc 2 cannot start ranks here: the gloo backend is unavailable here"), r.all());
            return;
        }
        assertEquals(0, r.status(), r.all());
        assertTrue(r.out().contains("data-parallel: 2 ranks, each a JVM of its own") && r.out().contains("epoch 2/2"), r.all());
        assertTrue(r.out().contains("all 2 ranks ended with the same parameters"), r.all());
        assertTrue(r.out().contains("job 1: 2 rank JVMs over gloo"), r.all());
        assertTrue(Files.isRegularFile(dir.resolve("ranks/logs/rank-1.log")) && Files.isRegularFile(dir.resolve("ranks/model.safetensors")), r.all());
    }

    /** The project version the bundle file names carry, from the train bundle's name. */
    static String version() throws IOException {
        try (var s = Files.list(home.resolve("bundle"))) {
            String train = s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("kindling-train-")).findFirst().orElseThrow();
            return train.substring("kindling-train-".length(), train.length() - ".jar".length());
        }
    }

    @Test
    void interactiveShellReadsStandardInput() throws Exception {
        Result r = run(home.resolve("bin/kindling"), home, "kindling:backends\nhelp kindling:prefer\n");
        assertEquals(0, r.status(), r.all());
        assertTrue(r.out().contains("cpu-java"), r.all());
        assertTrue(r.out().contains("prefer - choose which backend serves a device type"), r.all());
    }
}
