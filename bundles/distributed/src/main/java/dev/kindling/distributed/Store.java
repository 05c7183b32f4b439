package dev.kindling.distributed;

import java.time.Duration;
import java.util.List;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * The key-value store the ranks of a job meet through (c10d's {@code Store}). Values are bytes. {@link #get} and
 * {@link #wait(List)} block until the keys exist, up to the store's {@link #timeout()}, then throw
 * {@link DistributedTimeoutException}. Implementations are thread-safe.
 */
@ConsumerType
public interface Store extends AutoCloseable {
    /** How long {@link #get} and {@link #wait(List)} wait by default. */
    Duration DEFAULT_TIMEOUT = Duration.ofMinutes(5);

    void set(String key, byte[] value);

    /** The value of {@code key}, waiting until it is set. */
    byte[] get(String key);

    /**
     * Adds {@code delta} to the counter {@code key} (created at 0) and returns the new value. The counter is kept as
     * decimal text, as c10d keeps it.
     */
    long add(String key, long delta);

    /**
     * Sets {@code key} to {@code desired} if its current value is {@code expected} (an empty {@code expected} matching
     * an absent key) and returns the value the key has afterwards (c10d's {@code compare_set}).
     */
    byte[] compareSet(String key, byte[] expected, byte[] desired);

    /** Whether all keys are set, without waiting. */
    boolean check(List<String> keys);

    /** Waits until all keys are set, up to {@link #timeout()}. */
    default void wait(List<String> keys) { wait(keys, timeout()); }

    /** Waits until all keys are set, up to {@code timeout}. */
    void wait(List<String> keys, Duration timeout);

    /** Removes {@code key}; whether it existed. */
    boolean deleteKey(String key);

    Duration timeout();

    void setTimeout(Duration timeout);

    /** Convenience: {@code set} of UTF-8 text. */
    default void set(String key, String value) { set(key, value.getBytes(java.nio.charset.StandardCharsets.UTF_8)); }

    /** Convenience: {@code get} as UTF-8 text. */
    default String getString(String key) { return new String(get(key), java.nio.charset.StandardCharsets.UTF_8); }

    /**
     * The rank this store saw vanish (a killed process), for stores that track membership ({@link TcpStore}'s
     * master, Hazelcast); empty when none was lost or the store cannot tell.
     */
    default java.util.OptionalInt lostRank() { return java.util.OptionalInt.empty(); }

    /** Releases connections or files; the default does nothing. */
    @Override
    default void close() {}
}
