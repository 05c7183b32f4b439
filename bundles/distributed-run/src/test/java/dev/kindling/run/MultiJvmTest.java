package dev.kindling.run;

import dev.kindling.distributed.gloo.jni.GlooNative;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Several JVMs on 127.0.0.1, each a rank training {@link DdpMlpJob} over gloo: bitwise-equal ranks, reproducible
 * runs, a killed rank, a stopped rank, and restarts from a checkpoint.
 */
class MultiJvmTest {
    static final List<String> JVM_ARGS = List.of("-Xmx256m", "-XX:ActiveProcessorCount=1", "-Dkindling.cpu.threads=1",
            "-XX:+IgnoreUnrecognizedVMOptions", "--add-modules=jdk.incubator.vector", "-XX:TieredStopAtLevel=1");

    @TempDir
    Path dir;

    @BeforeAll
    static void glooIsAvailable() {
        if (GlooNative.unavailableReason() != null) System.out.println("[kindling-run] multi-JVM tests skipped: " + GlooNative.unavailableReason());
        assumeTrue(GlooNative.unavailableReason() == null, "multi-JVM gloo tests skipped: " + GlooNative.unavailableReason());
    }

    @AfterEach
    void noOrphans() throws InterruptedException {
        long end = System.currentTimeMillis() + 5000;
        while (ProcessHandle.current().descendants().findAny().isPresent() && System.currentTimeMillis() < end) Thread.sleep(50);
        assertEquals(0, ProcessHandle.current().descendants().count(), "orphan processes left");
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    static void assertPortFree(int port) {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(true);
            s.bind(new java.net.InetSocketAddress("127.0.0.1", port));
        } catch (IOException e) {
            throw new AssertionError("port " + port + " is still bound", e);
        }
    }

    record Run(int exitCode, String output) {}

    Run launch(int nproc, int maxRestarts, Path out, String... jobArgs) throws IOException {
        Files.createDirectories(out);
        int port = freePort();
        List<String> argv = new ArrayList<>(List.of("--nproc-per-node", "" + nproc, "--master-port", "" + port, "--max-restarts", "" + maxRestarts));
        for (String j : JVM_ARGS) argv.addAll(List.of("--jvm-arg", j));
        argv.add("--");
        argv.add(DdpMlpJob.class.getName());
        argv.addAll(List.of(jobArgs));
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        PrintStream ps = new PrintStream(buf, true, StandardCharsets.UTF_8);
        int code = KindlingRun.run(argv.toArray(String[]::new), ps, ps);
        String output = buf.toString(StandardCharsets.UTF_8);
        System.out.println(output);
        assertPortFree(port);
        return new Run(code, output);
    }

    static List<String> finals(String output) {
        List<String> out = new ArrayList<>();
        Matcher m = Pattern.compile("FINAL ([0-9a-f]{64})").matcher(output);
        while (m.find()) out.add(m.group(1));
        return out;
    }

    @Test
    void twoAndThreeRanksStayBitwiseEqualAndIdenticalRunsAgree() throws IOException {
        Run a = launch(2, 0, dir.resolve("a"), "50", dir.resolve("a").toString(), "none", "-1", "-1", "30", "10");
        Run b = launch(2, 0, dir.resolve("b"), "50", dir.resolve("b").toString(), "none", "-1", "-1", "30", "10");
        Run c = launch(3, 0, dir.resolve("c"), "50", dir.resolve("c").toString(), "none", "-1", "-1", "30", "10");
        for (Run r : List.of(a, b, c)) {
            assertEquals(0, r.exitCode(), r.output());
            assertTrue(r.output().contains("[rank0]: rendezvous took"), r.output());
        }
        assertEquals(2, finals(a.output()).size());
        assertEquals(1, finals(a.output()).stream().distinct().count(), "ranks differ: " + finals(a.output()));
        assertEquals(finals(a.output()), finals(b.output()), "two identical runs differ");
        assertEquals(3, finals(c.output()).size());
        assertEquals(1, finals(c.output()).stream().distinct().count(), "ranks differ: " + finals(c.output()));
        Matcher m = Pattern.compile("rendezvous took (\\d+) ms").matcher(a.output() + c.output());
        while (m.find()) assertTrue(Long.parseLong(m.group(1)) <= 5000, "rendezvous took " + m.group(1) + " ms");
    }

    @Test
    void withMaxRestartsAllRanksResumeFromTheCheckpointAndFinishAsAnUninterruptedRun() throws IOException {
        Run clean = launch(2, 0, dir.resolve("clean"), "50", dir.resolve("clean").toString(), "none", "-1", "-1", "30", "10");
        Run restarted = launch(2, 1, dir.resolve("r"), "50", dir.resolve("r").toString(), "kill", "1", "25", "30", "10");
        assertEquals(0, restarted.exitCode(), restarted.output());
        assertTrue(restarted.output().contains("rank 1 (local_rank 1) failed with exit code 137 (SIGKILL)"), restarted.output());
        assertTrue(restarted.output().contains("[rank0]: resumed from step 20") && restarted.output().contains("[rank1]: resumed from step 20"), restarted.output());
        assertEquals(finals(clean.output()), finals(restarted.output()));

        Run failed = launch(2, 0, dir.resolve("f"), "50", dir.resolve("f").toString(), "exit", "0", "5", "30", "10");
        assertEquals(1, failed.exitCode(), failed.output());
        assertTrue(failed.output().contains("rank 0 (local_rank 0) failed with exit code 1; stopped all ranks"), failed.output());
    }

    /** Starts the ranks without the launcher (which would kill the survivors at once), to watch how they fail. */
    List<Process> spawn(int world, Path out, String... jobArgs) throws IOException { return spawn(world, out, java.util.Map.of(), jobArgs); }

    List<Process> spawn(int world, Path out, java.util.Map<String, String> extraEnv, String... jobArgs) throws IOException {
        Files.createDirectories(out);
        int port = freePort();
        List<Process> procs = new ArrayList<>();
        for (int r = 0; r < world; r++) {
            List<String> cmd = new ArrayList<>(List.of(System.getProperty("java.home") + "/bin/java"));
            cmd.addAll(JVM_ARGS);
            cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), DdpMlpJob.class.getName()));
            cmd.addAll(List.of(jobArgs));
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.resolve("rank" + r + ".log").toFile());
            pb.environment().putAll(java.util.Map.of("RANK", "" + r, "WORLD_SIZE", "" + world, "MASTER_ADDR", "127.0.0.1", "MASTER_PORT", "" + port));
            pb.environment().putAll(extraEnv);
            procs.add(pb.start());
        }
        return procs;
    }

    static String waitAndRead(Process p, Path log) throws Exception {
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
            throw new AssertionError("a rank hung:\n" + Files.readString(log));
        }
        return Files.readString(log);
    }

    static long failedAt(String log) {
        Matcher m = Pattern.compile("FAILED lostRank=(-?\\d+) at=(\\d+)").matcher(log);
        assertTrue(m.find(), log);
        return Long.parseLong(m.group(2));
    }

    @Test
    void aKilledRankFailsTheOthersWithinTwoSecondsNamingIt() throws Exception {
        Path out = dir.resolve("kill");
        List<Process> p = spawn(3, out, "50", out.toString(), "kill", "1", "10", "60", "0");
        try {
            for (int r : new int[] {0, 2}) {
                String log = waitAndRead(p.get(r), out.resolve("rank" + r + ".log"));
                assertNotEquals(0, p.get(r).exitValue(), log);
                assertTrue(log.contains("FAILED lostRank=1 "), log);
                assertTrue(log.contains("lost rank 1"), log);
                long ms = failedAt(log) - Long.parseLong(Files.readString(out.resolve("fault-at.txt")).trim());
                System.out.println("rank " + r + " failed " + ms + " ms after rank 1 was killed");
                assertTrue(ms <= 2000, "rank " + r + " took " + ms + " ms to fail");
            }
        } finally {
            for (Process q : p) q.destroyForcibly().waitFor();
        }
    }

    @Test
    void withHazelcastRendezvousTwoJvmsMeetWithinFiveSecondsAndAKilledRankIsNamed() throws Exception {
        Path out = dir.resolve("hz");
        List<Process> p = spawn(2, out, java.util.Map.of("KINDLING_RENDEZVOUS", "hazelcast"), "50", out.toString(), "kill", "1", "20", "60", "0");
        try {
            String log = waitAndRead(p.get(0), out.resolve("rank0.log"));
            Matcher m = Pattern.compile("rendezvous took (\\d+) ms").matcher(log);
            assertTrue(m.find(), log);
            System.out.println("hazelcast rendezvous of 2 JVMs: " + m.group(1) + " ms");
            assertTrue(Long.parseLong(m.group(1)) <= 5000, log);
            assertTrue(log.contains("FAILED lostRank=1 "), log);
            long ms = failedAt(log) - Long.parseLong(Files.readString(out.resolve("fault-at.txt")).trim());
            System.out.println("rank 0 failed " + ms + " ms after rank 1 was killed (hazelcast rendezvous)");
            assertTrue(ms <= 2000, ms + " ms");
        } finally {
            for (Process q : p) q.destroyForcibly().waitFor();
        }
    }

    @Test
    void aStoppedRankMakesTheOthersTimeOutAtTheConfiguredTimeout() throws Exception {
        Path out = dir.resolve("stop");
        List<Process> p = spawn(2, out, "50", out.toString(), "stop", "1", "5", "3", "0");
        try {
            String log = waitAndRead(p.get(0), out.resolve("rank0.log"));
            assertTrue(log.contains(" timeout msg="), log);
            long ms = failedAt(log) - Long.parseLong(Files.readString(out.resolve("fault-at.txt")).trim());
            System.out.println("rank 0 timed out " + ms + " ms after rank 1 was stopped (timeout 3000 ms)");
            assertTrue(ms >= 2000 && ms <= 4000, "timed out after " + ms + " ms");
        } finally {
            for (Process q : p) q.destroyForcibly().waitFor();
        }
    }
}
