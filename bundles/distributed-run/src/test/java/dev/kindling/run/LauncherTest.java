package dev.kindling.run;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The launcher as a program uses it: rank events, lines to the ranks' input, restarts, and stop() (JDK-only ranks: seconds). */
class LauncherTest {
    static final List<String> FAST = List.of("-Xmx64m", "-XX:TieredStopAtLevel=1", "-Xshare:auto");

    static final class Events implements RankListener {
        final List<String> all = new CopyOnWriteArrayList<>();
        final List<ProcessHandle> processes = new CopyOnWriteArrayList<>();

        @Override
        public void started(int rank, int localRank, int attempt, ProcessHandle process) {
            all.add("started " + rank + " attempt " + attempt);
            processes.add(process);
        }

        @Override
        public void output(int rank, boolean error, String line) { all.add((error ? "err " : "out ") + rank + ": " + line); }

        @Override
        public void exited(int rank, int localRank, int attempt, int exitCode) { all.add("exited " + rank + " attempt " + attempt + " code " + exitCode); }

        @Override
        public void failed(int rank, int localRank, int exitCode, int restart) { all.add("failed " + rank + " code " + exitCode + " restart " + restart); }

        long count(String prefix) { return all.stream().filter(s -> s.startsWith(prefix)).count(); }
    }

    static void await(BooleanSupplier c, String what) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!c.getAsBoolean()) {
            if (System.nanoTime() > end) throw new AssertionError("timed out waiting for " + what);
            Thread.sleep(10);
        }
    }

    @Test
    void ranksGetLinesRestartAfterAFailureAndStopKillsThemAllWithoutARestart() throws Exception {
        Events ev = new Events();
        KindlingRun launcher = KindlingRun.launcher(RunOptions.builder(EchoRank.class.getName()).nprocPerNode(2).maxRestarts(3)
                .masterPort(12345).jvmArgs(FAST).build(), ev);
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Future<Integer> run = pool.submit(() -> launcher.run());
            await(() -> ev.count("out 0: ready 0 of 2 restart 0") + ev.count("out 1: ready 1 of 2 restart 0") == 2, "both ranks");
            assertEquals(2, launcher.processes().size());
            assertEquals(2, launcher.send("hello"));
            await(() -> ev.all.contains("out 0: rank 0 got hello") && ev.all.contains("out 1: rank 1 got hello"), "the line on both ranks");

            launcher.send("exit 3"); // both exit 3: the first seen fails the attempt, and all start again
            await(() -> ev.count("out 0: ready 0 of 2 restart 1") + ev.count("out 1: ready 1 of 2 restart 1") == 2, "the restart");
            assertEquals(1, ev.count("failed "), ev.all.toString());
            assertTrue(ev.all.stream().anyMatch(s -> s.matches("failed [01] code 3 restart 1")), ev.all.toString());

            List<ProcessHandle> ranks = launcher.processes();
            long t0 = System.nanoTime();
            launcher.stop();
            assertEquals(137, run.get(10, TimeUnit.SECONDS), "a stopped run ends with the status of its killed ranks");
            assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(5));
            for (ProcessHandle p : ranks) assertFalse(p.isAlive(), "rank process " + p.pid() + " is still alive");
            assertEquals(4, ev.count("started "), "no restart after stop(): " + ev.all);
            assertEquals(4, ev.count("exited "), ev.all.toString());
            assertEquals(1, ev.count("failed "), "a stop is no failure: " + ev.all);
            assertEquals(0, launcher.send("anyone?"));
        } finally {
            launcher.stop();
            pool.shutdownNow();
        }
    }

    @Test
    void aRunWhoseRanksAllSucceedReturnsZero() {
        Events ev = new Events();
        int code = KindlingRun.launcher(RunOptions.builder(EchoRank.class.getName()).nprocPerNode(2).jvmArgs(FAST)
                .args(List.of("quit")).build(), ev).run();
        assertEquals(0, code, ev.all.toString());
        assertEquals(2, ev.count("exited "), ev.all.toString());
        assertEquals(0, ev.count("failed "), ev.all.toString());
    }
}
