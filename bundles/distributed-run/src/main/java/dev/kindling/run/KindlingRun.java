package dev.kindling.run;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * {@code kindling-run}, torchrun's semantics for JVM jobs: starts {@code --nproc-per-node} ranks of this node as child
 * JVMs, with the environment PyTorch's {@code env://} rendezvous reads, and watches them. When one rank exits with a
 * failure, all ranks of the node are killed (with their child processes) and, while restarts are left, all are
 * started again with {@code KINDLING_RESTART_COUNT} (and torchrun's {@code TORCHELASTIC_RESTART_COUNT}) raised, so
 * that the job resumes from its last checkpoint. Exits 0 when all ranks succeeded, else with the failed rank's
 * exit status.
 *
 * <p>Programs that launch ranks themselves (the shell's {@code kindling:train --nproc}) use the same logic through
 * {@link #launcher}: {@link #run()} blocks while the ranks run and reports them to a {@link RankListener};
 * {@link #send} writes a line to every rank's standard input; {@link #stop()} kills them all at once.
 */
public final class KindlingRun {
    private static final long POLL_MILLIS = 20;

    private final RunOptions options;
    private final RankListener listener;
    /** The processes of the attempt running now, by local rank (null entries once killed or not yet started). */
    private final List<Process> running = new ArrayList<>();
    private volatile boolean stopped;

    private KindlingRun(RunOptions options, RankListener listener) {
        this.options = options;
        this.listener = listener;
    }

    /** A launcher of {@code options}' ranks that reports them to {@code listener}; nothing starts before {@link #run()}. */
    public static KindlingRun launcher(RunOptions options, RankListener listener) {
        return new KindlingRun(Objects.requireNonNull(options, "options"), Objects.requireNonNull(listener, "listener"));
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
        KindlingRun launcher = new KindlingRun(options, new PrefixingListener(out, err, options.maxRestarts()));
        Thread killer = new Thread(launcher::stop, "kindling-run-shutdown");
        Runtime.getRuntime().addShutdownHook(killer);
        try {
            return launcher.run();
        } finally {
            launcher.stop();
            try {
                Runtime.getRuntime().removeShutdownHook(killer);
            } catch (IllegalStateException ignored) {
                // shutting down already
            }
        }
    }

    /** The command line's listener: each line with a {@code [rankN]: } prefix, and a line on every failure. */
    private record PrefixingListener(PrintStream out, PrintStream err, int maxRestarts) implements RankListener {
        @Override
        public void output(int rank, boolean error, String line) {
            PrintStream to = error ? err : out;
            synchronized (to) {
                to.println("[rank" + rank + "]: " + line);
            }
        }

        @Override
        public void failed(int rank, int localRank, int exitCode, int restart) {
            err.println("kindling-run: rank " + rank + " (local_rank " + localRank + ") failed with " + describe(exitCode)
                    + "; stopped all ranks" + (restart > 0 ? "; restarting them (" + restart + " of " + maxRestarts + ")" : ""));
        }
    }

    /**
     * Starts the ranks and watches them, restarting all of them after a failure while {@code maxRestarts} allows;
     * returns 0 when every rank exited with 0, else the failed rank's exit status (at most 255). After {@link #stop()}
     * it returns at once, without restarting, with the status as it stands (that of a killed rank: 137).
     */
    public int run() {
        for (int attempt = 0; ; attempt++) {
            Failure f = runOnce(attempt);
            if (f == null) return 0;
            int status = f.exitCode == 0 ? 1 : Math.min(f.exitCode, 255);
            if (stopped) return status;
            boolean restart = attempt < options.maxRestarts();
            listener.failed(f.rank, f.localRank, f.exitCode, restart ? attempt + 1 : 0);
            if (!restart) return status;
        }
    }

    /** "exit code 137 (SIGKILL)": an exit status, with the signal's name when a signal ended the process. */
    public static String describe(int exitCode) {
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
        boolean[] reported = new boolean[n];
        Failure failure = null;
        try {
            for (int local = 0; local < n && !stopped; local++) {
                int rank = options.rank(local);
                Process p = start(rank, local, attempt);
                procs.add(p);
                synchronized (running) {
                    running.add(p);
                }
                if (stopped) killAll(); // stop() may have run before this rank was listed
                pumps.add(pump(p.getInputStream(), rank, false));
                pumps.add(pump(p.getErrorStream(), rank, true));
                listener.started(rank, local, attempt, p.toHandle());
            }
        } catch (IOException e) {
            listener.output(options.rank(procs.size()), true, "kindling-run: cannot start a rank: " + e.getMessage());
            failure = new Failure(options.rank(procs.size()), procs.size(), 1);
        }
        int finished = 0;
        while (failure == null && !stopped && finished < n) {
            for (int local = 0; local < n && failure == null; local++) {
                if (reported[local]) continue;
                Process p = procs.get(local);
                if (!p.isAlive()) {
                    reported[local] = true;
                    finished++;
                    int code = p.exitValue();
                    listener.exited(options.rank(local), local, attempt, code);
                    if (code != 0) failure = new Failure(options.rank(local), local, code);
                }
            }
            if (failure == null && !stopped && finished < n) sleep(POLL_MILLIS);
        }
        killAll();
        for (Thread t : pumps) {
            try {
                t.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        for (int local = 0; local < procs.size(); local++) {
            if (reported[local]) continue;
            int code = exitValue(procs.get(local));
            listener.exited(options.rank(local), local, attempt, code);
            if (failure == null && code != 0) failure = new Failure(options.rank(local), local, code);
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
        env.putAll(options.environment());
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

    private Thread pump(InputStream in, int rank, boolean error) {
        Thread t = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) listener.output(rank, error, line);
            } catch (IOException ignored) {
                // the rank is gone
            }
        }, "kindling-run-output-rank" + rank);
        t.setDaemon(true);
        t.start();
        return t;
    }

    /**
     * Writes {@code line} to the standard input of every rank running now; returns how many got it (a rank that has
     * ended, or has closed its input, does not).
     */
    public int send(String line) {
        byte[] bytes = (line + "\n").getBytes(StandardCharsets.UTF_8);
        int sent = 0;
        synchronized (running) {
            for (Process p : running) {
                if (!p.isAlive()) continue;
                try {
                    OutputStream o = p.getOutputStream();
                    o.write(bytes);
                    o.flush();
                    sent++;
                } catch (IOException e) {
                    // it is ending
                }
            }
        }
        return sent;
    }

    /** The processes of the ranks running now (empty between attempts and after the run). */
    public List<ProcessHandle> processes() {
        synchronized (running) {
            return running.stream().map(Process::toHandle).toList();
        }
    }

    /**
     * Kills every rank now, with its descendants, waits until they are gone, and makes {@link #run()} return without
     * restarting them. Safe to call from any thread, more than once, and before or after the run.
     */
    public void stop() {
        stopped = true;
        killAll();
    }

    /** Whether {@link #stop()} was called. */
    public boolean stopped() { return stopped; }

    /** Kills every running rank and its descendants, and waits until they are gone. */
    private void killAll() {
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

    /** The exit status of a process killed and waited for (137, SIGKILL, should an interrupt have cut the wait short). */
    private static int exitValue(Process p) {
        try {
            return p.exitValue();
        } catch (IllegalThreadStateException e) {
            return 137;
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
