package dev.kindling.run;

import java.io.File;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What {@link KindlingRun} starts: kindling-run's command line, parsed (torchrun's option names where they exist), or
 * built with {@link #builder(String)} by a program that launches ranks itself (the shell's {@code kindling:train --nproc}).
 */
public final class RunOptions {
    static final String USAGE = """
            usage: kindling-run --nproc-per-node N [--nnodes M --node-rank K] [--master-addr A] [--master-port P]
                                [--max-restarts R] [--classpath CP] [--jvm-arg ARG]... -- <main class> [args...]
            Starts N ranks of a distributed job as child JVMs with RANK, LOCAL_RANK, WORLD_SIZE, LOCAL_WORLD_SIZE,
            GROUP_RANK, MASTER_ADDR, MASTER_PORT and KINDLING_RESTART_COUNT set (PyTorch's env:// contract); prefixes
            their output with [rankN]:; on the first rank that fails, kills all of them and starts them all again,
            up to R times (default 0). Defaults: --nnodes 1 --node-rank 0 --master-addr 127.0.0.1 --master-port 29500,
            --classpath the launcher's own class path.""";

    private final int nprocPerNode;
    private final int nnodes;
    private final int nodeRank;
    private final String masterAddr;
    private final int masterPort;
    private final int maxRestarts;
    private final String classpath;
    private final List<String> jvmArgs;
    private final String mainClass;
    private final List<String> args;
    private final Map<String, String> environment;

    private RunOptions(Builder b) {
        if (b.nprocPerNode < 1) throw new IllegalArgumentException("nprocPerNode must be positive, got " + b.nprocPerNode);
        if (b.nnodes < 1) throw new IllegalArgumentException("nnodes must be positive, got " + b.nnodes);
        if (b.nodeRank < 0 || b.nodeRank >= b.nnodes) throw new IllegalArgumentException("--node-rank " + b.nodeRank + " must be below --nnodes " + b.nnodes);
        if (b.masterPort < 0 || b.masterPort > 65535) throw new IllegalArgumentException("masterPort must be in [0, 65535], got " + b.masterPort);
        if (b.maxRestarts < 0) throw new IllegalArgumentException("maxRestarts must not be negative, got " + b.maxRestarts);
        this.nprocPerNode = b.nprocPerNode;
        this.nnodes = b.nnodes;
        this.nodeRank = b.nodeRank;
        this.masterAddr = b.masterAddr;
        this.masterPort = b.masterPort;
        this.maxRestarts = b.maxRestarts;
        this.classpath = b.classpath == null ? "" : b.classpath;
        this.jvmArgs = List.copyOf(b.jvmArgs);
        this.mainClass = b.mainClass;
        this.args = List.copyOf(b.args);
        this.environment = Map.copyOf(b.environment);
    }

    /** Options for ranks that run {@code mainClass}, on one node, with the defaults of the command line. */
    public static Builder builder(String mainClass) { return new Builder(mainClass); }

    public static final class Builder {
        private int nprocPerNode = 1;
        private int nnodes = 1;
        private int nodeRank;
        private String masterAddr = "127.0.0.1";
        private int masterPort = 29500;
        private int maxRestarts;
        private String classpath = System.getProperty("java.class.path");
        private final List<String> jvmArgs = new ArrayList<>();
        private final String mainClass;
        private final List<String> args = new ArrayList<>();
        private final Map<String, String> environment = new LinkedHashMap<>();

        private Builder(String mainClass) { this.mainClass = Objects.requireNonNull(mainClass, "mainClass"); }

        /** Ranks started on this node (torchrun's {@code --nproc-per-node}; default 1). */
        public Builder nprocPerNode(int n) { this.nprocPerNode = n; return this; }

        public Builder nnodes(int n) { this.nnodes = n; return this; }

        public Builder nodeRank(int k) { this.nodeRank = k; return this; }

        public Builder masterAddr(String addr) { this.masterAddr = Objects.requireNonNull(addr, "masterAddr"); return this; }

        /** Where rank 0 serves the rendezvous store (default 29500). */
        public Builder masterPort(int port) { this.masterPort = port; return this; }

        /** How often all ranks are started again after one failed (default 0). */
        public Builder maxRestarts(int r) { this.maxRestarts = r; return this; }

        /** The ranks' class path (default: this JVM's). */
        public Builder classpath(String cp) { this.classpath = cp; return this; }

        public Builder jvmArgs(List<String> a) { this.jvmArgs.addAll(a); return this; }

        public Builder jvmArg(String a) { this.jvmArgs.add(a); return this; }

        /** The arguments of the ranks' main class. */
        public Builder args(List<String> a) { this.args.addAll(a); return this; }

        /** Variables set for every rank in addition to the env:// contract (which they cannot override). */
        public Builder environment(Map<String, String> env) { this.environment.putAll(env); return this; }

        public RunOptions build() { return new RunOptions(this); }
    }

    static RunOptions parse(String[] argv) {
        int nproc = -1, nnodes = 1, nodeRank = 0, port = 29500, maxRestarts = 0;
        String addr = "127.0.0.1";
        String cp = System.getProperty("java.class.path");
        List<String> jvmArgs = new ArrayList<>();
        int i = 0;
        for (; i < argv.length; i++) {
            String a = argv[i];
            if (a.equals("--")) {
                i++;
                break;
            }
            String key = a, value = null;
            int eq = a.indexOf('=');
            if (a.startsWith("--") && eq > 0) {
                key = a.substring(0, eq);
                value = a.substring(eq + 1);
            }
            if (!key.startsWith("--")) break; // the main class, without "--" before it
            if (value == null) {
                if (i + 1 >= argv.length) throw new IllegalArgumentException("option " + key + " needs a value\n" + USAGE);
                value = argv[++i];
            }
            switch (key.replace('_', '-')) {
                case "--nproc-per-node" -> nproc = positive(key, value);
                case "--nnodes" -> nnodes = positive(key, value);
                case "--node-rank" -> nodeRank = nonNegative(key, value);
                case "--master-addr" -> addr = value;
                case "--master-port" -> port = nonNegative(key, value);
                case "--max-restarts" -> maxRestarts = nonNegative(key, value);
                case "--classpath", "--cp" -> cp = value;
                case "--jvm-arg" -> jvmArgs.add(value);
                default -> throw new IllegalArgumentException("unknown option " + key + "\n" + USAGE);
            }
        }
        if (nproc < 0) throw new IllegalArgumentException("--nproc-per-node is required\n" + USAGE);
        if (nodeRank >= nnodes) throw new IllegalArgumentException("--node-rank " + nodeRank + " must be below --nnodes " + nnodes);
        if (i >= argv.length) throw new IllegalArgumentException("no main class given\n" + USAGE);
        return builder(argv[i]).nprocPerNode(nproc).nnodes(nnodes).nodeRank(nodeRank).masterAddr(addr).masterPort(port)
                .maxRestarts(maxRestarts).classpath(cp).jvmArgs(jvmArgs).args(List.of(argv).subList(i + 1, argv.length)).build();
    }

    private static int positive(String key, String v) {
        int n = nonNegative(key, v);
        if (n == 0) throw new IllegalArgumentException(key + " must be positive, got 0");
        return n;
    }

    private static int nonNegative(String key, String v) {
        try {
            int n = Integer.parseInt(v);
            if (n < 0) throw new NumberFormatException();
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + " needs a non-negative integer, got '" + v + "'");
        }
    }

    public int nprocPerNode() { return nprocPerNode; }

    public int nnodes() { return nnodes; }

    public int nodeRank() { return nodeRank; }

    public String masterAddr() { return masterAddr; }

    public int masterPort() { return masterPort; }

    public int maxRestarts() { return maxRestarts; }

    public String classpath() { return classpath; }

    public List<String> jvmArgs() { return jvmArgs; }

    public String mainClass() { return mainClass; }

    public List<String> args() { return args; }

    public Map<String, String> environment() { return environment; }

    public int worldSize() { return nnodes * nprocPerNode; }

    /** The global rank of this node's {@code localRank}. */
    public int rank(int localRank) { return nodeRank * nprocPerNode + localRank; }

    String javaExecutable() { return System.getProperty("java.home") + File.separator + "bin" + File.separator + "java"; }
}
