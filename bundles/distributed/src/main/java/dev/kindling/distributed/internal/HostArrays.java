package dev.kindling.distributed.internal;

import dev.kindling.api.DType;
import dev.kindling.api.GradMode;
import dev.kindling.api.Tensor;
import dev.kindling.api.Torch;
import dev.kindling.distributed.DistributedException;

/** Moves tensors to and from the primitive arrays backends reduce; the dtypes collectives support. */
final class HostArrays {
    private HostArrays() {}

    static void requireSupported(Tensor t, String op) {
        if (t == null) throw new IllegalArgumentException(op + ": the tensor is null");
        if (!t.device().isCpu()) {
            throw new IllegalArgumentException(op + ": tensors must be on the CPU (gloo stages CUDA tensors through the host), got " + t.device());
        }
        switch (t.dtype()) {
            case FLOAT32, FLOAT64, INT64, INT32 -> { }
            default -> throw new IllegalArgumentException(op + ": dtype " + t.dtype() + " is not supported by collectives (float32, float64, int64, int32 are)");
        }
    }

    static Object read(Tensor t) {
        return switch (t.dtype()) {
            case FLOAT32 -> t.toFloatArray();
            case FLOAT64 -> t.toDoubleArray();
            case INT64 -> t.toLongArray();
            case INT32 -> t.toIntArray();
            default -> throw new IllegalStateException("unsupported dtype " + t.dtype());
        };
    }

    /** Writes {@code data} into {@code t} in place, outside autograd. */
    static void write(Tensor t, Object data) {
        try (GradMode ignored = Torch.noGrad()) {
            t.data().copy_(Torch.tensor(data, t.dtype(), t.shape()));
        }
    }

    static int length(Object a) { return java.lang.reflect.Array.getLength(a); }

    static DType dtypeOf(Object a) {
        if (a instanceof float[]) return DType.FLOAT32;
        if (a instanceof double[]) return DType.FLOAT64;
        if (a instanceof long[]) return DType.INT64;
        if (a instanceof int[]) return DType.INT32;
        throw new DistributedException("not a collective buffer: " + (a == null ? "null" : a.getClass().getSimpleName()));
    }

    /** Divides a floating buffer in place by {@code n} (AVG is SUM / world size). */
    static void divide(Object a, int n) {
        if (a instanceof float[] f) for (int i = 0; i < f.length; i++) f[i] /= n;
        else if (a instanceof double[] d) for (int i = 0; i < d.length; i++) d[i] /= n;
        else throw new IllegalArgumentException("ReduceOp.AVG needs a floating-point dtype, got " + dtypeOf(a));
    }
}
