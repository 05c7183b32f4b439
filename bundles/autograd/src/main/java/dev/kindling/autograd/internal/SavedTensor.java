package dev.kindling.autograd.internal;

import dev.kindling.api.Tensor;
import dev.kindling.kernel.ops.DenseTensor;
import dev.kindling.kernel.tensor.Shapes;

/**
 * A tensor saved for backward with the version it had then: unpacking after an in-place change is an error, as in
 * PyTorch.
 */
final class SavedTensor {
    private Tensor tensor;
    private final int version;
    private final boolean isOutput;

    SavedTensor(Tensor t, boolean isOutput) {
        this.tensor = t;
        this.version = ((DenseTensor) t).version();
        this.isOutput = isOutput;
    }

    Tensor unpack(Node owner) {
        Tensor t = tensor;
        if (t == null) throw Engine.freedGraph();
        int now = ((DenseTensor) t).version();
        if (now != version) {
            throw new IllegalStateException("one of the variables needed for gradient computation has been modified by an inplace "
                    + "operation: [" + typeName(t) + " " + Shapes.str(t.shape()) + "]" + (isOutput ? ", which is output 0 of " + owner.name() : "")
                    + ", is at version " + now + "; expected version " + version + " instead. Hint: the operation that failed to "
                    + "compute its gradient is " + owner.name() + "; do not modify its inputs or outputs in place before backward.");
        }
        return t;
    }

    void release() { tensor = null; }

    private static String typeName(Tensor t) {
        switch (t.dtype()) {
            case FLOAT64: return "torch.DoubleTensor";
            case FLOAT16: return "torch.HalfTensor";
            default: return "torch.FloatTensor";
        }
    }
}
