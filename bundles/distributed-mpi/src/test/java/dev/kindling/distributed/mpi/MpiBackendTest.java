package dev.kindling.distributed.mpi;

import dev.kindling.distributed.mpi.jni.MpiNative;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Two JVM ranks under {@code mpirun} on this machine (the mpi backend takes its ranks from it). */
class MpiBackendTest {
    @BeforeAll
    static void mpiIsAvailable() {
        String reason = MpiNative.unavailableReason();
        if (reason == null && !onPath("mpirun")) reason = "mpirun is not installed (apt-get install openmpi-bin)";
        if (reason != null) System.out.println("[mpi] tests skipped: " + reason);
        assumeTrue(reason == null, "mpi tests skipped: " + reason);
    }

    static boolean onPath(String exe) {
        for (String d : System.getenv().getOrDefault("PATH", "").split(":")) if (new java.io.File(d, exe).canExecute()) return true;
        return false;
    }

    @Test
    void collectivesAndDdpOverTwoMpiRanks() throws IOException, InterruptedException {
        // The rank command goes through a script: mpirun is handed one short path, whatever the class path holds.
        java.nio.file.Path script = java.nio.file.Files.createTempFile("kindling-mpi-rank", ".sh");
        java.nio.file.Files.writeString(script, "#!/bin/sh\nexec '" + System.getProperty("java.home") + "/bin/java' -Xmx256m "
                + "-XX:+IgnoreUnrecognizedVMOptions --add-modules=jdk.incubator.vector -Dkindling.cpu.threads=1 -cp '"
                + System.getProperty("java.class.path") + "' " + MpiJob.class.getName() + "\n");
        script.toFile().setExecutable(true);
        script.toFile().deleteOnExit();
        List<String> cmd = new ArrayList<>(List.of("mpirun", "-np", "2", "--oversubscribe", "--mca", "btl", "self,tcp",
                "--mca", "btl_tcp_if_include", "lo", script.toString()));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("OMPI_ALLOW_RUN_AS_ROOT", "1");
        pb.environment().put("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), out);
        System.out.println(out);
        assertEquals(0, p.exitValue(), out);
        for (int r = 0; r < 2; r++) {
            assertTrue(out.contains("COLLECTIVES rank=" + r + " sum=[3.0, 3.0, 3.0] bcast=[1.0, 1.0] gather=[0.0, 10.0]"), out);
        }
        Matcher m = Pattern.compile("PARAMS rank=(\\d) (\\S+)").matcher(out);
        List<String> params = new ArrayList<>();
        while (m.find()) params.add(m.group(2));
        assertEquals(2, params.size(), out);
        assertEquals(params.get(0), params.get(1), "ranks differ after 20 DDP steps");
    }
}
