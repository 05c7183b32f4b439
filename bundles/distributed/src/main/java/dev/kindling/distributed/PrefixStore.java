package dev.kindling.distributed;

import java.time.Duration;
import java.util.List;

/** A view of a store whose keys all start with {@code prefix + "/"} (c10d's {@code PrefixStore}). */
public final class PrefixStore implements Store {
    private final String prefix;
    private final Store store;

    public PrefixStore(String prefix, Store store) {
        this.prefix = prefix + "/";
        this.store = store;
    }

    public Store underlying() { return store; }

    private String k(String key) { return prefix + key; }

    private List<String> k(List<String> keys) { return keys.stream().map(this::k).toList(); }

    @Override public void set(String key, byte[] value) { store.set(k(key), value); }
    @Override public byte[] get(String key) { return store.get(k(key)); }
    @Override public long add(String key, long delta) { return store.add(k(key), delta); }
    @Override public byte[] compareSet(String key, byte[] expected, byte[] desired) { return store.compareSet(k(key), expected, desired); }
    @Override public boolean check(List<String> keys) { return store.check(k(keys)); }
    @Override public void wait(List<String> keys, Duration timeout) { store.wait(k(keys), timeout); }
    @Override public boolean deleteKey(String key) { return store.deleteKey(k(key)); }
    @Override public Duration timeout() { return store.timeout(); }
    @Override public void setTimeout(Duration timeout) { store.setTimeout(timeout); }
    @Override public java.util.OptionalInt lostRank() { return store.lostRank(); }
}
