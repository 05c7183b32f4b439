package dev.kindling.distributed.internal;

import dev.kindling.distributed.DistributedException;
import dev.kindling.distributed.Work;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** A {@link Work} completed by the group's worker thread. */
final class WorkHandle implements Work {
    private final CompletableFuture<Void> future = new CompletableFuture<>();
    private volatile DistributedException failure;

    void succeed() { future.complete(null); }

    void fail(DistributedException e) {
        failure = e;
        future.completeExceptionally(e);
    }

    @Override public boolean isCompleted() { return future.isDone(); }

    @Override public boolean isSuccess() { return future.isDone() && failure == null; }

    @Override
    public void await() {
        try {
            future.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DistributedException("interrupted while waiting for a collective", e);
        } catch (ExecutionException e) {
            throw rethrown();
        }
    }

    @Override
    public boolean await(Duration timeout) {
        try {
            future.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DistributedException("interrupted while waiting for a collective", e);
        } catch (ExecutionException e) {
            throw rethrown();
        }
    }

    /** The worker's exception; the same object is thrown to every waiter, as PyTorch's Work rethrows. */
    private DistributedException rethrown() { return failure; }

    @Override public Optional<DistributedException> exception() { return Optional.ofNullable(failure); }

    @Override public CompletableFuture<Void> future() { return future; }
}
