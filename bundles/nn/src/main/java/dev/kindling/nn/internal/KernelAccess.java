package dev.kindling.nn.internal;

import dev.kindling.api.spi.TensorRuntime;
import dev.kindling.api.spi.TensorRuntimes;
import dev.kindling.kernel.Kernel;

/** The kernel behind the static API: its provider registries, and whether autograd is installed. */
public final class KernelAccess {
    private KernelAccess() {}

    public static Kernel kernel() {
        TensorRuntime rt = TensorRuntimes.get();
        if (rt instanceof Kernel) return (Kernel) rt;
        throw new IllegalStateException("layer and loss providers need Kindling's kernel (dev.kindling.kernel), but the "
                + "tensor runtime is " + rt.getClass().getName());
    }

    /** True when tensors can record gradients (the autograd bundle is installed), or the runtime is not Kindling's kernel. */
    public static boolean autogradAvailable() {
        TensorRuntime rt = TensorRuntimes.get();
        return !(rt instanceof Kernel) || ((Kernel) rt).gradientEngine() != null;
    }
}
