package dev.kindling.run;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RunOptionsTest {
    @Test
    void parsesTorchrunsOptionsAndTheCommand() {
        RunOptions o = RunOptions.parse(new String[] {"--nproc-per-node", "4", "--nnodes=2", "--node_rank", "1", "--master-addr", "10.0.0.1",
                "--master-port", "1234", "--max-restarts", "3", "--classpath", "a.jar", "--jvm-arg", "-Xmx1g", "--", "com.x.Main", "--epochs", "5"});
        assertEquals(4, o.nprocPerNode());
        assertEquals(8, o.worldSize());
        assertEquals(1, o.nodeRank());
        assertEquals("10.0.0.1", o.masterAddr());
        assertEquals(1234, o.masterPort());
        assertEquals(3, o.maxRestarts());
        assertEquals("a.jar", o.classpath());
        assertEquals(List.of("-Xmx1g"), o.jvmArgs());
        assertEquals("com.x.Main", o.mainClass());
        assertEquals(List.of("--epochs", "5"), o.args());
    }

    @Test
    void badCommandLinesSayWhatIsWrong() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> RunOptions.parse(new String[] {"--", "Main"})).getMessage()
                .contains("--nproc-per-node is required"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> RunOptions.parse(new String[] {"--nproc-per-node", "x", "--", "M"})).getMessage()
                .contains("needs a non-negative integer, got 'x'"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> RunOptions.parse(new String[] {"--nproc-per-node", "2", "--nnodes", "2",
                "--node-rank", "2", "--", "M"})).getMessage().contains("--node-rank 2 must be below --nnodes 2"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> RunOptions.parse(new String[] {"--nproc-per-node", "2"})).getMessage()
                .contains("no main class"));
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertEquals(2, KindlingRun.run(new String[] {"--bogus", "1", "--", "M"}, new PrintStream(new ByteArrayOutputStream()), new PrintStream(err)));
        assertTrue(err.toString().contains("unknown option --bogus"), err.toString());
    }

    @Test
    void exitCodesOfSignalsAreNamed() {
        assertEquals("exit code 137 (SIGKILL)", KindlingRun.describe(137));
        assertEquals("exit code 1", KindlingRun.describe(1));
    }
}
