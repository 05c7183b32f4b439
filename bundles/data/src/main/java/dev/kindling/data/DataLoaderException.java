package dev.kindling.data;

/**
 * A sample failed to load or a batch failed to collate: thrown in the thread that iterates the {@link DataLoader},
 * with the failure from the worker as its cause and the sample index in its message.
 */
public class DataLoaderException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int sampleIndex;
    private final int batchIndex;
    private final int worker;

    /**
     * @param sampleIndex the dataset index being loaded, or -1 when collating
     * @param batchIndex the batch's position in the epoch
     * @param worker the worker number, or -1 for the calling thread ({@code numWorkers(0)})
     */
    public DataLoaderException(String message, Throwable cause, int sampleIndex, int batchIndex, int worker) {
        super(message, cause);
        this.sampleIndex = sampleIndex;
        this.batchIndex = batchIndex;
        this.worker = worker;
    }

    /** The dataset index whose {@code get} failed, or -1 when the collate function failed. */
    public int sampleIndex() { return sampleIndex; }

    /** The batch's position in the epoch (0-based). */
    public int batchIndex() { return batchIndex; }

    /** The worker that failed (0-based), or -1 for the calling thread. */
    public int worker() { return worker; }
}
