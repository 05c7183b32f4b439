package dev.kindling.backend.cuda;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A caching device allocator in the manner of PyTorch's: requests are rounded up to a size class (512 bytes up to
 * 1 MiB, 2 MiB above) and freed blocks go to that class's free list instead of back to the driver, so a training
 * loop's steady state allocates nothing from the device. When the device is full the cache is emptied and the
 * request retried once. The device calls sit behind {@link DeviceMemory}, so the bookkeeping is testable without a
 * GPU. Thread-safe: blocks come back from the {@link java.lang.ref.Cleaner} thread.
 *
 * @param <H> the device's handle of an allocation (a {@code CUdeviceptr} on a GPU)
 */
final class CachingAllocator<H> {
    /** The device's own allocation calls. */
    interface DeviceMemory<H> {
        /** A new allocation of exactly {@code bytes}, or null when the device is out of memory. */
        H malloc(long bytes);

        void free(H handle);
    }

    /** An allocation handed out: a handle and its size class (the bytes it holds). */
    static final class Block<H> {
        final H handle;
        final long size;
        private final AtomicBoolean inUse = new AtomicBoolean(true);

        Block(H handle, long size) {
            this.handle = handle;
            this.size = size;
        }
    }

    /** Thrown when the device cannot serve a request even after the cache was emptied. */
    static final class OutOfDeviceMemory extends RuntimeException {
        private static final long serialVersionUID = 1L;

        OutOfDeviceMemory(String message) { super(message); }
    }

    static final long SMALL_LIMIT = 1L << 20;
    static final long SMALL_ROUND = 512;
    static final long LARGE_ROUND = 2L << 20;

    private final String deviceName;
    private final DeviceMemory<H> memory;
    private final Map<Long, ArrayDeque<Block<H>>> free = new HashMap<>();
    private long allocated;
    private long reserved;
    private long peakAllocated;
    private long deviceAllocations;
    private long cacheHits;
    private boolean closed;

    CachingAllocator(String deviceName, DeviceMemory<H> memory) {
        this.deviceName = deviceName;
        this.memory = memory;
    }

    /** The size class of a request: what the block really holds. */
    static long sizeClass(long bytes) {
        if (bytes < 0) throw new IllegalArgumentException("negative allocation size " + bytes);
        if (bytes <= SMALL_LIMIT) return Math.max(SMALL_ROUND, roundUp(bytes, SMALL_ROUND));
        return roundUp(bytes, LARGE_ROUND);
    }

    private static long roundUp(long v, long to) { return (v + to - 1) / to * to; }

    synchronized Block<H> allocate(long bytes) {
        if (closed) throw new IllegalStateException("the allocator of " + deviceName + " is closed: its backend was stopped");
        long size = sizeClass(bytes);
        ArrayDeque<Block<H>> list = free.get(size);
        Block<H> b;
        if (list != null && !list.isEmpty()) {
            Block<H> cached = list.pop();
            b = new Block<>(cached.handle, size);
            cacheHits++;
        } else {
            H h = memory.malloc(size);
            if (h == null) {
                emptyCache();
                h = memory.malloc(size);
            }
            if (h == null) {
                throw new OutOfDeviceMemory("CUDA out of memory on " + deviceName + ": tried to allocate " + mib(size) + " ("
                        + mib(allocated) + " allocated by Kindling, " + mib(reserved) + " reserved); free tensors or use a smaller batch");
            }
            reserved += size;
            deviceAllocations++;
            b = new Block<>(h, size);
        }
        allocated += size;
        peakAllocated = Math.max(peakAllocated, allocated);
        return b;
    }

    /** Returns a block to its size class's free list; the device memory stays reserved for reuse (after close: freed). */
    synchronized void release(Block<H> b) {
        if (!b.inUse.compareAndSet(true, false)) throw new IllegalStateException("block released twice on " + deviceName);
        allocated -= b.size;
        if (closed) {
            reserved -= b.size;
            memory.free(b.handle);
            return;
        }
        free.computeIfAbsent(b.size, k -> new ArrayDeque<>()).push(b);
    }

    /**
     * Stops caching (the backend is going away): cached blocks go back to the device now, blocks still held go back
     * when released, and nothing new is handed out.
     */
    synchronized void close() {
        closed = true;
        emptyCache();
    }

    /** Gives every cached (free) block back to the device; returns the bytes freed. */
    synchronized long emptyCache() {
        long freed = 0;
        for (ArrayDeque<Block<H>> list : free.values()) {
            for (Block<H> b : list) {
                memory.free(b.handle);
                freed += b.size;
            }
            list.clear();
        }
        reserved -= freed;
        return freed;
    }

    /** Bytes in blocks handed out now. */
    synchronized long allocatedBytes() { return allocated; }

    /** Bytes held from the device: handed out plus cached. */
    synchronized long reservedBytes() { return reserved; }

    synchronized long peakAllocatedBytes() { return peakAllocated; }

    /** Allocations that went to the device (cache misses). */
    synchronized long deviceAllocations() { return deviceAllocations; }

    synchronized long cacheHits() { return cacheHits; }

    static String mib(long bytes) { return String.format(java.util.Locale.ROOT, "%.2f MiB", bytes / 1048576.0); }
}
