package dev.kindling.distributed.gloo.jni;

import org.osgi.annotation.versioning.ConsumerType;

/** The key-value store gloo's rendezvous calls back into, on the thread that connects. */
@ConsumerType
public interface GlooStore {
    void set(String key, byte[] value);

    /** Waits until {@code key} is set. */
    byte[] get(String key);

    /** Waits until all keys are set, up to {@code timeoutMillis}. */
    void waitKeys(String[] keys, long timeoutMillis);
}
