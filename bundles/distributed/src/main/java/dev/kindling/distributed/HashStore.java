package dev.kindling.distributed;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * An in-memory {@link Store} for ranks that are threads of one JVM (c10d's {@code HashStore}); the {@code local}
 * backend's default.
 */
public final class HashStore implements Store {
    private final Map<String, byte[]> values = new HashMap<>();
    private volatile Duration timeout = DEFAULT_TIMEOUT;

    @Override
    public synchronized void set(String key, byte[] value) {
        values.put(key, value.clone());
        notifyAll();
    }

    @Override
    public synchronized byte[] get(String key) {
        awaitKeys(List.of(key), timeout);
        return values.get(key).clone();
    }

    @Override
    public synchronized long add(String key, long delta) {
        byte[] v = values.get(key);
        long n = (v == null ? 0 : Long.parseLong(new String(v, StandardCharsets.UTF_8))) + delta;
        values.put(key, Long.toString(n).getBytes(StandardCharsets.UTF_8));
        notifyAll();
        return n;
    }

    @Override
    public synchronized byte[] compareSet(String key, byte[] expected, byte[] desired) {
        byte[] current = values.get(key);
        if ((current == null && expected.length == 0) || (current != null && Arrays.equals(current, expected))) {
            values.put(key, desired.clone());
            notifyAll();
            return desired.clone();
        }
        return current == null ? expected.clone() : current.clone();
    }

    @Override
    public synchronized boolean check(List<String> keys) {
        for (String k : keys) if (!values.containsKey(k)) return false;
        return true;
    }

    @Override
    public synchronized void wait(List<String> keys, Duration timeout) { awaitKeys(keys, timeout); }

    private void awaitKeys(List<String> keys, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!check(keys)) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                List<String> missing = new ArrayList<>();
                for (String k : keys) if (!values.containsKey(k)) missing.add(k);
                throw new DistributedTimeoutException("HashStore: timed out after " + timeout.toMillis() + " ms waiting for keys " + missing);
            }
            try {
                wait(Math.max(1, left / 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new DistributedException("HashStore: interrupted while waiting for keys " + keys, e);
            }
        }
    }

    @Override
    public synchronized boolean deleteKey(String key) { return values.remove(key) != null; }

    @Override
    public Duration timeout() { return timeout; }

    @Override
    public void setTimeout(Duration timeout) { this.timeout = timeout; }
}
