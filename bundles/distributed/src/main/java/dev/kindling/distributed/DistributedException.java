package dev.kindling.distributed;

import java.util.OptionalInt;

/**
 * A collective or a rendezvous failed: a peer was lost, ranks disagree (world size, rank, tensor shapes or dtypes),
 * or the group was destroyed. After it a process group is unusable, as in PyTorch: destroy it and start again (the
 * launcher restarts all ranks).
 */
public class DistributedException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int lostRank;

    public DistributedException(String message) { this(message, -1, null); }

    public DistributedException(String message, Throwable cause) { this(message, -1, cause); }

    public DistributedException(String message, int lostRank, Throwable cause) {
        super(message, cause);
        this.lostRank = lostRank;
    }

    /** The rank whose loss caused this failure, when known. */
    public OptionalInt lostRank() { return lostRank < 0 ? OptionalInt.empty() : OptionalInt.of(lostRank); }
}
