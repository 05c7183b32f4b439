package dev.kindling.distributed;

/**
 * {@link DistributedDataParallel}'s settings, PyTorch's defaults: the default process group, 25 MB buckets after a
 * first bucket of 1 MB, no unused-parameter search, buffers broadcast from rank 0 at every forward.
 */
public final class DdpOptions {
    /** PyTorch's {@code dist._DEFAULT_FIRST_BUCKET_BYTES}. */
    public static final long DEFAULT_FIRST_BUCKET_BYTES = 1L << 20;

    private final ProcessGroup processGroup;
    private final long bucketCapBytes;
    private final long firstBucketBytes;
    private final boolean findUnusedParameters;
    private final boolean broadcastBuffers;
    private final boolean overlap;

    private DdpOptions(Builder b) {
        processGroup = b.processGroup;
        bucketCapBytes = b.bucketCapBytes;
        firstBucketBytes = b.firstBucketBytes;
        findUnusedParameters = b.findUnusedParameters;
        broadcastBuffers = b.broadcastBuffers;
        overlap = b.overlap;
    }

    public static Builder builder() { return new Builder(); }

    public static DdpOptions defaults() { return builder().build(); }

    /** The group, or null for {@link Dist#group()}. */
    public ProcessGroup processGroup() { return processGroup; }

    public long bucketCapBytes() { return bucketCapBytes; }

    public long firstBucketBytes() { return firstBucketBytes; }

    public boolean findUnusedParameters() { return findUnusedParameters; }

    public boolean broadcastBuffers() { return broadcastBuffers; }

    public boolean overlap() { return overlap; }

    public static final class Builder {
        private ProcessGroup processGroup;
        private long bucketCapBytes = 25L << 20;
        private long firstBucketBytes = DEFAULT_FIRST_BUCKET_BYTES;
        private boolean findUnusedParameters;
        private boolean broadcastBuffers = true;
        private boolean overlap = true;

        private Builder() {}

        public Builder processGroup(ProcessGroup pg) { this.processGroup = pg; return this; }

        /** {@code bucket_cap_mb}. */
        public Builder bucketCapMb(double mb) {
            if (!(mb > 0)) throw new IllegalArgumentException("bucketCapMb must be positive, got " + mb);
            this.bucketCapBytes = (long) (mb * (1 << 20));
            return this;
        }

        public Builder firstBucketBytes(long bytes) {
            if (bytes <= 0) throw new IllegalArgumentException("firstBucketBytes must be positive, got " + bytes);
            this.firstBucketBytes = bytes;
            return this;
        }

        /** {@code find_unused_parameters}: after each forward, mark parameters the output does not depend on as ready. */
        public Builder findUnusedParameters(boolean b) { this.findUnusedParameters = b; return this; }

        /** {@code broadcast_buffers}: rank 0's buffers (BatchNorm statistics) overwrite the others' at every forward. */
        public Builder broadcastBuffers(boolean b) { this.broadcastBuffers = b; return this; }

        /**
         * Whether a bucket is reduced as soon as its gradients are ready, overlapping the rest of backward (the
         * default, as PyTorch). Off, all buckets are reduced after the last gradient: for measuring what overlap gains.
         */
        public Builder overlap(boolean b) { this.overlap = b; return this; }

        public DdpOptions build() { return new DdpOptions(this); }
    }
}
