package dev.kindling.run;

import java.io.File;
import java.util.ArrayList;
import java.util.List;

/** kindling-run's command line, parsed (torchrun's option names where they exist). */
record RunOptions(int nprocPerNode, int nnodes, int nodeRank, String masterAddr, int masterPort, int maxRestarts,
                  String classpath, List<String> jvmArgs, String mainClass, List<String> args) {

    static final String USAGE = """
            usage: kindling-run --nproc-per-node N [--nnodes M --node-rank K] [--master-addr A] [--master-port P]
                                [--max-restarts R] [--classpath CP] [--jvm-arg ARG]... -- <main class> [args...]
            Starts N ranks of a distributed job as child JVMs with RANK, LOCAL_RANK, WORLD_SIZE, LOCAL_WORLD_SIZE,
            GROUP_RANK, MASTER_ADDR, MASTER_PORT and KINDLING_RESTART_COUNT set (PyTorch's env:// contract); prefixes
            their output with [rankN]:; on the first rank that fails, kills all of them and starts them all again,
            up to R times (default 0). Defaults: --nnodes 1 --node-rank 0 --master-addr 127.0.0.1 --master-port 29500,
            --classpath the launcher's own class path.""";

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
        String main = argv[i];
        List<String> args = List.of(argv).subList(i + 1, argv.length);
        return new RunOptions(nproc, nnodes, nodeRank, addr, port, maxRestarts, cp == null ? "" : cp, List.copyOf(jvmArgs), main, List.copyOf(args));
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

    int worldSize() { return nnodes * nprocPerNode; }

    String javaExecutable() { return System.getProperty("java.home") + File.separator + "bin" + File.separator + "java"; }
}
