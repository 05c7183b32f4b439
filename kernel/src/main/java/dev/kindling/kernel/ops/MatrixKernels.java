package dev.kindling.kernel.ops;

import dev.kindling.api.DType;
import dev.kindling.kernel.spi.BinaryOp;
import dev.kindling.kernel.spi.View;
import dev.kindling.kernel.tensor.Shapes;

import java.util.Arrays;

import static dev.kindling.kernel.ops.Kernels.*;
import static dev.kindling.kernel.ops.ElementwiseKernels.*;
import static dev.kindling.kernel.ops.ReductionKernels.*;
import static dev.kindling.kernel.ops.ViewKernels.*;

/**
 * Forwards of the matrix ops: mm, bmm, addmm, baddbmm, dot and inverse, with PyTorch's shape and dtype checks.
 * Forwards call each other directly (never through the dispatcher), so an op's internals are not recorded by
 * autograd.
 */
final class MatrixKernels {
    private MatrixKernels() {}

    static void sameDType(DenseTensor a, DenseTensor b, String what) {
        if (a.dtype() != b.dtype()) {
            throw new IllegalArgumentException("expected " + what + " to have the same dtype, but got: " + a.dtype().torchName() + " != "
                    + b.dtype().torchName());
        }
    }

    static DenseTensor mm(DenseTensor a, DenseTensor b) { return mm(a, b, false); }

    /**
     * {@code a @ b}; with {@code float32Out} the product of half inputs stays in float32 (the backend accumulates in
     * float32 either way), for a caller that adds to it before rounding once.
     */
    private static DenseTensor mm(DenseTensor a, DenseTensor b, boolean float32Out) {
        b = matrices(a, b, "mm");
        checkProduct(a, b);
        sameDType(a, b, "mat1 and mat2");
        return product(a, b, float32Out ? DType.FLOAT32 : a.dtype(), (va, vb, vo) -> a.backend().matmul(va, vb, vo));
    }

    /**
     * {@code a @ b} with both read at {@code dtype} (the backend rounds float32 operands as it packs them), into
     * {@code outDType}: {@code dtype}, or float32, rounded to {@code dtype}'s values when {@code roundOutput}.
     */
    static DenseTensor mmAt(DenseTensor a, DenseTensor b, DType dtype, DType outDType, boolean roundOutput) {
        b = matrices(a, b, "_mm_at");
        if (!isHalf(dtype)) throw new IllegalArgumentException("_mm_at reads its operands at float16 or bfloat16, not " + dtype.torchName());
        for (DenseTensor t : new DenseTensor[] {a, b}) {
            if (t.dtype() != DType.FLOAT32 && t.dtype() != dtype) {
                throw new IllegalArgumentException("_mm_at at " + dtype.torchName() + " takes float32 or " + dtype.torchName() + " operands, got "
                        + t.dtype().torchName());
            }
        }
        if (outDType != DType.FLOAT32 && outDType != dtype) {
            throw new IllegalArgumentException("_mm_at at " + dtype.torchName() + " returns float32 or " + dtype.torchName() + ", not " + outDType.torchName());
        }
        checkProduct(a, b);
        return product(a, b, outDType, (va, vb, vo) -> a.backend().matmulAt(va, vb, vo, dtype, roundOutput));
    }

    /** Both inputs are matrices; returns {@code b} on {@code a}'s backend. */
    private static DenseTensor matrices(DenseTensor a, DenseTensor b, String op) {
        if (a.dim() != 2) throw new IllegalArgumentException("self must be a matrix (got a " + a.dim() + "-D tensor)");
        if (b.dim() != 2) throw new IllegalArgumentException("mat2 must be a matrix (got a " + b.dim() + "-D tensor)");
        return sameBackend(a, b, op);
    }

    private static void checkProduct(DenseTensor a, DenseTensor b) {
        if (a.shapeRef()[1] != b.shapeRef()[0]) {
            throw new IllegalArgumentException("mat1 and mat2 shapes cannot be multiplied (" + Shapes.x(a.shapeRef()) + " and "
                    + Shapes.x(b.shapeRef()) + ")");
        }
    }

    /** A backend product of two matrices, as views of one batch: {@code [1, M, K] @ [1, K, N] -> [1, M, N]}. */
    private interface BackendProduct {
        void run(View a, View b, View out);
    }

    /** {@code a @ b} into a new contiguous {@code outType} matrix, by {@code backendProduct}. */
    private static DenseTensor product(DenseTensor a, DenseTensor b, DType outType, BackendProduct backendProduct) {
        long m = a.shapeRef()[0];
        long n = b.shapeRef()[1];
        DenseTensor out = a.newTensor(outType, new long[] {m, n});
        View va = new View(a.storage(), new long[] {1, m, a.shapeRef()[1]}, new long[] {0, a.stridesRef()[0], a.stridesRef()[1]}, a.storageOffset());
        View vb = new View(b.storage(), new long[] {1, b.shapeRef()[0], n}, new long[] {0, b.stridesRef()[0], b.stridesRef()[1]}, b.storageOffset());
        View vo = new View(out.storage(), new long[] {1, m, n}, new long[] {0, n, 1}, 0);
        backendProduct.run(va, vb, vo);
        return out;
    }

    /**
     * {@code x @ weight^T + bias} with every input read at {@code dtype}: exactly the values autocast's casts followed by
     * linear give (the float32 product plus the rounded bias, rounded once, as {@link #addmm} does for half inputs), but
     * a float32 weight is rounded while the backend packs it instead of being copied.
     */
    static DenseTensor autocastLinear(DenseTensor x, DenseTensor weight, DenseTensor bias, DType dtype) {
        if (x.dim() != 2) throw new IllegalArgumentException("_autocast_linear takes a 2-d input [N, in], got " + Shapes.str(x.shapeRef()));
        if (weight.dim() != 2) throw new IllegalArgumentException("_autocast_linear takes a 2-d weight [out, in], got " + Shapes.str(weight.shapeRef()));
        if (bias != null && bias.dim() > 1) throw new IllegalArgumentException("_autocast_linear takes a 1-d bias [out], got " + Shapes.str(bias.shapeRef()));
        DenseTensor wt = t(weight);
        if (bias == null) return mmAt(x, wt, dtype, dtype, false);
        if (bias.dtype() != DType.FLOAT32 && bias.dtype() != dtype) {
            throw new IllegalArgumentException("_autocast_linear at " + dtype.torchName() + " takes a float32 or " + dtype.torchName() + " bias, got "
                    + bias.dtype().torchName());
        }
        DenseTensor product = mmAt(x, wt, dtype, DType.FLOAT32, false);
        DenseTensor roundedBias = bias.dtype() == dtype ? opMath(bias) : opMath(rounded(bias, dtype));
        return rounded(scaleAndAdd(roundedBias, product, 1, 1, "linear"), dtype);
    }

    static DenseTensor bmm(DenseTensor a, DenseTensor b) { return bmm(a, b, false); }

    private static DenseTensor bmm(DenseTensor a, DenseTensor b, boolean float32Out) {
        if (a.dim() != 3) throw new IllegalArgumentException("batch1 must be a 3D tensor (got " + a.dim() + "-D)");
        if (b.dim() != 3) throw new IllegalArgumentException("batch2 must be a 3D tensor (got " + b.dim() + "-D)");
        b = sameBackend(a, b, "bmm");
        long[] sa = a.shapeRef();
        long[] sb = b.shapeRef();
        if (sb[0] != sa[0] || sb[1] != sa[2]) {
            throw new IllegalArgumentException("Expected size for first two dimensions of batch2 tensor to be: [" + sa[0] + ", " + sa[2]
                    + "] but got: [" + sb[0] + ", " + sb[1] + "].");
        }
        sameDType(a, b, "batch1 and batch2");
        DenseTensor out = a.newTensor(float32Out ? DType.FLOAT32 : a.dtype(), new long[] {sa[0], sa[1], sb[2]});
        a.backend().matmul(a.view(), b.view(), out.view());
        return out;
    }

    static DenseTensor inverse(DenseTensor a) {
        if (a.dim() < 2) throw new IllegalArgumentException("linalg.inv: The input tensor A must have at least 2 dimensions.");
        long[] s = a.shapeRef();
        long n = s[s.length - 1];
        if (s[s.length - 2] != n) {
            throw new IllegalArgumentException("linalg.inv: A must be batches of square matrices, but they are " + s[s.length - 2]
                    + " by " + n + " matrices");
        }
        if (!a.dtype().isFloatingPoint()) {
            throw new IllegalArgumentException("linalg.inv: Expected a floating point or complex tensor as input. Got " + torchTypeName(a.dtype()));
        }
        long b = Shapes.numel(s) / Math.max(1, n * n);
        DenseTensor in = reshape(a, new long[] {b, n, n});
        DenseTensor out = a.newTensor(a.dtype(), new long[] {b, n, n});
        a.backend().inverse(in.view(), out.view());
        return reshaped(out, s);
    }

    /** {@code beta * self + alpha * product}, self broadcast to the product's shape (beta 0: self ignored). */
    private static DenseTensor scaleAndAdd(DenseTensor self, DenseTensor product, double beta, double alpha, String op) {
        DenseTensor scaled = alpha == 1 ? product : binary(BinaryOp.MUL, product, wrapped(product, alpha), 1.0);
        if (beta == 0) return scaled;
        if (!Arrays.equals(Shapes.broadcast(self.shapeRef(), product.shapeRef()), product.shapeRef())) {
            throw new IllegalArgumentException("The size of self " + Shapes.str(self.shapeRef()) + " cannot be broadcast to the "
                    + "shape of the product " + Shapes.str(product.shapeRef()) + " (in " + op + ")");
        }
        DenseTensor s = beta == 1 ? self : binary(BinaryOp.MUL, self, wrapped(self, beta), 1.0);
        return binary(BinaryOp.ADD, s, scaled, 1.0);
    }

    static DenseTensor addmm(DenseTensor self, DenseTensor mat1, DenseTensor mat2, double beta, double alpha) {
        if (mat1.dim() != 2) throw new IllegalArgumentException("mat1 must be a matrix, got " + mat1.dim() + "-D tensor");
        if (mat2.dim() != 2) throw new IllegalArgumentException("mat2 must be a matrix, got " + mat2.dim() + "-D tensor");
        if (isHalf(mat1.dtype()) && mat1.dtype() == self.dtype()) {
            return rounded(scaleAndAdd(opMath(self), mm(mat1, mat2, true), beta, alpha, "addmm"), mat1.dtype());
        }
        return scaleAndAdd(self, mm(mat1, mat2), beta, alpha, "addmm");
    }

    static DenseTensor baddbmm(DenseTensor self, DenseTensor batch1, DenseTensor batch2, double beta, double alpha) {
        if (isHalf(batch1.dtype()) && batch1.dtype() == self.dtype()) {
            return rounded(scaleAndAdd(opMath(self), bmm(batch1, batch2, true), beta, alpha, "baddbmm"), batch1.dtype());
        }
        return scaleAndAdd(self, bmm(batch1, batch2), beta, alpha, "baddbmm");
    }

    // float16 and bfloat16 are storage formats here: products accumulate in float32 and round once, as PyTorch's
    // kernels do (its OpMathType). The backend's matmul does that for half inputs (the CPU one widens while packing for
    // its float32 kernel); addmm and baddbmm take its float32 product, add self in float32 and round once.
    private static boolean isHalf(DType d) { return d == DType.FLOAT16 || d == DType.BFLOAT16; }

    private static DenseTensor opMath(DenseTensor t) { return CopyKernels.toCopy(t, DType.FLOAT32, t.device()); }

    private static DenseTensor rounded(DenseTensor t, DType d) { return CopyKernels.toCopy(t, d, t.device()); }

    static DenseTensor dot(DenseTensor a, DenseTensor b) {
        if (a.dim() != 1 || b.dim() != 1) {
            throw new IllegalArgumentException("1D tensors expected, but got " + a.dim() + "D and " + b.dim() + "D tensors");
        }
        if (a.dtype() != b.dtype()) {
            throw new IllegalArgumentException("dot : expected both vectors to have same dtype, but found " + torchTypeName(a.dtype())
                    + " and " + torchTypeName(b.dtype()));
        }
        if (a.shapeRef()[0] != b.shapeRef()[0]) {
            throw new IllegalArgumentException("inconsistent tensor size, expected tensor [" + a.shapeRef()[0] + "] and src ["
                    + b.shapeRef()[0] + "] to have the same number of elements, but got " + a.shapeRef()[0] + " and "
                    + b.shapeRef()[0] + " elements respectively");
        }
        return sum(binary(BinaryOp.MUL, a, b, 1.0), null, false);
    }
}
