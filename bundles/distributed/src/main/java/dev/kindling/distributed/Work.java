package dev.kindling.distributed;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The handle of an asynchronous collective ({@code torch.distributed.Work}, what {@code async_op=True} returns). The
 * tensors of a collective must not be touched until it completes.
 */
@ProviderType
public interface Work {
    boolean isCompleted();

    /** Completed without an error. */
    boolean isSuccess();

    /** Waits for completion; rethrows the collective's {@link DistributedException}. */
    void await();

    /**
     * Waits up to {@code timeout}; false if it is still running then. Rethrows the collective's
     * {@link DistributedException}.
     */
    boolean await(Duration timeout);

    /** The failure, once completed with one. */
    Optional<DistributedException> exception();

    /** Completes when the collective does. */
    CompletableFuture<Void> future();
}
