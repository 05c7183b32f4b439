package dev.kindling.kernel.ops;

import dev.kindling.api.DType;
import dev.kindling.kernel.spi.BinaryOp;
import dev.kindling.kernel.spi.ScaledAddKernels;
import dev.kindling.kernel.spi.UnaryOp;
import dev.kindling.kernel.tensor.Shapes;

import java.util.Arrays;

import static dev.kindling.kernel.ops.CopyKernels.*;
import static dev.kindling.kernel.ops.Kernels.*;

/**
 * Forwards of the elementwise ops: unary and binary primitives with PyTorch's result dtypes, clamp, where.
 * Forwards call each other directly (never through the dispatcher), so an op's internals are not recorded by
 * autograd.
 */
final class ElementwiseKernels {
    private ElementwiseKernels() {}

    static DType unaryResultType(UnaryOp op, DType in) {
        switch (op) {
            case NEG:
                if (in == DType.BOOL) {
                    throw new IllegalArgumentException("Negation, the `-` operator, on a bool tensor is not supported. If you are "
                            + "trying to invert a mask, use the `~` or `logical_not()` operator instead.");
                }
                return in;
            case ABS: case SIGN: case RELU: case FLOOR: case CEIL: case ROUND: case TRUNC: case SQUARE:
                return in;
            case LOGICAL_NOT: case ISNAN: case ISINF: case ISFINITE:
                return DType.BOOL;
            default:
                return Promotion.floating(in);
        }
    }

    static DenseTensor unary(UnaryOp op, DenseTensor x) {
        DenseTensor out = x.newTensor(unaryResultType(op, x.dtype()), x.shapeRef());
        x.backend().unary(op, x.view(), out.view());
        return out;
    }

    static DenseTensor clamp(DenseTensor x, double min, double max, boolean floatingBounds) {
        if (Double.isNaN(min) && Double.isNaN(max)) throw new IllegalArgumentException("torch.clamp: At least one of 'min' or 'max' must not be None");
        if (x.dtype() == DType.BOOL) throw new IllegalArgumentException("\"clamp\" not implemented for 'Bool'");
        DType outType = x.dtype();
        if (!outType.isFloatingPoint() && floatingBounds) outType = DType.FLOAT32;
        DenseTensor out = x.newTensor(outType, x.shapeRef());
        x.backend().clamp(x.view(), min, max, out.view());
        return out;
    }

    static DenseTensor binary(BinaryOp op, DenseTensor a, DenseTensor b, double alpha) { return binary(op, a, b, alpha, null); }

    /**
     * {@code a.op_(b)}: computed straight into {@code a} when the result has a's shape and dtype and b does not overlap a
     * in another layout (the backend then reads and writes each element in one pass); otherwise computed aside and copied
     * back, with PyTorch's shape and cast errors.
     */
    static void binaryInPlace(BinaryOp op, DenseTensor a, DenseTensor b, double alpha) {
        b = sameBackend(a, b, op, "_");
        boolean direct = Arrays.equals(broadcastShape(a, b), a.shapeRef())
                && binaryOutType(op, Promotion.resultType(a, b)) == a.dtype()
                && (b.storage() != a.storage() || sameLayout(a, b));
        if (direct) {
            binary(op, a, b, alpha, a);
            a.versionCounter().bump();
        } else {
            writeBack(a, binary(op, a, b, alpha, null), op.name().toLowerCase() + "_");
        }
    }

    /** {@code x.op_()}, straight into x when the result keeps x's dtype. */
    static void unaryInPlace(UnaryOp op, DenseTensor x) {
        if (unaryResultType(op, x.dtype()) == x.dtype()) {
            x.backend().unary(op, x.view(), x.view());
            x.versionCounter().bump();
        } else {
            writeBack(x, unary(op, x), op.name().toLowerCase() + "_");
        }
    }

    private static boolean sameLayout(DenseTensor a, DenseTensor b) {
        return a.storageOffset() == b.storageOffset() && Arrays.equals(a.shapeRef(), b.shapeRef()) && Arrays.equals(a.stridesRef(), b.stridesRef());
    }

    /** The result dtype of a binary op whose operands promote to {@code common}. */
    private static DType binaryOutType(BinaryOp op, DType common) {
        switch (op) {
            case DIV: case ATAN2: return Promotion.floating(common);
            case EQ: case NE: case LT: case LE: case GT: case GE: case LOGICAL_AND: case LOGICAL_OR: case LOGICAL_XOR: return DType.BOOL;
            default: return common;
        }
    }

    /**
     * The shape a and b broadcast to: a's own array when the shapes are equal (the common case, no allocation; tensors
     * copy the shapes they are made with, and callers only read it).
     */
    private static long[] broadcastShape(DenseTensor a, DenseTensor b) {
        long[] sa = a.shapeRef(), sb = b.shapeRef();
        return sa == sb || Arrays.equals(sa, sb) ? sa : Shapes.broadcast(sa, sb);
    }

    private static DenseTensor binary(BinaryOp op, DenseTensor a, DenseTensor b, double alpha, DenseTensor into) {
        b = sameBackend(a, b, op, "");
        DType common = Promotion.resultType(a, b);
        if (op == BinaryOp.SUB && a.dtype() == DType.BOOL && b.dtype() == DType.BOOL) {
            throw new IllegalArgumentException("Subtraction, the `-` operator, with two bool tensors is not supported. "
                    + "Use the `^` or `logical_xor()` operator instead.");
        }
        DenseTensor fusedOut = null;
        if (alpha != 1.0) {
            if (!common.isFloatingPoint() && alpha != Math.rint(alpha)) {
                throw new IllegalArgumentException("For integral input tensors, argument alpha must not be a floating point number.");
            }
            if ((op == BinaryOp.ADD || op == BinaryOp.SUB) && common.isFloatingPoint() && a.dtype() == common && b.dtype() == common
                    && a.backend() instanceof ScaledAddKernels fused) {
                // one pass, no temporary: a + α·b as a fused multiply-add, as PyTorch computes it (sub is add with −α)
                long[] shape = broadcastShape(a, b);
                fusedOut = into != null ? into : a.newTensor(common, shape);
                if (fused.addScaled(expanded(a, shape), expanded(b, shape), op == BinaryOp.SUB ? -alpha : alpha, fusedOut.view(), common)) return fusedOut;
            }
            DenseTensor s = alpha == Math.rint(alpha) && Math.abs(alpha) < 1e15 ? wrapped(b, (long) alpha) : wrapped(b, alpha);
            b = binary(BinaryOp.MUL, b, s, 1.0);
            if (b.dtype() != common && b.dim() == 0) b = toCopy(b, common, b.device());
        }
        DType outType = binaryOutType(op, common);
        // comparisons and logical ops compute in the operands' common type; the rest compute in their result type
        DType compute = outType == DType.BOOL ? common : outType;
        long[] shape = broadcastShape(a, b);
        DenseTensor out = into != null ? into : fusedOut != null ? fusedOut : a.newTensor(outType, shape);
        a.backend().binary(op, expanded(a, shape), expanded(b, shape), out.view(), compute);
        return out;
    }

    static DenseTensor where(DenseTensor c, DenseTensor a, DenseTensor b) {
        if (c.dtype() != DType.BOOL && c.dtype() != DType.UINT8) {
            throw new IllegalArgumentException("where expected condition to be a boolean tensor, but got a tensor with dtype "
                    + torchTypeName(c.dtype()));
        }
        c = sameBackend(a, c, "where");
        b = sameBackend(a, b, "where");
        DType outType = Promotion.resultType(a, b);
        long[] shape = Shapes.broadcast(Shapes.broadcast(c.shapeRef(), a.shapeRef()), b.shapeRef());
        if (a.dtype() != outType) a = toCopy(a, outType, a.device());
        if (b.dtype() != outType) b = toCopy(b, outType, b.device());
        DenseTensor out = a.newTensor(outType, shape);
        a.backend().where(expanded(c, shape), expanded(a, shape), expanded(b, shape), out.view());
        return out;
    }

    /**
     * {@code self <= threshold ? 0 : grad} in the promoted dtype of both, broadcast: ReLU's gradient in one pass over
     * memory instead of a comparison into a mask and a product with it.
     */
    static DenseTensor thresholdBackward(DenseTensor grad, DenseTensor self, double threshold) {
        self = sameBackend(grad, self, "threshold_backward");
        DType outType = Promotion.resultType(grad, self);
        long[] shape = Shapes.broadcast(grad.shapeRef(), self.shapeRef());
        if (grad.dtype() != outType) grad = toCopy(grad, outType, grad.device());
        if (self.dtype() != outType) self = toCopy(self, outType, self.device());
        DenseTensor out = grad.newTensor(outType, shape);
        grad.backend().thresholdBackward(expanded(grad, shape), expanded(self, shape), threshold, out.view());
        return out;
    }

    /** {@code |a - b| <= atol + rtol * |b|} or equal, computed in the promoted floating type; NaN only with equalNan. */
    static DenseTensor isclose(DenseTensor a, DenseTensor b, double rtol, double atol, boolean equalNan) {
        if (a.dtype() != b.dtype()) {
            throw new IllegalArgumentException(a.dtype().torchName() + " did not match " + b.dtype().torchName() + " (in isclose)");
        }
        if (rtol < 0) throw new IllegalArgumentException("rtol must be greater than or equal to zero, but got " + rtol);
        if (atol < 0) throw new IllegalArgumentException("atol must be greater than or equal to zero, but got " + atol);
        DenseTensor equal = binary(BinaryOp.EQ, a, b, 1.0);
        if (!a.dtype().isFloatingPoint()) return equal;
        DenseTensor diff = unary(UnaryOp.ABS, binary(BinaryOp.SUB, a, b, 1.0));
        DenseTensor bound = binary(BinaryOp.ADD, binary(BinaryOp.MUL, unary(UnaryOp.ABS, b), wrapped(b, rtol), 1.0), wrapped(b, atol), 1.0);
        DenseTensor close = binary(BinaryOp.LOGICAL_OR, equal, binary(BinaryOp.LE, diff, bound, 1.0), 1.0);
        if (equalNan) {
            DenseTensor bothNan = binary(BinaryOp.LOGICAL_AND, unary(UnaryOp.ISNAN, a), unary(UnaryOp.ISNAN, b), 1.0);
            close = binary(BinaryOp.LOGICAL_OR, close, bothNan, 1.0);
        }
        return close;
    }
}
