package dev.kindling.kernel.ops;

import dev.kindling.api.DType;
import dev.kindling.api.Device;
import dev.kindling.api.Tensor;
import dev.kindling.kernel.BackendHandle;
import dev.kindling.kernel.spi.BinaryOp;
import dev.kindling.kernel.spi.ReduceOp;
import dev.kindling.kernel.spi.TensorBackend;
import dev.kindling.kernel.spi.UnaryOp;
import dev.kindling.kernel.spi.View;
import dev.kindling.kernel.spi.Window2d;
import dev.kindling.kernel.tensor.DenseTensor;
import dev.kindling.kernel.tensor.Promotion;
import dev.kindling.kernel.tensor.Shapes;

import java.util.Arrays;

/**
 * The forwards of the op table: shape and dtype rules, argument checks with PyTorch's wording, and the calls into
 * backend primitives. Forwards call each other directly (never through the dispatcher), so an op's internals are
 * not recorded by autograd.
 */
final class Kernels {
    private Kernels() {}

    static int dim(int d, int rank) { return Shapes.dim(d, rank); }

    // ---------------------------------------------------------------- helpers
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

    static View expanded(DenseTensor t, long[] shape) {
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

    // ---------------------------------------------------------------- elementwise
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
        b = sameBackend(a, b, op.name().toLowerCase() + "_");
        boolean direct = Arrays.equals(Shapes.broadcast(a.shapeRef(), b.shapeRef()), a.shapeRef())
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

    private static DenseTensor binary(BinaryOp op, DenseTensor a, DenseTensor b, double alpha, DenseTensor into) {
        b = sameBackend(a, b, op.name().toLowerCase());
        DType common = Promotion.resultType(a, b);
        if (op == BinaryOp.SUB && a.dtype() == DType.BOOL && b.dtype() == DType.BOOL) {
            throw new IllegalArgumentException("Subtraction, the `-` operator, with two bool tensors is not supported. "
                    + "Use the `^` or `logical_xor()` operator instead.");
        }
        if (alpha != 1.0) {
            if (!common.isFloatingPoint() && alpha != Math.rint(alpha)) {
                throw new IllegalArgumentException("For integral input tensors, argument alpha must not be a floating point number.");
            }
            DenseTensor s = alpha == Math.rint(alpha) && Math.abs(alpha) < 1e15 ? wrapped(b, (long) alpha) : wrapped(b, alpha);
            b = binary(BinaryOp.MUL, b, s, 1.0);
            if (b.dtype() != common && b.dim() == 0) b = toCopy(b, common, b.device());
        }
        DType outType = binaryOutType(op, common);
        // comparisons and logical ops compute in the operands' common type; the rest compute in their result type
        DType compute = outType == DType.BOOL ? common : outType;
        long[] shape = Shapes.broadcast(a.shapeRef(), b.shapeRef());
        DenseTensor out = into != null ? into : a.newTensor(outType, shape);
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

    // ---------------------------------------------------------------- reductions
    static DenseTensor reduce(ReduceOp op, DenseTensor x, int[] dims, boolean keepdim, DType outType, String name) {
        int[] nd = normDims(dims, x.dim(), name);
        long[] kept = keptShape(x.shapeRef(), nd);
        DenseTensor src = x.dtype() == outType || op == ReduceOp.MAX || op == ReduceOp.MIN ? x : toCopy(x, outType, x.device());
        DenseTensor out = x.newTensor(outType, kept);
        x.backend().reduce(op, src.view(), nd, out.view());
        return keepdim ? out : reshaped(out, droppedShape(x.shapeRef(), nd));
    }

    static DenseTensor sum(DenseTensor x, int[] dims, boolean keepdim) {
        DType t = x.dtype().isFloatingPoint() ? x.dtype() : DType.INT64;
        return reduce(ReduceOp.SUM, x, dims, keepdim, t, "sum");
    }

    static void requireFloating(DenseTensor x, String op) {
        if (!x.dtype().isFloatingPoint()) {
            throw new IllegalArgumentException(op + "(): could not infer output dtype. Input dtype must be either a floating point "
                    + "or complex dtype. Got: " + torchTypeName(x.dtype()));
        }
    }

    static DenseTensor mean(DenseTensor x, int[] dims, boolean keepdim) {
        requireFloating(x, "mean");
        int[] nd = normDims(dims, x.dim(), "mean");
        DenseTensor s = sum(x, nd, keepdim);
        long n = count(x.shapeRef(), nd);
        return binary(BinaryOp.DIV, s, wrapped(s, (double) n), 1.0);
    }

    static DenseTensor prod(DenseTensor x, int[] dims, boolean keepdim) {
        DType t = x.dtype().isFloatingPoint() ? x.dtype() : DType.INT64;
        return reduce(ReduceOp.PROD, x, dims, keepdim, t, "prod");
    }

    static DenseTensor extremeAll(DenseTensor x, boolean max) {
        if (x.numel() == 0) {
            throw new IllegalArgumentException((max ? "max" : "min") + "(): Expected reduction dim to be specified for input.numel() == 0. "
                    + "Specify the reduction dim with the 'dim' argument.");
        }
        return reduce(max ? ReduceOp.MAX : ReduceOp.MIN, x, null, false, x.dtype(), max ? "max" : "min");
    }

    static Tensor[] extremeDim(DenseTensor x, int dim, boolean keepdim, boolean max) {
        int d = dim(dim, x.dim());
        if (x.dim() > 0 && x.shapeRef()[d] == 0) {
            throw new IndexOutOfBoundsException((max ? "max" : "min") + "(): Expected reduction dim " + d + " to have non-zero size.");
        }
        long[] kept = x.dim() == 0 ? new long[0] : keptShape(x.shapeRef(), new int[] {d});
        DenseTensor values = x.newTensor(x.dtype(), kept);
        DenseTensor indices = x.newTensor(DType.INT64, kept);
        if (x.dim() == 0) {
            x.backend().copy(x.view(), values.view());
        } else {
            x.backend().argReduce(max, x.view(), d, values.view(), indices.view());
        }
        if (!keepdim && x.dim() > 0) {
            long[] dropped = droppedShape(x.shapeRef(), new int[] {d});
            values = reshaped(values, dropped);
            indices = reshaped(indices, dropped);
        }
        return new Tensor[] {values, indices};
    }

    static DenseTensor argExtreme(DenseTensor x, Integer dim, boolean keepdim, boolean max) {
        if (dim == null) {
            if (x.numel() == 0) throw new IllegalArgumentException((max ? "argmax" : "argmin") + "(): Expected reduction dim to be specified for input.numel() == 0.");
            DenseTensor flat = reshape(x, new long[] {-1});
            DenseTensor idx = (DenseTensor) extremeDim(flat, 0, false, max)[1];
            return keepdim ? reshaped(idx, onesShape(x.dim())) : idx;
        }
        return (DenseTensor) extremeDim(x, dim, keepdim, max)[1];
    }

    private static long[] onesShape(int rank) {
        long[] s = new long[rank];
        Arrays.fill(s, 1);
        return s;
    }

    static DenseTensor var(DenseTensor x, int[] dims, int correction, boolean keepdim) {
        if (!x.dtype().isFloatingPoint()) {
            throw new IllegalArgumentException("std and var only support floating point and complex dtypes, got " + torchTypeName(x.dtype()));
        }
        int[] nd = normDims(dims, x.dim(), "var");
        long n = count(x.shapeRef(), nd);
        DenseTensor m = mean(x, nd, true);
        DenseTensor dev = binary(BinaryOp.SUB, x, m, 1.0);
        DenseTensor sq = binary(BinaryOp.MUL, dev, dev, 1.0);
        DenseTensor s = sum(sq, nd, keepdim);
        return binary(BinaryOp.DIV, s, wrapped(s, (double) Math.max(0, n - correction)), 1.0);
    }

    static DenseTensor norm(DenseTensor x, double p, int[] dims, boolean keepdim) {
        if (!x.dtype().isFloatingPoint()) {
            throw new IllegalArgumentException("linalg.vector_norm: Expected a floating point or complex tensor as input. Got " + torchTypeName(x.dtype()));
        }
        DenseTensor a = unary(UnaryOp.ABS, x);
        if (p == 2) {
            return unary(UnaryOp.SQRT, sum(binary(BinaryOp.MUL, a, a, 1.0), dims, keepdim));
        }
        if (p == 1) return sum(a, dims, keepdim);
        if (Double.isInfinite(p)) return reduce(p > 0 ? ReduceOp.MAX : ReduceOp.MIN, a, dims, keepdim, a.dtype(), "norm");
        if (p == 0) {
            DenseTensor nz = binary(BinaryOp.NE, a, wrapped(a, 0L), 1.0);
            return sum(toCopy(nz, x.dtype(), x.device()), dims, keepdim);
        }
        DenseTensor s = sum(binary(BinaryOp.POW, a, wrapped(a, p), 1.0), dims, keepdim);
        return binary(BinaryOp.POW, s, wrapped(s, 1.0 / p), 1.0);
    }

    static DenseTensor logsumexp(DenseTensor x, int[] dims, boolean keepdim) {
        DenseTensor xf = x.dtype().isFloatingPoint() ? x : toCopy(x, DType.FLOAT32, x.device());
        int[] nd = normDims(dims, xf.dim(), "logsumexp");
        DenseTensor m = reduce(ReduceOp.MAX, xf, nd, true, xf.dtype(), "logsumexp");
        // Where the max is infinite, shift by 0 so that inf - inf does not produce NaN.
        DenseTensor finite = unary(UnaryOp.ISFINITE, m);
        DenseTensor shift = where(finite, m, wrapped(m, 0L));
        DenseTensor e = unary(UnaryOp.EXP, binary(BinaryOp.SUB, xf, shift, 1.0));
        DenseTensor s = unary(UnaryOp.LOG, sum(e, nd, true));
        DenseTensor r = binary(BinaryOp.ADD, s, shift, 1.0);
        return keepdim ? r : reshaped(clone(r), droppedShape(xf.shapeRef(), nd));
    }

    static DenseTensor reduceBool(DenseTensor x, ReduceOp op) {
        // As PyTorch 1.13: uint8 input keeps uint8, everything else gives bool.
        DType out = x.dtype() == DType.UINT8 ? DType.UINT8 : DType.BOOL;
        return reduce(op, x, null, false, out, op == ReduceOp.ALL ? "all" : "any");
    }

    static DenseTensor softmax(DenseTensor x, int dim, boolean log) {
        if (!x.dtype().isFloatingPoint()) {
            throw new IllegalArgumentException("\"" + (log ? "log_softmax" : "softmax") + "\" not implemented for '" + torchTypeName(x.dtype())
                    + "': it needs a floating dtype (convert with toFloat())");
        }
        int d = x.dim() == 0 ? 0 : dim(dim, x.dim());
        DenseTensor out = x.newTensor(x.dtype(), x.shapeRef());
        if (x.dim() == 0) {
            x.backend().fill(out.view(), log ? 0.0 : 1.0);
            return out;
        }
        x.backend().softmax(x.view(), d, log, out.view());
        return out;
    }

    // ---------------------------------------------------------------- matrices
    static void sameDType(DenseTensor a, DenseTensor b, String what) {
        if (a.dtype() != b.dtype()) {
            throw new IllegalArgumentException("expected " + what + " to have the same dtype, but got: " + a.dtype().torchName() + " != "
                    + b.dtype().torchName());
        }
    }

    static DenseTensor mm(DenseTensor a, DenseTensor b) {
        if (a.dim() != 2) throw new IllegalArgumentException("self must be a matrix (got a " + a.dim() + "-D tensor)");
        if (b.dim() != 2) throw new IllegalArgumentException("mat2 must be a matrix (got a " + b.dim() + "-D tensor)");
        b = sameBackend(a, b, "mm");
        if (a.shapeRef()[1] != b.shapeRef()[0]) {
            throw new IllegalArgumentException("mat1 and mat2 shapes cannot be multiplied (" + Shapes.x(a.shapeRef()) + " and "
                    + Shapes.x(b.shapeRef()) + ")");
        }
        sameDType(a, b, "mat1 and mat2");
        long m = a.shapeRef()[0];
        long n = b.shapeRef()[1];
        DenseTensor out = a.newTensor(a.dtype(), new long[] {m, n});
        View va = new View(a.storage(), new long[] {1, m, a.shapeRef()[1]}, new long[] {0, a.stridesRef()[0], a.stridesRef()[1]}, a.storageOffset());
        View vb = new View(b.storage(), new long[] {1, b.shapeRef()[0], n}, new long[] {0, b.stridesRef()[0], b.stridesRef()[1]}, b.storageOffset());
        View vo = new View(out.storage(), new long[] {1, m, n}, new long[] {0, n, 1}, 0);
        a.backend().matmul(va, vb, vo);
        return out;
    }

    static DenseTensor bmm(DenseTensor a, DenseTensor b) {
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
        DenseTensor out = a.newTensor(a.dtype(), new long[] {sa[0], sa[1], sb[2]});
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

    // ---------------------------------------------------------------- views
    static DenseTensor view(DenseTensor x, long[] shape) {
        long[] target = Shapes.infer(shape, x.numel());
        long[] st = Shapes.viewStrides(x.shapeRef(), x.stridesRef(), target);
        if (st == null) {
            throw new IllegalArgumentException("view size is not compatible with input tensor's size and stride (at least one dimension "
                    + "spans across two contiguous subspaces). Use .reshape(...) instead.");
        }
        return x.asView(target, st, x.storageOffset());
    }

    static DenseTensor reshape(DenseTensor x, long[] shape) {
        long[] target = Shapes.infer(shape, x.numel());
        long[] st = Shapes.viewStrides(x.shapeRef(), x.stridesRef(), target);
        if (st != null) return x.asView(target, st, x.storageOffset());
        return reshaped(clone(x), target);
    }

    static DenseTensor expand(DenseTensor x, long[] shape) {
        long[] target = shape.clone();
        int off = target.length - x.dim();
        for (int i = 0; i < target.length; i++) {
            if (target[i] == -1) {
                if (i < off) throw new IllegalArgumentException("The expanded size of the tensor (-1) isn't allowed in a leading, non-existing dimension " + i);
                target[i] = x.shapeRef()[i - off];
            }
        }
        return x.asView(target, Shapes.expandStrides(x.shapeRef(), x.stridesRef(), target), x.storageOffset());
    }

    static DenseTensor permute(DenseTensor x, int[] dims) {
        int r = x.dim();
        if (dims.length != r) {
            throw new IllegalArgumentException("permute(sparse_coo): number of dimensions in the tensor input does not match the length "
                    + "of the desired ordering of dimensions i.e. input.dim() = " + r + " is not equal to len(dims) = " + dims.length);
        }
        long[] shape = new long[r];
        long[] st = new long[r];
        boolean[] seen = new boolean[r];
        for (int i = 0; i < r; i++) {
            int d = dim(dims[i], r);
            if (seen[d]) throw new IllegalArgumentException("permute(): duplicate dims are not allowed.");
            seen[d] = true;
            shape[i] = x.shapeRef()[d];
            st[i] = x.stridesRef()[d];
        }
        return x.asView(shape, st, x.storageOffset());
    }

    static DenseTensor transpose(DenseTensor x, int d0, int d1) {
        if (x.dim() == 0) return x.asView(new long[0], new long[0], x.storageOffset());
        int a = dim(d0, x.dim());
        int b = dim(d1, x.dim());
        long[] shape = x.shapeRef().clone();
        long[] st = x.stridesRef().clone();
        long ts = shape[a];
        shape[a] = shape[b];
        shape[b] = ts;
        long tt = st[a];
        st[a] = st[b];
        st[b] = tt;
        return x.asView(shape, st, x.storageOffset());
    }

    static DenseTensor t(DenseTensor x) {
        if (x.dim() > 2) throw new IllegalArgumentException("t() expects a tensor with <= 2 dimensions, but self is " + x.dim() + "D");
        return x.dim() < 2 ? x.asView(x.shapeRef(), x.stridesRef(), x.storageOffset()) : transpose(x, 0, 1);
    }

    static DenseTensor squeeze(DenseTensor x, Integer dim) {
        long[] shape = x.shapeRef();
        long[] st = x.stridesRef();
        int keep = 0;
        boolean[] drop = new boolean[shape.length];
        if (dim == null) {
            for (int i = 0; i < shape.length; i++) drop[i] = shape[i] == 1;
        } else if (x.dim() > 0) {
            int d = dim(dim, x.dim());
            drop[d] = shape[d] == 1;
        } else {
            dim(dim, 0);
        }
        for (boolean b : drop) if (!b) keep++;
        long[] ns = new long[keep];
        long[] nst = new long[keep];
        int k = 0;
        for (int i = 0; i < shape.length; i++) {
            if (!drop[i]) {
                ns[k] = shape[i];
                nst[k++] = st[i];
            }
        }
        return x.asView(ns, nst, x.storageOffset());
    }

    static DenseTensor unsqueeze(DenseTensor x, int dim) {
        int r = x.dim() + 1;
        if (dim < -r || dim >= r) {
            throw new IndexOutOfBoundsException("Dimension out of range (expected to be in range of [" + (-r) + ", " + (r - 1) + "], but got " + dim + ")");
        }
        int d = dim < 0 ? dim + r : dim;
        long[] shape = new long[r];
        long[] st = new long[r];
        for (int i = 0, j = 0; i < r; i++) {
            if (i == d) {
                shape[i] = 1;
                st[i] = j < x.dim() ? x.stridesRef()[j] * x.shapeRef()[j] : 1;
            } else {
                shape[i] = x.shapeRef()[j];
                st[i] = x.stridesRef()[j];
                j++;
            }
        }
        return x.asView(shape, st, x.storageOffset());
    }

    static DenseTensor select(DenseTensor x, int dim, long index) {
        if (x.dim() == 0) throw new IllegalArgumentException("select() cannot be applied to a 0-dim tensor.");
        int d = dim(dim, x.dim());
        long n = x.shapeRef()[d];
        if (index < -n || index >= n) {
            throw new IndexOutOfBoundsException("index " + index + " is out of bounds for dimension " + d + " with size " + n);
        }
        long i = index < 0 ? index + n : index;
        long[] shape = new long[x.dim() - 1];
        long[] st = new long[x.dim() - 1];
        for (int a = 0, k = 0; a < x.dim(); a++) {
            if (a == d) continue;
            shape[k] = x.shapeRef()[a];
            st[k++] = x.stridesRef()[a];
        }
        return x.asView(shape, st, x.storageOffset() + i * x.stridesRef()[d]);
    }

    static DenseTensor slice(DenseTensor x, int d, long start, long end, long step) {
        long[] shape = x.shapeRef().clone();
        long[] st = x.stridesRef().clone();
        shape[d] = (end - start + step - 1) / step;
        st[d] = st[d] * step;
        long offset = x.storageOffset() + (shape[d] > 0 ? start * x.stridesRef()[d] : 0);
        return x.asView(shape, st, offset);
    }

    static DenseTensor unfold(DenseTensor x, int dim, long size, long step) {
        if (step <= 0) throw new IllegalArgumentException("step is " + step + " but must be > 0");
        if (x.dim() == 0) {
            if (size != 1) throw new IllegalArgumentException("maximum size for tensor at dimension 0 is 1 but size is " + size);
            return x.asView(new long[] {1}, new long[] {1}, x.storageOffset());
        }
        int d = dim(dim, x.dim());
        long n = x.shapeRef()[d];
        if (size < 0 || size > n) {
            throw new IllegalArgumentException("maximum size for tensor at dimension " + d + " is " + n + " but size is " + size);
        }
        int r = x.dim();
        long[] shape = java.util.Arrays.copyOf(x.shapeRef(), r + 1);
        long[] st = java.util.Arrays.copyOf(x.stridesRef(), r + 1);
        shape[d] = (n - size) / step + 1;
        st[d] = x.stridesRef()[d] * step;
        shape[r] = size;
        st[r] = x.stridesRef()[d];
        return x.asView(shape, st, x.storageOffset());
    }

    // ---------------------------------------------------------------- sliding windows
    private static void checkWindowInput(DenseTensor x, String op, int rank) {
        if (x.dim() != rank) {
            throw new IllegalArgumentException(op + ": expected a " + rank + "-d input, got input of size: " + Shapes.str(x.shapeRef()));
        }
        if (!x.dtype().isFloatingPoint()) {
            throw new IllegalArgumentException("\"" + op + "\" not implemented for '" + torchTypeName(x.dtype()) + "': it needs a floating dtype");
        }
    }

    static DenseTensor im2col(DenseTensor x, Window2d w) {
        checkWindowInput(x, "im2col", 4);
        long[] s = x.shapeRef();
        if (w.oh() != Window2d.outputSize(s[2], w.kh(), w.sh(), w.ph(), w.dh()) || w.ow() != Window2d.outputSize(s[3], w.kw(), w.sw(), w.pw(), w.dw())) {
            throw new IllegalArgumentException("im2col: window " + w + " does not fit input of size " + Shapes.str(s));
        }
        // laid out [C*kh*kw, N, oh*ow] in memory: convolution multiplies the weight by all samples' columns in one product
        long k = s[1] * w.kh() * w.kw(), l = (long) w.oh() * w.ow();
        DenseTensor out = x.newTensorStrided(x.dtype(), new long[] {s[0], k, l}, new long[] {l, s[0] * l, 1});
        if (out.numel() > 0) x.backend().im2col(x.view(), w, out.view());
        return out;
    }

    static DenseTensor col2im(DenseTensor cols, Window2d w, long h, long width) {
        checkWindowInput(cols, "col2im", 3);
        long[] s = cols.shapeRef();
        long k = (long) w.kh() * w.kw();
        if (s[1] % k != 0 || s[2] != (long) w.oh() * w.ow() || w.oh() != Window2d.outputSize(h, w.kh(), w.sh(), w.ph(), w.dh())
                || w.ow() != Window2d.outputSize(width, w.kw(), w.sw(), w.pw(), w.dw())) {
            throw new IllegalArgumentException("col2im: columns of size " + Shapes.str(s) + " do not match window " + w + " over output " + h + "x" + width
                    + " (expected [N, C*" + k + ", " + (long) w.oh() * w.ow() + "])");
        }
        DenseTensor out = cols.newTensor(cols.dtype(), new long[] {s[0], s[1] / k, h, width});
        if (cols.numel() > 0) cols.backend().col2im(cols.view(), w, out.view());
        return out;
    }

    static Tensor[] maxPool2d(DenseTensor x, Window2d w) {
        checkWindowInput(x, "max_pool2d", 4);
        long[] s = x.shapeRef();
        long[] shape = {s[0], s[1], w.oh(), w.ow()};
        DenseTensor values = x.newTensor(x.dtype(), shape);
        DenseTensor indices = x.newTensor(DType.INT64, shape);
        if (values.numel() > 0) x.backend().maxPool2d(x.view(), w, values.view(), indices.view());
        return new Tensor[] {values, indices};
    }

    static DenseTensor constantPad(DenseTensor x, long[] pad, double value) {
        if (pad.length % 2 != 0) throw new IllegalArgumentException("Padding length must be divisible by 2");
        if (pad.length / 2 > x.dim()) {
            throw new IllegalArgumentException("Padding length too large: " + pad.length + " values pad " + pad.length / 2
                    + " dimensions of a " + x.dim() + "-D tensor");
        }
        long[] shape = x.shapeRef().clone();
        DenseTensor src = x;
        long[] dstStart = new long[shape.length];
        for (int i = 0; i < pad.length / 2; i++) {
            int d = shape.length - 1 - i;
            long left = pad[2 * i];
            long right = pad[2 * i + 1];
            long size = shape[d] + left + right;
            if (size < 0) {
                throw new IllegalArgumentException("The input size " + shape[d] + ", plus negative padding " + left + " and " + right
                        + " resulted in a negative output size, which is invalid. Check dimension " + d + " of your input.");
            }
            // negative amounts crop the source; positive ones offset it in the output
            long cropL = Math.max(0, -left);
            long cropR = Math.max(0, -right);
            src = slice(src, d, cropL, Math.max(cropL, x.shapeRef()[d] - cropR), 1);
            dstStart[d] = Math.max(0, left);
            shape[d] = size;
        }
        DenseTensor out = x.newTensor(x.dtype(), shape);
        if (value != 0) x.backend().fill(out.view(), value);
        if (src.numel() > 0) {
            DenseTensor dst = out;
            for (int d = 0; d < shape.length; d++) dst = slice(dst, d, dstStart[d], dstStart[d] + src.shapeRef()[d], 1);
            x.backend().copy(src.view(), dst.view());
        }
        return out;
    }

    // ---------------------------------------------------------------- copies and joins
    static DenseTensor clone(DenseTensor x) {
        DenseTensor out = x.newTensor(x.dtype(), x.shapeRef());
        x.backend().copy(x.view(), out.view());
        return out;
    }

    static DenseTensor toCopy(DenseTensor x, DType dtype, Device device) {
        if (device.equals(x.device())) {
            DenseTensor out = x.newTensor(dtype, x.shapeRef());
            x.backend().copy(x.view(), out.view());
            return out;
        }
        BackendHandle target = x.kernel().backends().select(device);
        Object host = x.backend().toHost(x.view());
        DenseTensor moved = DenseTensor.contiguous(x.kernel(), target, target.backend().fromHost(device, x.dtype(), host), x.shapeRef());
        return dtype == x.dtype() ? moved : toCopy(moved, dtype, device);
    }

    static DenseTensor copyInto(DenseTensor self, DenseTensor src) {
        src = sameBackend(self, src, "copy_");
        if (src.storage() == self.storage() && !(Arrays.equals(src.shapeRef(), self.shapeRef())
                && Arrays.equals(src.stridesRef(), self.stridesRef()) && src.storageOffset() == self.storageOffset())) {
            src = clone(src); // overlapping source: copy it out first
        }
        self.backend().copy(expanded(src, self.shapeRef()), self.view());
        self.versionCounter().bump();
        return self;
    }

    static DenseTensor fill(DenseTensor self, double value) {
        self.backend().fill(self.view(), value);
        self.versionCounter().bump();
        return self;
    }

    static DenseTensor cat(Tensor[] in, int dim) {
        DenseTensor first = null;
        for (Tensor t : in) {
            DenseTensor dt = Ops.d(t);
            if (!(dt.dim() == 1 && dt.numel() == 0)) {
                first = dt;
                break;
            }
        }
        if (first == null) first = Ops.d(in[0]);
        int r = first.dim();
        if (r == 0) throw new IllegalArgumentException("zero-dimensional tensor (at position 0) cannot be concatenated");
        int d = dim(dim, r);
        DType outType = Promotion.resultType(in);
        long total = 0;
        for (int i = 0; i < in.length; i++) {
            DenseTensor t = Ops.d(in[i]);
            if (t.dim() == 1 && t.numel() == 0 && r != 1) continue; // legacy: empty 1-D tensors are skipped
            if (t.dim() != r) {
                throw new IllegalArgumentException("Tensors must have same number of dimensions: got " + r + " and " + t.dim());
            }
            for (int k = 0; k < r; k++) {
                if (k != d && t.shapeRef()[k] != first.shapeRef()[k]) {
                    throw new IllegalArgumentException("Sizes of tensors must match except in dimension " + d + ". Expected size "
                            + first.shapeRef()[k] + " but got size " + t.shapeRef()[k] + " for tensor number " + i + " in the list.");
                }
            }
            total += t.shapeRef()[d];
        }
        long[] shape = first.shapeRef().clone();
        shape[d] = total;
        DenseTensor out = first.newTensor(outType, shape);
        long pos = 0;
        for (Tensor t0 : in) {
            DenseTensor t = sameBackend(out, Ops.d(t0), "cat");
            if (t.dim() == 1 && t.numel() == 0 && r != 1) continue;
            long len = t.shapeRef()[d];
            if (len == 0) continue;
            DenseTensor part = slice(out, d, pos, pos + len, 1);
            out.backend().copy(t.view(), part.view());
            pos += len;
        }
        return out;
    }

    static DenseTensor stack(Tensor[] in, int dim) {
        DenseTensor first = Ops.d(in[0]);
        for (int i = 1; i < in.length; i++) {
            if (!Arrays.equals(first.shapeRef(), Ops.d(in[i]).shapeRef())) {
                throw new IllegalArgumentException("stack expects each tensor to be equal size, but got " + Shapes.str(first.shapeRef())
                        + " at entry 0 and " + Shapes.str(Ops.d(in[i]).shapeRef()) + " at entry " + i);
            }
        }
        int d = dim < 0 ? dim + first.dim() + 1 : dim;
        if (d < 0 || d > first.dim()) {
            throw new IndexOutOfBoundsException("Dimension out of range (expected to be in range of [" + (-first.dim() - 1) + ", "
                    + first.dim() + "], but got " + dim + ")");
        }
        Tensor[] un = new Tensor[in.length];
        for (int i = 0; i < in.length; i++) un[i] = unsqueeze(Ops.d(in[i]), d);
        return cat(un, d);
    }

    static DenseTensor repeat(DenseTensor x, long[] repeats) {
        if (repeats.length < x.dim()) {
            throw new IllegalArgumentException("Number of dimensions of repeat dims can not be smaller than number of dimensions of tensor");
        }
        int r = repeats.length;
        long[] src = new long[r];
        Arrays.fill(src, 1);
        System.arraycopy(x.shapeRef(), 0, src, r - x.dim(), x.dim());
        DenseTensor base = reshape(x, src);
        long[] inter = new long[2 * r];
        long[] interSrc = new long[2 * r];
        long[] out = new long[r];
        for (int i = 0; i < r; i++) {
            if (repeats[i] < 0) throw new IllegalArgumentException("Trying to create tensor with negative dimension " + repeats[i]);
            inter[2 * i] = repeats[i];
            inter[2 * i + 1] = src[i];
            interSrc[2 * i] = 1;
            interSrc[2 * i + 1] = src[i];
            out[i] = repeats[i] * src[i];
        }
        DenseTensor expandedView = expand(reshape(base, interSrc), inter);
        return reshaped(clone(expandedView), out);
    }

    // ---------------------------------------------------------------- indexing
    static void checkIndex(DenseTensor index, String op) {
        if (index.dtype() != DType.INT64 && index.dtype() != DType.INT32) {
            throw new IllegalArgumentException(op + "(): Expected dtype int64 for index, but got " + index.dtype());
        }
    }

    static DenseTensor indexSelect(DenseTensor x, int dim, DenseTensor index) {
        checkIndex(index, "index_select");
        if (index.dim() > 1) throw new IllegalArgumentException("index_select(): Index is supposed to be a vector, got " + index.dim() + "-D");
        index = sameBackend(x, index, "index_select");
        if (x.dim() == 0) {
            return clone(x);
        }
        int d = dim(dim, x.dim());
        long[] shape = x.shapeRef().clone();
        shape[d] = index.numel();
        DenseTensor out = x.newTensor(x.dtype(), shape);
        DenseTensor idx = index.dim() == 0 ? reshape(index, new long[] {1}) : index;
        x.backend().indexSelect(x.view(), d, idx.view(), out.view());
        return out;
    }

    static DenseTensor gather(DenseTensor x, int dim, DenseTensor index) {
        checkIndex(index, "gather");
        index = sameBackend(x, index, "gather");
        int d = dim(dim, x.dim());
        if (index.dim() != x.dim()) {
            throw new IllegalArgumentException("Index tensor must have the same number of dimensions as input tensor");
        }
        for (int k = 0; k < x.dim(); k++) {
            if (k != d && index.shapeRef()[k] > x.shapeRef()[k]) {
                throw new IllegalArgumentException("Size does not match at dimension " + k + " expected index " + Shapes.str(index.shapeRef())
                        + " to be smaller than self " + Shapes.str(x.shapeRef()) + " apart from dimension " + d);
            }
        }
        DenseTensor out = x.newTensor(x.dtype(), index.shapeRef());
        x.backend().gather(x.view(), d, index.view(), out.view());
        return out;
    }

    static DenseTensor scatter(DenseTensor self, int dim, DenseTensor index, DenseTensor src, boolean add) {
        checkIndex(index, add ? "scatter_add" : "scatter");
        index = sameBackend(self, index, "scatter");
        src = sameBackend(self, src, "scatter");
        int d = dim(dim, self.dim());
        if (index.dim() != self.dim()) {
            throw new IllegalArgumentException("Index tensor must have the same number of dimensions as self tensor");
        }
        DenseTensor s = src.dim() == 0 ? expand(src, index.shapeRef()) : src;
        if (src.dim() != 0 && src.dim() != index.dim()) {
            throw new IllegalArgumentException("Index tensor must have the same number of dimensions as src tensor");
        }
        for (int k = 0; k < self.dim(); k++) {
            if ((k != d && index.shapeRef()[k] > self.shapeRef()[k]) || index.shapeRef()[k] > s.shapeRef()[k]) {
                throw new IllegalArgumentException("Expected index " + Shapes.str(index.shapeRef()) + " to be smaller than self "
                        + Shapes.str(self.shapeRef()) + " apart from dimension " + d + " and to be smaller size than src " + Shapes.str(s.shapeRef()));
            }
        }
        if (s.dtype() != self.dtype()) s = toCopy(s, self.dtype(), self.device());
        DenseTensor out = clone(self);
        self.backend().scatter(out.view(), d, index.view(), s.view(), add);
        return out;
    }

    static DenseTensor indexAdd(DenseTensor self, int dim, DenseTensor index, DenseTensor src) {
        checkIndex(index, "index_add");
        index = sameBackend(self, index, "index_add");
        src = sameBackend(self, src, "index_add");
        int d = self.dim() == 0 ? 0 : dim(dim, self.dim());
        if (index.dim() > 1) throw new IllegalArgumentException("index_add_(): Index is supposed to be a vector");
        long[] expect = self.shapeRef().clone();
        if (self.dim() > 0) expect[d] = index.numel();
        if (!Arrays.equals(expect, src.shapeRef())) {
            throw new IllegalArgumentException("index_add_(): Source/destination tensor must have same slice shapes. Destination slice shape: "
                    + Shapes.str(self.shapeRef()) + " at dimension " + d + " and source slice shape: " + Shapes.str(src.shapeRef())
                    + " at dimension 0.");
        }
        if (src.dtype() != self.dtype()) src = toCopy(src, self.dtype(), self.device());
        DenseTensor out = clone(self);
        DenseTensor idx = index.dim() == 0 ? reshape(index, new long[] {1}) : index;
        self.backend().indexAdd(out.view(), d, idx.view(), src.view());
        return out;
    }

    static DenseTensor nonzero(DenseTensor x) {
        long n = x.backend().countNonzero(x.view());
        DenseTensor out = x.newTensor(DType.INT64, new long[] {n, x.dim()});
        x.backend().nonzero(x.view(), out.view());
        return out;
    }

    static void checkMaskPrefix(DenseTensor x, DenseTensor mask) {
        if (mask.dim() > x.dim()) throw new IllegalArgumentException("too many indices for tensor of dimension " + x.dim());
        for (int i = 0; i < mask.dim(); i++) {
            if (mask.shapeRef()[i] != x.shapeRef()[i]) {
                throw new IndexOutOfBoundsException("The shape of the mask " + Shapes.str(mask.shapeRef()) + " at index " + i
                        + " does not match the shape of the indexed tensor " + Shapes.str(x.shapeRef()) + " at index " + i);
            }
        }
    }

    static DenseTensor maskedSelect(DenseTensor x, DenseTensor mask) {
        if (mask.dtype() != DType.BOOL) throw new IllegalArgumentException("masked_select: expected BoolTensor for mask");
        mask = sameBackend(x, mask, "masked_select");
        long[] shape = Shapes.broadcast(x.shapeRef(), mask.shapeRef());
        DenseTensor flatX = reshape(clone(expand(x, shape)), new long[] {-1});
        DenseTensor flatM = reshape(clone(expand(mask, shape)), new long[] {-1});
        DenseTensor idx = nonzero(flatM);
        return indexSelect(flatX, 0, reshape(idx, new long[] {-1}));
    }

    static DenseTensor maskedFill(DenseTensor x, DenseTensor mask, double value) {
        if (mask.dtype() != DType.BOOL) {
            throw new IllegalArgumentException("masked_fill_ only supports boolean masks, but got mask with dtype " + mask.dtype().torchName());
        }
        mask = sameBackend(x, mask, "masked_fill");
        long[] shape = Shapes.broadcast(x.shapeRef(), mask.shapeRef());
        DenseTensor out = clone(expand(x, shape));
        DenseTensor fillValue = x.newTensor(x.dtype(), new long[0]);
        x.backend().fill(fillValue.view(), value);
        x.backend().where(expanded(mask, shape), expanded(fillValue, shape), out.view(), out.view());
        return out;
    }
}
