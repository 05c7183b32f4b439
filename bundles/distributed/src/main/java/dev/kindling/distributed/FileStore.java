package dev.kindling.distributed;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

/**
 * A {@link Store} in a directory that all ranks can see (a local or shared file system): one file per key, written
 * atomically by rename; counters and compare-and-set take a file lock, so processes on different machines may share
 * it. The {@code file://} init method. Waiting polls every few milliseconds.
 */
public final class FileStore implements Store {
    private static final long POLL_MILLIS = 5;
    private final Path dir;
    private volatile Duration timeout = DEFAULT_TIMEOUT;

    public FileStore(Path dir) {
        this.dir = dir;
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new DistributedException("FileStore: cannot create the store directory " + dir + ": " + e, e);
        }
    }

    public Path directory() { return dir; }

    private Path file(String key) {
        // Hex keeps any key (slashes, dots) a single safe file name.
        return dir.resolve("k-" + HexFormat.of().formatHex(key.getBytes(StandardCharsets.UTF_8)));
    }

    private byte[] read(String key) {
        try {
            return Files.readAllBytes(file(key));
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            throw new UncheckedIOException("FileStore: cannot read key '" + key + "' in " + dir, e);
        }
    }

    private void write(String key, byte[] value) {
        try {
            Path tmp = Files.createTempFile(dir, "tmp-", ".part");
            Files.write(tmp, value);
            try {
                Files.move(tmp, file(key), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file(key), StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("FileStore: cannot write key '" + key + "' in " + dir, e);
        }
    }

    /** Runs {@code body} holding the store's lock: a file lock between processes, the monitor within this JVM. */
    private <T> T locked(java.util.function.Supplier<T> body) {
        synchronized (FileStore.class) {
            try (FileChannel ch = FileChannel.open(dir.resolve("lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                 FileLock ignored = ch.lock()) {
                return body.get();
            } catch (IOException e) {
                throw new UncheckedIOException("FileStore: cannot lock " + dir, e);
            }
        }
    }

    @Override
    public void set(String key, byte[] value) { write(key, value); }

    @Override
    public byte[] get(String key) {
        wait(List.of(key));
        return read(key);
    }

    @Override
    public long add(String key, long delta) {
        return locked(() -> {
            byte[] v = read(key);
            long n = (v == null ? 0 : Long.parseLong(new String(v, StandardCharsets.UTF_8))) + delta;
            write(key, Long.toString(n).getBytes(StandardCharsets.UTF_8));
            return n;
        });
    }

    @Override
    public byte[] compareSet(String key, byte[] expected, byte[] desired) {
        return locked(() -> {
            byte[] current = read(key);
            if ((current == null && expected.length == 0) || (current != null && Arrays.equals(current, expected))) {
                write(key, desired);
                return desired.clone();
            }
            return current == null ? expected.clone() : current;
        });
    }

    @Override
    public boolean check(List<String> keys) {
        for (String k : keys) if (!Files.exists(file(k))) return false;
        return true;
    }

    @Override
    public void wait(List<String> keys, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!check(keys)) {
            if (System.nanoTime() > deadline) {
                List<String> missing = new ArrayList<>();
                for (String k : keys) if (!Files.exists(file(k))) missing.add(k);
                throw new DistributedTimeoutException("FileStore " + dir + ": timed out after " + timeout.toMillis() + " ms waiting for keys " + missing);
            }
            try {
                Thread.sleep(POLL_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new DistributedException("FileStore: interrupted while waiting for keys " + keys, e);
            }
        }
    }

    @Override
    public boolean deleteKey(String key) {
        try {
            return Files.deleteIfExists(file(key));
        } catch (IOException e) {
            throw new UncheckedIOException("FileStore: cannot delete key '" + key + "' in " + dir, e);
        }
    }

    @Override
    public Duration timeout() { return timeout; }

    @Override
    public void setTimeout(Duration timeout) { this.timeout = timeout; }
}
