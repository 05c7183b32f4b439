package dev.kindling.distributed;

import java.time.Duration;
import java.util.Map;

/**
 * How to start a process group ({@code init_process_group}'s arguments). Rank and world size default to the
 * {@code RANK} and {@code WORLD_SIZE} environment variables; the init method to {@code env://}, which reads
 * {@code MASTER_ADDR} and {@code MASTER_PORT} and meets at a {@link TcpStore} served by rank 0. Other init methods:
 * {@code tcp://host:port}, {@code file:///shared/dir} ({@link FileStore}), or an explicit {@link #store}.
 */
public final class InitOptions {
    /** Shorter than PyTorch's 30 minutes: a CPU job whose peer hangs should fail while someone still watches. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(5);

    private final String backend;
    private final String initMethod;
    private final Store store;
    private final int rank;
    private final int worldSize;
    private final Duration timeout;
    private final String groupName;
    private final boolean checkCollectives;
    private final Map<String, String> environment;

    private InitOptions(Builder b) {
        backend = b.backend;
        initMethod = b.initMethod;
        store = b.store;
        rank = b.rank;
        worldSize = b.worldSize;
        timeout = b.timeout;
        groupName = b.groupName;
        checkCollectives = b.checkCollectives;
        environment = b.environment;
    }

    public static Builder builder() { return new Builder(); }

    public String backend() { return backend; }

    public String initMethod() { return initMethod; }

    /** The explicit store, or null. */
    public Store store() { return store; }

    /** The rank, or -1 for {@code RANK}. */
    public int rank() { return rank; }

    /** The world size, or -1 for {@code WORLD_SIZE}. */
    public int worldSize() { return worldSize; }

    public Duration timeout() { return timeout; }

    public String groupName() { return groupName; }

    public boolean checkCollectives() { return checkCollectives; }

    /** Where {@code RANK}, {@code MASTER_ADDR} and the others are read. */
    public Map<String, String> environment() { return environment; }

    public static final class Builder {
        private String backend = "gloo";
        private String initMethod;
        private Store store;
        private int rank = -1;
        private int worldSize = -1;
        private Duration timeout = DEFAULT_TIMEOUT;
        private String groupName = "default_pg";
        private boolean checkCollectives = true;
        private Map<String, String> environment = System.getenv();

        private Builder() {}

        /** {@code gloo} (the default, as PyTorch's CPU default), {@code local}, or another installed backend. */
        public Builder backend(String backend) { this.backend = backend; return this; }

        public Builder initMethod(String initMethod) { this.initMethod = initMethod; return this; }

        /** Meet through this store (then no init method is used). */
        public Builder store(Store store) { this.store = store; return this; }

        public Builder rank(int rank) { this.rank = rank; return this; }

        public Builder worldSize(int worldSize) { this.worldSize = worldSize; return this; }

        /** How long a collective or the rendezvous may wait for a peer. */
        public Builder timeout(Duration timeout) {
            if (timeout.isNegative() || timeout.isZero()) throw new IllegalArgumentException("timeout must be positive, got " + timeout);
            this.timeout = timeout;
            return this;
        }

        /** Groups sharing one store must have different names. */
        public Builder groupName(String groupName) { this.groupName = groupName; return this; }

        /**
         * Whether each collective first checks that all ranks issued the same collective with the same shape and
         * dtype (one small all-gather; on by default). Without the check a mismatch is undefined, as in PyTorch.
         */
        public Builder checkCollectives(boolean check) { this.checkCollectives = check; return this; }

        public Builder environment(Map<String, String> environment) { this.environment = Map.copyOf(environment); return this; }

        public InitOptions build() { return new InitOptions(this); }
    }
}
