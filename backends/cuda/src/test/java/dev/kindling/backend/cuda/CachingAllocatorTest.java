package dev.kindling.backend.cuda;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The allocator's bookkeeping against a fake device with a fixed capacity. */
class CachingAllocatorTest {
    /** Device memory of {@code capacity} bytes; handles are numbered allocations. */
    static final class FakeMemory implements CachingAllocator.DeviceMemory<Integer> {
        final long capacity;
        long used;
        int next;
        final List<Integer> freed = new ArrayList<>();
        final List<Long> sizes = new ArrayList<>();

        FakeMemory(long capacity) { this.capacity = capacity; }

        @Override
        public Integer malloc(long bytes) {
            if (used + bytes > capacity) return null;
            used += bytes;
            sizes.add(bytes);
            return next++;
        }

        @Override
        public void free(Integer handle) {
            used -= sizes.get(handle);
            freed.add(handle);
        }
    }

    @Test
    void sizeClassesRoundSmallTo512AndLargeTo2MiB() {
        assertEquals(512, CachingAllocator.sizeClass(0));
        assertEquals(512, CachingAllocator.sizeClass(1));
        assertEquals(512, CachingAllocator.sizeClass(512));
        assertEquals(1024, CachingAllocator.sizeClass(513));
        assertEquals(1L << 20, CachingAllocator.sizeClass(1L << 20));
        assertEquals(2L << 20, CachingAllocator.sizeClass((1L << 20) + 1));
        assertEquals(4L << 20, CachingAllocator.sizeClass((2L << 20) + 1));
        assertThrows(IllegalArgumentException.class, () -> CachingAllocator.sizeClass(-1));
    }

    @Test
    void freedBlocksAreReusedBySizeClassWithoutTouchingTheDevice() {
        FakeMemory mem = new FakeMemory(1L << 30);
        CachingAllocator<Integer> a = new CachingAllocator<>("cuda:0", mem);
        CachingAllocator.Block<Integer> b1 = a.allocate(1000);
        CachingAllocator.Block<Integer> b2 = a.allocate(3L << 20);
        assertEquals(1024 + (4L << 20), a.allocatedBytes());
        assertEquals(a.allocatedBytes(), a.reservedBytes());
        assertEquals(2, a.deviceAllocations());

        a.release(b1);
        assertEquals(4L << 20, a.allocatedBytes());
        assertEquals(1024 + (4L << 20), a.reservedBytes(), "a freed block stays reserved");

        CachingAllocator.Block<Integer> b3 = a.allocate(600); // same class (1024): the cached block
        assertSame(b1.handle, b3.handle);
        assertEquals(1, a.cacheHits());
        assertEquals(2, a.deviceAllocations());

        CachingAllocator.Block<Integer> b4 = a.allocate(2000); // another class: a new device allocation
        assertNotSame(b1.handle, b4.handle);
        assertEquals(3, a.deviceAllocations());
        assertEquals(1024 + 2048 + (4L << 20), a.peakAllocatedBytes());

        a.release(b2);
        a.release(b3);
        a.release(b4);
        assertEquals(0, a.allocatedBytes());
        assertEquals(1024 + 2048 + (4L << 20), a.emptyCache());
        assertEquals(0, a.reservedBytes());
        assertEquals(0, mem.used);
        assertEquals(3, mem.freed.size());
    }

    @Test
    void aFullDeviceEmptiesTheCacheAndRetriesThenFailsWithFigures() {
        FakeMemory mem = new FakeMemory(6L << 20);
        CachingAllocator<Integer> a = new CachingAllocator<>("cuda:0", mem);
        CachingAllocator.Block<Integer> big = a.allocate(4L << 20);
        a.release(big); // cached, still held from the device
        CachingAllocator.Block<Integer> other = a.allocate(3L << 20); // 4 MiB class: the cached block
        assertSame(big.handle, other.handle);
        a.release(other);
        CachingAllocator.Block<Integer> b = a.allocate(5L << 20); // 6 MiB class: only fits once the cache is emptied
        assertEquals(6L << 20, a.reservedBytes());
        assertEquals(List.of(0), mem.freed);
        CachingAllocator.OutOfDeviceMemory e = assertThrows(CachingAllocator.OutOfDeviceMemory.class, () -> a.allocate(100));
        assertTrue(e.getMessage().startsWith("CUDA out of memory on cuda:0: tried to allocate 0.00 MiB (6.00 MiB allocated"), e.getMessage());
        a.release(b);
    }

    @Test
    void releasingTwiceIsAnError() {
        CachingAllocator<Integer> a = new CachingAllocator<>("cuda:1", new FakeMemory(1 << 20));
        CachingAllocator.Block<Integer> b = a.allocate(10);
        a.release(b);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> a.release(b));
        assertEquals("block released twice on cuda:1", e.getMessage());
        assertEquals(0, a.allocatedBytes());
    }

    @Test
    void concurrentAllocateAndReleaseKeepCountersConsistent() throws InterruptedException {
        CachingAllocator<Integer> a = new CachingAllocator<>("cuda:0", new FakeMemory(1L << 32));
        Thread[] ts = new Thread[4];
        for (int t = 0; t < ts.length; t++) {
            int seed = t;
            ts[t] = new Thread(() -> {
                for (int i = 0; i < 2000; i++) a.release(a.allocate((i * 7919L + seed * 104729L) % (3L << 20)));
            });
            ts[t].start();
        }
        for (Thread t : ts) t.join();
        assertEquals(0, a.allocatedBytes());
        assertTrue(a.cacheHits() > 0);
        assertEquals(a.reservedBytes(), a.emptyCache());
    }

    @Test
    void closingFreesTheCacheAndLaterReleasesGoStraightToTheDevice() {
        FakeMemory mem = new FakeMemory(1L << 30);
        CachingAllocator<Integer> a = new CachingAllocator<>("cuda:0", mem);
        CachingAllocator.Block<Integer> held = a.allocate(100);
        a.release(a.allocate(5000));
        a.close();
        assertEquals(List.of(1), mem.freed, "the cached block");
        assertEquals(512, a.reservedBytes());
        a.release(held); // a tensor collected after the backend stopped
        assertEquals(List.of(1, 0), mem.freed);
        assertEquals(0, a.reservedBytes());
        assertEquals(0, mem.used);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> a.allocate(1));
        assertEquals("the allocator of cuda:0 is closed: its backend was stopped", e.getMessage());
    }
}
