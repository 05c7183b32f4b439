package dev.kindling.kernel.ops;

import dev.kindling.api.DType;
import dev.kindling.kernel.spi.TensorBackend;
import dev.kindling.kernel.spi.BinaryOp;
import dev.kindling.kernel.spi.View;
import dev.kindling.kernel.tensor.Shapes;

import java.util.Arrays;

/**
 * Shared pieces of the forwards: wrapped scalars, device checks, dtype names and casts, in-place write-back, dimension lists.
 * Forwards call each other directly (never through the dispatcher), so an op's internals are not recorded by
 * autograd.
 */
final class Kernels {
    private Kernels() {}

    static int dim(int d, int rank) { return Shapes.dim(d, rank); }

    static DenseTensor wrapped(DenseTensor like, double v) {
        TensorBackend b = like.backend();
        return DenseTensor.wrappedNumber(like.kernel(), like.handle(), b.fromHost(like.device(), DType.FLOAT64, new double[] {v}));
    }

    static DenseTensor wrapped(DenseTensor like, long v) {
        TensorBackend b = like.backend();
        return DenseTensor.wrappedNumber(like.kernel(), like.handle(), b.fromHost(like.device(), DType.INT64, new long[] {v}));
    }

    /** {@code t} on {@code ref}'s backend: 0-dim CPU tensors may join any device (as PyTorch allows). */
    static DenseTensor sameBackend(DenseTensor ref, DenseTensor t, String op) {
        if (t.handle() == ref.handle()) return t;
        if (!t.device().equals(ref.device())) {
            boolean cpuScalar = t.dim() == 0 && t.device().isCpu();
            if (!cpuScalar) {
                throw new IllegalArgumentException("Expected all tensors to be on the same device, but found at least two "
                        + "devices, " + ref.device() + " and " + t.device() + "! (in " + op + ")");
            }
        }
        Object host = t.backend().toHost(t.view());
        return DenseTensor.contiguous(ref.kernel(), ref.handle(), ref.backend().fromHost(ref.device(), t.dtype(), host), t.shapeRef());
    }

    /** {@link #sameBackend(DenseTensor, DenseTensor, String)} for a binary op: its name is built only for the error. */
    static DenseTensor sameBackend(DenseTensor ref, DenseTensor t, BinaryOp op, String suffix) {
        return t.handle() == ref.handle() ? t : sameBackend(ref, t, op.name().toLowerCase() + suffix);
    }

    static View expanded(DenseTensor t, long[] shape) {
        if (Arrays.equals(t.shapeRef(), shape)) return t.view(); // nothing to expand: its own strides
        return new View(t.storage(), shape, Shapes.expandStrides(t.shapeRef(), t.stridesRef(), shape), t.storageOffset());
    }

    /** A fresh tensor's contiguous storage presented with another shape of the same numel. */
    static DenseTensor reshaped(DenseTensor fresh, long[] shape) {
        return DenseTensor.contiguous(fresh.kernel(), fresh.handle(), fresh.storage(), shape);
    }

    static String torchTypeName(DType t) {
        switch (t) {
            case FLOAT32: return "Float";
            case FLOAT64: return "Double";
            case FLOAT16: return "Half";
            case BFLOAT16: return "BFloat16";
            case INT64: return "Long";
            case INT32: return "Int";
            case INT8: return "Char";
            case UINT8: return "Byte";
            default: return "Bool";
        }
    }

    static boolean canCast(DType from, DType to) {
        if (from.isFloatingPoint() && to.isIntegral()) return false;
        return !(to == DType.BOOL && from != DType.BOOL);
    }

    /** Writes an out-of-place result into {@code self} for in-place ops, with PyTorch's shape and dtype checks. */
    static void writeBack(DenseTensor self, DenseTensor result, String op) {
        if (!Arrays.equals(self.shapeRef(), result.shapeRef())) {
            throw new IllegalArgumentException("output with shape " + Shapes.str(self.shapeRef()) + " doesn't match the broadcast shape "
                    + Shapes.str(result.shapeRef()) + " (in " + op + ")");
        }
        if (!canCast(result.dtype(), self.dtype())) {
            throw new IllegalArgumentException("result type " + torchTypeName(result.dtype()) + " can't be cast to the desired output type "
                    + torchTypeName(self.dtype()) + " (in " + op + ")");
        }
        self.backend().copy(result.view(), self.view());
        self.versionCounter().bump();
    }

    static int[] normDims(int[] dims, int rank, String op) {
        if (dims == null || dims.length == 0) {
            int[] all = new int[rank];
            for (int i = 0; i < rank; i++) all[i] = i;
            return all;
        }
        int[] out = new int[dims.length];
        boolean[] seen = new boolean[Math.max(rank, 1)];
        for (int i = 0; i < dims.length; i++) {
            out[i] = dim(dims[i], rank);
            if (seen[out[i]]) throw new IllegalArgumentException("dim " + out[i] + " appears multiple times in the list of dims (in " + op + ")");
            seen[out[i]] = true;
        }
        Arrays.sort(out);
        return rank == 0 ? new int[0] : out;
    }

    static long[] keptShape(long[] shape, int[] dims) {
        long[] out = shape.clone();
        for (int d : dims) out[d] = 1;
        return out;
    }

    static long[] droppedShape(long[] shape, int[] dims) {
        long[] out = new long[shape.length - dims.length];
        int k = 0;
        outer:
        for (int i = 0; i < shape.length; i++) {
            for (int d : dims) if (d == i) continue outer;
            out[k++] = shape[i];
        }
        return out;
    }

    static long count(long[] shape, int[] dims) {
        long n = 1;
        for (int d : dims) n *= shape[d];
        return n;
    }
}
