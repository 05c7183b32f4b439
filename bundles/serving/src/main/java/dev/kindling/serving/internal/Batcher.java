package dev.kindling.serving.internal;

import dev.kindling.api.Tensor;
import dev.kindling.api.Torch;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Dynamic batching for one model version. Requests whose inputs agree in names, dtypes and every dimension but the first
 * are stacked along dim 0, up to {@code maxBatchSize} rows, run as one forward pass (under no-grad), and the outputs are
 * split back by row offsets. Like Triton, and unlike TorchServe's 100 ms default, there is no added delay by default: a
 * worker takes what is queued the moment it is free. With {@code maxQueueDelayNanos} it waits for more rows, but never
 * longer than that past the <em>oldest</em> queued request's arrival (TorchServe counts from when the worker polls,
 * pytorch/serve#2478). The queue is bounded: a full one refuses at once (429). A request whose timeout passes while queued
 * is answered 504 and never run; one the client gave up on (it disconnected) is taken out of the queue and never run.
 */
final class Batcher {
    /** Runs a model on named inputs (with the batch along dim 0) and returns named outputs. */
    interface Runner {
        Map<String, Tensor> run(Map<String, Tensor> inputs);
    }

    /** Called once per batch, on the worker thread, and for each request dropped unrun, for the metrics. */
    interface Observer {
        void batch(int rows, long[] queueNanos, long computeNanos);

        /** A queued request was dropped before it ran because its client went away. */
        default void abandoned() {}
    }

    static final class Job {
        final Map<String, Tensor> inputs;
        final long rows;
        final String key;
        final long enqueued = System.nanoTime();
        final long deadline;
        final CompletableFuture<Map<String, Tensor>> result = new CompletableFuture<>();

        Job(Map<String, Tensor> inputs, long timeoutNanos) {
            this.inputs = inputs;
            long r = -1;
            StringBuilder k = new StringBuilder();
            for (Map.Entry<String, Tensor> e : inputs.entrySet()) {
                long[] s = e.getValue().shape();
                long first = s.length == 0 ? -2 : s[0];
                if (r == -1) r = first;
                else if (r != first) r = -2;
                k.append(e.getKey()).append(':').append(e.getValue().dtype()).append(Arrays.toString(s.length == 0 ? s : Arrays.copyOfRange(s, 1, s.length))).append(';');
            }
            // 0-dim inputs, or inputs that disagree on dim 0, cannot be stacked: such a request runs alone.
            this.rows = r;
            this.key = r < 0 ? null : k.toString();
            this.deadline = timeoutNanos > 0 ? enqueued + timeoutNanos : Long.MAX_VALUE;
        }
    }

    private final String label;
    private final int maxBatchSize;
    private final long maxQueueDelayNanos;
    private final int maxQueueSize;
    private final Observer observer;
    private final ArrayDeque<Job> queue = new ArrayDeque<>();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final List<Thread> workers = new ArrayList<>();
    private boolean closing;
    /** Answers 504 when a request's timeout passes, queued or running; shut down with the last worker. */
    private final ScheduledThreadPoolExecutor timers;
    private final AtomicInteger running;

    /** One worker thread per runner (a model instance); they share the queue. */
    Batcher(String label, List<Runner> runners, int maxBatchSize, long maxQueueDelayNanos, int maxQueueSize, Observer observer) {
        this.label = label;
        this.maxBatchSize = maxBatchSize;
        this.maxQueueDelayNanos = maxQueueDelayNanos;
        this.maxQueueSize = maxQueueSize;
        this.observer = observer;
        this.timers = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "kindling-serve-" + label + "-timeouts");
            t.setDaemon(true);
            return t;
        });
        timers.setRemoveOnCancelPolicy(true);
        this.running = new AtomicInteger(runners.size());
        for (int i = 0; i < runners.size(); i++) {
            Runner r = runners.get(i);
            Thread t = new Thread(() -> work(r), "kindling-serve-" + label + "-" + i);
            t.setDaemon(true);
            workers.add(t);
        }
        workers.forEach(Thread::start);
    }

    /** Queues the inputs; the future completes with the outputs, or with a {@link ServingException}. */
    Job submit(Map<String, Tensor> inputs, long timeoutNanos) {
        Job job = new Job(inputs, timeoutNanos);
        lock.lock();
        try {
            if (closing) throw new ServingException(503, "model " + label + " is being unloaded", 1);
            if (queue.size() >= maxQueueSize) {
                throw new ServingException(429, "model " + label + " has " + queue.size() + " requests queued, its limit (max_queue_size); retry later", 1);
            }
            queue.addLast(job);
            changed.signal();
        } finally {
            lock.unlock();
        }
        if (job.deadline != Long.MAX_VALUE) {
            try {
                ScheduledFuture<?> timer = timers.schedule(() -> expire(job, timeoutNanos), timeoutNanos, TimeUnit.NANOSECONDS);
                job.result.whenComplete((r, e) -> timer.cancel(false));
            } catch (RejectedExecutionException e) {
                // the workers have already answered it and stopped (the version was unloaded meanwhile)
            }
        }
        return job;
    }

    /** The request's timeout passed before its answer: 504, and it leaves the queue if it is still there. */
    private void expire(Job job, long timeoutNanos) {
        remove(job);
        job.result.completeExceptionally(new ServingException(504, "model " + label + " did not answer within the request's timeout of "
                + TimeUnit.NANOSECONDS.toMillis(timeoutNanos) + " ms"));
    }

    /**
     * The request's client went away: if it is still queued it leaves the queue unrun (true), and its future fails with
     * 499 (nginx's "client closed request"; no one reads it). One already running finishes with its batch (false).
     */
    boolean abandon(Job job) {
        boolean dropped = remove(job);
        if (dropped) {
            observer.abandoned();
            job.result.completeExceptionally(new ServingException(499, "the client closed the connection before model " + label + " ran the request"));
        }
        return dropped;
    }

    private boolean remove(Job job) {
        lock.lock();
        try {
            return queue.remove(job);
        } finally {
            lock.unlock();
        }
    }

    int pending() {
        lock.lock();
        try {
            return queue.size();
        } finally {
            lock.unlock();
        }
    }

    /** Lets the workers finish what is queued, then stop. */
    void close() {
        lock.lock();
        try {
            closing = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Waits for the workers to stop (after {@link #close}). */
    boolean awaitStopped(long millis) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        for (Thread t : workers) {
            long left = TimeUnit.NANOSECONDS.toMillis(end - System.nanoTime());
            if (left <= 0) return false;
            t.join(left);
            if (t.isAlive()) return false;
        }
        return true;
    }

    private void work(Runner runner) {
        try {
            while (true) {
                List<Job> batch = next();
                if (batch == null) return;
                if (!batch.isEmpty()) run(runner, batch);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            if (running.decrementAndGet() == 0) timers.shutdownNow();
        }
    }

    /** The next batch; null once closed and drained; empty when everything looked at had expired. */
    private List<Job> next() throws InterruptedException {
        lock.lock();
        try {
            while (queue.isEmpty()) {
                if (closing) return null;
                changed.await();
            }
            if (maxQueueDelayNanos > 0 && maxBatchSize > 0) {
                long until = queue.peekFirst().enqueued + maxQueueDelayNanos;
                long left;
                while (!closing && !queue.isEmpty() && rowsReady() < maxBatchSize && (left = until - System.nanoTime()) > 0) {
                    changed.awaitNanos(left);
                }
            }
            return take();
        } finally {
            lock.unlock();
        }
    }

    /** Rows queued that could join a batch with the oldest request. */
    private long rowsReady() {
        Job first = queue.peekFirst();
        if (first.key == null) return maxBatchSize;
        long rows = 0;
        for (Job j : queue) if (first.key.equals(j.key)) rows += j.rows;
        return rows;
    }

    private List<Job> take() {
        long now = System.nanoTime();
        List<Job> batch = new ArrayList<>();
        long rows = 0;
        String key = null;
        for (Iterator<Job> it = queue.iterator(); it.hasNext(); ) {
            Job j = it.next();
            if (j.result.isDone()) {
                it.remove();
                continue;
            }
            if (now > j.deadline) {
                it.remove();
                j.result.completeExceptionally(new ServingException(504, "the request's timeout passed while it waited in the queue of model " + label));
                continue;
            }
            if (batch.isEmpty()) {
                it.remove();
                batch.add(j);
                rows = j.rows;
                key = j.key;
                if (key == null || maxBatchSize <= 1 || rows >= maxBatchSize) break;
            } else if (key.equals(j.key) && rows + j.rows <= maxBatchSize) {
                it.remove();
                batch.add(j);
                rows += j.rows;
                if (rows == maxBatchSize) break;
            }
        }
        return batch;
    }

    /**
     * Runs a batch and answers its requests. The batch is recorded (metrics) before anyone is answered, so a client that
     * reads the metrics after its answer sees its batch.
     */
    private void run(Runner runner, List<Job> batch) {
        long start = System.nanoTime();
        long[] waited = new long[batch.size()];
        for (int i = 0; i < waited.length; i++) waited[i] = start - batch.get(i).enqueued;
        long rows = 0;
        for (Job j : batch) rows += Math.max(1, j.rows);
        List<Object> outcomes;
        try {
            outcomes = batch.size() == 1 ? List.of(outcome(runner, batch.get(0).inputs)) : runStacked(runner, batch);
        } catch (ServingException e) {
            // the batch failed as a whole: run its requests one by one, so one bad request cannot fail the others
            outcomes = new ArrayList<>();
            for (Job j : batch) outcomes.add(outcome(runner, j.inputs));
        } catch (VirtualMachineError e) {
            for (Job j : batch) j.result.completeExceptionally(new ServingException(503, "the server ran out of resources running model " + label, 1));
            throw e;
        }
        observer.batch((int) rows, waited, System.nanoTime() - start);
        for (int i = 0; i < batch.size(); i++) {
            Object o = outcomes.get(i);
            if (o instanceof ServingException e) batch.get(i).result.completeExceptionally(e);
            else {
                @SuppressWarnings("unchecked")
                Map<String, Tensor> out = (Map<String, Tensor>) o;
                batch.get(i).result.complete(out);
            }
        }
    }

    /** The outputs for one request, or the {@link ServingException} it failed with. */
    private Object outcome(Runner runner, Map<String, Tensor> inputs) {
        try {
            return forward(runner, inputs);
        } catch (ServingException e) {
            return e;
        }
    }

    private List<Object> runStacked(Runner runner, List<Job> batch) {
        Map<String, Tensor> stacked = new LinkedHashMap<>();
        for (String name : batch.get(0).inputs.keySet()) {
            List<Tensor> parts = new ArrayList<>(batch.size());
            for (Job j : batch) parts.add(j.inputs.get(name));
            stacked.put(name, Torch.cat(parts, 0));
        }
        Map<String, Tensor> out = forward(runner, stacked);
        long total = 0;
        for (Job j : batch) total += j.rows;
        for (Map.Entry<String, Tensor> e : out.entrySet()) {
            Tensor t = e.getValue();
            if (t.dim() == 0 || t.size(0) != total) {
                throw new ServingException(500, "model " + label + " gave output '" + e.getKey() + "' of shape " + Arrays.toString(t.shape())
                        + " for a batch of " + total + " rows: its first dimension is not the batch (set max_batch_size to 0 in config.json)");
            }
        }
        List<Object> split = new ArrayList<>(batch.size());
        long offset = 0;
        for (Job j : batch) {
            Map<String, Tensor> mine = new LinkedHashMap<>();
            for (Map.Entry<String, Tensor> e : out.entrySet()) mine.put(e.getKey(), e.getValue().narrow(0, offset, j.rows).contiguous());
            offset += j.rows;
            split.add(mine);
        }
        return split;
    }

    /** The model's forward pass; what it throws becomes a status: bad inputs 400, anything else 500, never a stack trace. */
    private Map<String, Tensor> forward(Runner runner, Map<String, Tensor> inputs) {
        try (var g = Torch.noGrad()) {
            return runner.run(inputs);
        } catch (ServingException e) {
            throw e;
        } catch (IllegalArgumentException | IndexOutOfBoundsException e) {
            throw ServingException.badRequest("model " + label + " cannot take these inputs: " + e.getMessage());
        } catch (RuntimeException | LinkageError | AssertionError e) {
            throw new ServingException(500, "model " + label + " failed: " + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage()));
        }
    }
}
