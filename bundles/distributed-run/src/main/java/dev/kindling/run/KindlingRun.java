package dev.kindling.run;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code kindling-run}, torchrun's semantics for JVM jobs: starts {@code --nproc-per-node} ranks of this node as child
 * JVMs, with the environment PyTorch's {@code env://} rendezvous reads, and watches them. When one rank exits with a
 * failure, all ranks of the node are killed (with their child processes) and, while restarts are left, all are
 * started again with {@code KINDLING_RESTART_COUNT} (and torchrun's {@code TORCHELASTIC_RESTART_COUNT}) raised, so
 * that the job resumes from its last checkpoint. Exits 0 when all ranks succeeded, else with the failed rank's
 * exit status.
 */
public final class KindlingRun {
    private static final long POLL_MILLIS = 20;

    private final RunOptions options;
    private final PrintStream out;
    private final PrintStream err;
    private final List<Process> running = new ArrayList<>();

    KindlingRun(RunOptions options, PrintStream out, PrintStream err) {
        this.options = options;
        this.out = out;
        this.err = err;
    }

    public static void main(String[] argv) {
        System.exit(run(argv, System.out, System.err));
    }

    /** Runs the job; returns the launcher's exit status. */
    public static int run(String[] argv, PrintStream out, PrintStream err) {
        if (argv.length == 0 || argv[0].equals("--help") || argv[0].equals("-h")) {
            (argv.length == 0 ? err : out).println(RunOptions.USAGE);
            return argv.length == 0 ? 2 : 0;
        }
        RunOptions options;
        try {
            options = RunOptions.parse(argv);
        } catch (IllegalArgumentException e) {
            err.println("kindling-run: " + e.getMessage());
            return 2;
        }
        KindlingRun launcher = new KindlingRun(options, out, err);
        Thread killer = new Thread(launcher::killAll, "kindling-run-shutdown");
        Runtime.getRuntime().addShutdownHook(killer);
        try {
            return launcher.runWithRestarts();
        } finally {
            launcher.killAll();
            try {
                Runtime.getRuntime().removeShutdownHook(killer);
            } catch (IllegalStateException ignored) {
                // shutting down already
            }
        }
    }

    private int runWithRestarts() {
        for (int attempt = 0; ; attempt++) {
            Failure f = runOnce(attempt);
            if (f == null) return 0;
            err.println("kindling-run: rank " + f.rank + " (local_rank " + f.localRank + ") failed with " + describe(f.exitCode)
                    + "; stopped all ranks" + (attempt < options.maxRestarts() ? "; restarting them (" + (attempt + 1) + " of " + options.maxRestarts() + ")" : ""));
            if (attempt >= options.maxRestarts()) return f.exitCode == 0 ? 1 : Math.min(f.exitCode, 255);
        }
    }

    static String describe(int exitCode) {
        if (exitCode > 128 && exitCode < 160) {
            int sig = exitCode - 128;
            String name = switch (sig) {
                case 9 -> "SIGKILL";
                case 15 -> "SIGTERM";
                case 6 -> "SIGABRT";
                case 11 -> "SIGSEGV";
                case 2 -> "SIGINT";
                default -> "signal " + sig;
            };
            return "exit code " + exitCode + " (" + name + ")";
        }
        return "exit code " + exitCode;
    }

    private record Failure(int rank, int localRank, int exitCode) {}

    /** One attempt: start every local rank, wait until all succeed or one fails. */
    private Failure runOnce(int attempt) {
        int n = options.nprocPerNode();
        List<Process> procs = new ArrayList<>();
        List<Thread> pumps = new ArrayList<>();
        try {
            for (int local = 0; local < n; local++) {
                int rank = options.nodeRank() * n + local;
                Process p = start(rank, local, attempt);
                procs.add(p);
                synchronized (running) {
                    running.add(p);
                }
                pumps.add(pump(p.getInputStream(), out, "[rank" + rank + "]: "));
                pumps.add(pump(p.getErrorStream(), err, "[rank" + rank + "]: "));
            }
        } catch (IOException e) {
            err.println("kindling-run: cannot start a rank: " + e.getMessage());
            killAll();
            return new Failure(procs.size() + options.nodeRank() * n, procs.size(), 1);
        }
        Failure failure = null;
        boolean[] done = new boolean[n];
        int finished = 0;
        while (failure == null && finished < n) {
            for (int local = 0; local < n && failure == null; local++) {
                if (done[local]) continue;
                Process p = procs.get(local);
                if (!p.isAlive()) {
                    done[local] = true;
                    finished++;
                    int code = p.exitValue();
                    if (code != 0) failure = new Failure(options.nodeRank() * n + local, local, code);
                }
            }
            if (failure == null && finished < n) sleep(POLL_MILLIS);
        }
        killAll();
        for (Thread t : pumps) {
            try {
                t.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return failure;
    }

    private Process start(int rank, int localRank, int attempt) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(options.javaExecutable());
        cmd.addAll(options.jvmArgs());
        cmd.add("-cp");
        cmd.add(options.classpath());
        cmd.add(options.mainClass());
        cmd.addAll(options.args());
        ProcessBuilder pb = new ProcessBuilder(cmd);
        Map<String, String> env = pb.environment();
        env.put("RANK", Integer.toString(rank));
        env.put("LOCAL_RANK", Integer.toString(localRank));
        env.put("GROUP_RANK", Integer.toString(options.nodeRank()));
        env.put("WORLD_SIZE", Integer.toString(options.worldSize()));
        env.put("LOCAL_WORLD_SIZE", Integer.toString(options.nprocPerNode()));
        env.put("MASTER_ADDR", options.masterAddr());
        env.put("MASTER_PORT", Integer.toString(options.masterPort()));
        env.put("KINDLING_RESTART_COUNT", Integer.toString(attempt));
        env.put("TORCHELASTIC_RESTART_COUNT", Integer.toString(attempt));
        env.put("TORCHELASTIC_MAX_RESTARTS", Integer.toString(options.maxRestarts()));
        return pb.start();
    }

    private static Thread pump(InputStream in, PrintStream to, String prefix) {
        Thread t = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    synchronized (to) {
                        to.println(prefix + line);
                    }
                }
            } catch (IOException ignored) {
                // the rank is gone
            }
        }, "kindling-run-output");
        t.setDaemon(true);
        t.start();
        return t;
    }

    /** Kills every running rank and its descendants, and waits until they are gone. */
    void killAll() {
        List<Process> procs;
        synchronized (running) {
            procs = new ArrayList<>(running);
            running.clear();
        }
        for (Process p : procs) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
        for (Process p : procs) {
            try {
                p.waitFor();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
