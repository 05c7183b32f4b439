package dev.kindling.serving.internal;

import dev.kindling.api.Tensor;
import dev.kindling.api.Torch;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BatcherTest {
    /** Doubles its input; records each batch's rows; can be held closed to let the queue fill. */
    static final class Doubler implements Batcher.Runner {
        final List<Long> batches = new CopyOnWriteArrayList<>();
        volatile CountDownLatch gate = new CountDownLatch(0);
        final CountDownLatch entered = new CountDownLatch(1);

        @Override public Map<String, Tensor> run(Map<String, Tensor> in) {
            entered.countDown();
            try {
                gate.await();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            Tensor x = in.get("x");
            for (float v : x.toFloatArray()) if (v < 0) throw new IllegalArgumentException("negative input");
            batches.add(x.size(0));
            return Map.of("y", x.mul(2.0));
        }
    }

    private static Batcher batcher(Doubler d, int maxBatch, long delayNanos, int queue) {
        return new Batcher("t/1", List.of(d), maxBatch, delayNanos, queue, (rows, q, c) -> {});
    }

    /** A batcher whose one worker is busy with a first request, held at the gate, so what is submitted next queues up. */
    private static Batcher busy(Doubler d, int maxBatch, int queue) throws InterruptedException {
        d.gate = new CountDownLatch(1);
        Batcher b = batcher(d, maxBatch, 0, queue);
        b.submit(row(0), 0);
        assertTrue(d.entered.await(5, TimeUnit.SECONDS), "the worker took the first request");
        return b;
    }

    private static Map<String, Tensor> row(float v) {
        return Map.of("x", Torch.tensor(new float[] {v, v + 1}, 1, 2));
    }

    @Test
    void requestsQueuedWhileTheModelIsBusyRunAsOneBatchAndGetTheirOwnRows() throws Exception {
        Doubler d = new Doubler();
        Batcher b = busy(d, 8, 100);
        List<Batcher.Job> jobs = new ArrayList<>();
        for (int i = 1; i <= 10; i++) jobs.add(b.submit(row(i * 10), 0));
        d.gate.countDown();
        for (int i = 1; i <= 10; i++) {
            float[] y = jobs.get(i - 1).result.get(5, TimeUnit.SECONDS).get("y").toFloatArray();
            assertEquals(2, y.length);
            assertEquals(i * 20f, y[0]);
            assertEquals(i * 20f + 2, y[1]);
        }
        assertEquals(List.of(1L, 8L, 2L), d.batches, "no delay: the first alone, then up to max_batch_size of what queued");
        b.close();
        assertTrue(b.awaitStopped(5000));
    }

    @Test
    void aQueueDelayWaitsForMoreRowsCountedFromTheOldestRequest() throws Exception {
        Doubler d = new Doubler();
        Batcher b = batcher(d, 4, TimeUnit.MILLISECONDS.toNanos(300), 100);
        long t0 = System.nanoTime();
        Batcher.Job a = b.submit(row(1), 0);
        Thread.sleep(30);
        Batcher.Job c = b.submit(row(2), 0);
        a.result.get(5, TimeUnit.SECONDS);
        c.result.get(5, TimeUnit.SECONDS);
        long waited = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertEquals(List.of(2L), d.batches);
        assertTrue(waited >= 290 && waited < 2000, "waited " + waited + " ms, the delay is 300 ms from the first request");
        // a full batch goes at once, without waiting out the delay
        long t1 = System.nanoTime();
        List<Batcher.Job> four = new ArrayList<>();
        for (int i = 0; i < 4; i++) four.add(b.submit(row(i), 0));
        for (Batcher.Job j : four) j.result.get(5, TimeUnit.SECONDS);
        assertTrue(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t1) < 250, "a full batch does not wait");
        b.close();
    }

    @Test
    void aFullQueueRefusesWith429AndATimedOutRequestIsAnswered504() throws Exception {
        Doubler d = new Doubler();
        Batcher b = busy(d, 2, 3);
        Batcher.Job expiring = b.submit(row(1), TimeUnit.MILLISECONDS.toNanos(20));
        b.submit(row(2), 0);
        b.submit(row(3), 0);
        ServingException full = assertThrows(ServingException.class, () -> b.submit(row(4), 0));
        assertEquals(429, full.status);
        assertEquals(1, full.retryAfter);
        Thread.sleep(60);
        d.gate.countDown();
        ExecutionException e = assertThrows(ExecutionException.class, () -> expiring.result.get(5, TimeUnit.SECONDS));
        assertEquals(504, assertInstanceOf(ServingException.class, e.getCause()).status);
        b.close();
    }

    @Test
    void oneBadRequestInABatchFailsOnlyItself() throws Exception {
        Doubler d = new Doubler();
        Batcher b = busy(d, 8, 100);
        Batcher.Job good1 = b.submit(row(5), 0);
        Batcher.Job bad = b.submit(row(-1), 0);
        Batcher.Job good2 = b.submit(row(7), 0);
        d.gate.countDown();
        assertEquals(10f, good1.result.get(5, TimeUnit.SECONDS).get("y").toFloatArray()[0]);
        assertEquals(14f, good2.result.get(5, TimeUnit.SECONDS).get("y").toFloatArray()[0]);
        ExecutionException e = assertThrows(ExecutionException.class, () -> bad.result.get(5, TimeUnit.SECONDS));
        ServingException s = assertInstanceOf(ServingException.class, e.getCause());
        assertEquals(400, s.status);
        assertTrue(s.getMessage().contains("negative input"), s.getMessage());
        b.close();
    }

    @Test
    void requestsWithOtherTrailingShapesAreNotStackedTogether() throws Exception {
        Doubler d = new Doubler();
        Batcher b = busy(d, 8, 100);
        Batcher.Job a = b.submit(row(1), 0);
        Batcher.Job wide = b.submit(Map.of("x", Torch.tensor(new float[] {1, 2, 3}, 1, 3)), 0);
        Batcher.Job c = b.submit(row(2), 0);
        d.gate.countDown();
        a.result.get(5, TimeUnit.SECONDS);
        c.result.get(5, TimeUnit.SECONDS);
        assertEquals(3, wide.result.get(5, TimeUnit.SECONDS).get("y").size(1));
        assertEquals(List.of(1L, 2L, 1L), d.batches);
        b.close();
    }
}
