package dev.kindling.backend.cuda;

import dev.kindling.api.DType;
import dev.kindling.api.Device;
import dev.kindling.kernel.spi.Storage;
import jcuda.driver.CUdeviceptr;

import java.lang.ref.Cleaner;

/**
 * A block of device memory holding {@code numel} elements of one dtype. Tensors have no explicit close, so the block
 * goes back to the caching allocator when the storage becomes unreachable; the allocator only recycles it, and
 * kernels run in order on the device's stream, so a later kernel can never overtake one still reading the block.
 */
final class CudaStorage implements Storage {
    private static final Cleaner CLEANER = Cleaner.create();

    final CudaDevice dev;
    private final DType dtype;
    private final long numel;
    final CachingAllocator.Block<CUdeviceptr> block;

    /** {@code owned}: the block returns to the allocator when this storage is unreachable (false for temporaries). */
    CudaStorage(CudaDevice dev, DType dtype, long numel, CachingAllocator.Block<CUdeviceptr> block, boolean owned) {
        this.dev = dev;
        this.dtype = dtype;
        this.numel = numel;
        this.block = block;
        if (owned) {
            CachingAllocator<CUdeviceptr> allocator = dev.allocator;
            CLEANER.register(this, () -> allocator.release(block));
        }
    }

    @Override public DType dtype() { return dtype; }
    @Override public long numel() { return numel; }
    @Override public Device device() { return dev.device; }

    CUdeviceptr ptr() { return block.handle; }

    @Override
    public String toString() { return "CudaStorage[" + dtype + " x " + numel + " on " + dev.device + "]"; }
}
