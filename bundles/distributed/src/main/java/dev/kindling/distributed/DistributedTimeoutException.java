package dev.kindling.distributed;

/** A collective or a store operation did not complete within the group's (or store's) timeout. */
public class DistributedTimeoutException extends DistributedException {
    private static final long serialVersionUID = 1L;

    public DistributedTimeoutException(String message) { super(message); }

    public DistributedTimeoutException(String message, int lostRank, Throwable cause) { super(message, lostRank, cause); }
}
