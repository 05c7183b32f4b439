package dev.kindling.kernel.spi;

import dev.kindling.api.DType;
import dev.kindling.api.Device;

import java.util.List;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * A tensor backend: storage on one device type plus a compact set of strided kernels. Everything else (shape rules,
 * type promotion, views, composite ops, autograd) lives above it, in the kernel's op table, so a backend implements
 * only these primitives.
 *
 * <p>Kernels receive {@link View}s whose shapes the kernel has already checked and broadcast (inputs may carry
 * 0-strides); outputs are freshly allocated or are the input itself for in-place ops. Kernels must throw
 * {@link IndexOutOfBoundsException} with PyTorch's wording for out-of-range indices.
 *
 * <p>Registered as an OSGi service (Declarative Services) or, outside OSGi, through {@link java.util.ServiceLoader}.
 */
@ConsumerType
public interface TensorBackend {
    /** A unique name, e.g. {@code cpu-java}. */
    String name();

    /** The device type served: {@code cpu}, {@code cuda}. */
    String deviceType();

    /** Preference among backends of the same device type: higher wins unless the user chooses otherwise. */
    int rank();

    String version();

    Availability availability();

    /** The devices served, e.g. {@code [cuda:0, cuda:1]}; empty where unavailable. */
    List<Device> devices();

    /** A zero-filled storage. */
    Storage allocate(Device device, DType dtype, long numel);

    /** Copies a host array ({@code float[] double[] long[] int[] short[] byte[] boolean[]}) into new storage of {@code dtype}. */
    Storage fromHost(Device device, DType dtype, Object hostArray);

    /**
     * The elements of a view in row-major order as a host array of the dtype's natural Java type: {@code float[]}
     * (FLOAT32), {@code double[]} (FLOAT64), {@code long[]} (INT64), {@code int[]} (INT32), {@code short[]} (FLOAT16,
     * BFLOAT16 bits), {@code byte[]} (INT8, UINT8), {@code boolean[]} (BOOL).
     */
    Object toHost(View src);

    /**
     * Puts a view's elements, in row-major order, into {@code dst} from its position on (advancing it by
     * {@code src.numel()}), with no host array in between where the backend can: how a gradient goes into a
     * collective's direct buffer. {@code dst} is {@link HostBuffers#typeFor the dtype's buffer type}, writable, with
     * room for every element (the kernel checks that before calling). This default goes through {@link #toHost(View)}.
     */
    default void toHost(View src, java.nio.Buffer dst) {
        Object host = toHost(src);
        HostBuffers.put(dst, host, 0, java.lang.reflect.Array.getLength(host));
    }

    /**
     * Overwrites a view's elements, in row-major order, with the next {@code dst.numel()} elements of {@code src} (its
     * position advances by as many), under the same rules as {@link #toHost(View, java.nio.Buffer)}; {@code dst} has
     * no two elements in one place. This default goes through {@link #fromHost(Device, DType, Object)} and
     * {@link #copy}.
     */
    default void fromHost(java.nio.Buffer src, View dst) {
        int n = Math.toIntExact(dst.numel());
        Object host = HostBuffers.newArray(dst.dtype(), n);
        HostBuffers.get(src, host, 0, n);
        Storage staged = fromHost(dst.storage().device(), dst.dtype(), host);
        copy(new View(staged, dst.shape(), rowMajorStrides(dst.shape()), 0), dst);
    }

    void fill(View out, double value);

    /** Elementwise copy with dtype conversion; shapes are equal, {@code src} may broadcast. */
    void copy(View src, View dst);

    void unary(UnaryOp op, View in, View out);

    /** Elementwise clamp to [min, max]; NaN bounds mean "no bound"; NaN inputs stay NaN. */
    void clamp(View in, double min, double max, View out);

    void binary(BinaryOp op, View a, View b, View out, DType computeType);

    void where(View condition, View a, View b, View out);

    /**
     * {@code out = self <= threshold ? 0 : grad} (PyTorch's threshold_backward, ReLU's gradient), all three of one
     * dtype and shape. This default compares into a mask and selects with {@link #where}; a backend overrides it with
     * one pass.
     */
    default void thresholdBackward(View grad, View self, double threshold, View out) {
        long[] shape = out.shape();
        long[] broadcast = new long[shape.length];
        View bound = new View(allocate(out.storage().device(), self.dtype(), 1), shape, broadcast, 0);
        fill(bound, threshold);
        View dropped = contiguousLike(this, out, DType.BOOL);
        binary(BinaryOp.LE, self, bound, dropped, self.dtype());
        // allocate hands out zero-filled storage: 0 in every dtype
        where(dropped, new View(allocate(out.storage().device(), out.dtype(), 1), shape, broadcast, 0), grad, out);
    }

    /** Reduces {@code in} over {@code dims} into {@code out}, which has {@code in}'s rank with those dims of size 1. */
    void reduce(ReduceOp op, View in, int[] dims, View out);

    /** Max or min along one dim: values and INT64 indices (first occurrence; NaN propagates as PyTorch). */
    void argReduce(boolean max, View in, int dim, View values, View indices);

    /**
     * Batched matrix product: {@code a [B,M,K] @ b [B,K,N] -> out [B,M,N]}; {@code a} and {@code b} have one dtype, and
     * {@code out} has it too or, for float16/bfloat16 inputs, is float32 (addmm's float32 product, rounded once after
     * the addition).
     */
    void matmul(View a, View b, View out);

    /**
     * {@link #matmul} as if each float32 operand were first cast to {@code precision} (float16 or bfloat16): the
     * values are rounded as that cast rounds them and products accumulate in float32. {@code out} is in
     * {@code precision}, or float32, where {@code roundOutput} rounds the float32 result to {@code precision}'s values
     * (as a cast there and back would) and otherwise keeps it. Autocast's linear calls it so that a float32 weight is
     * never copied to the lower precision and its gradient is never copied back. This default makes the casts it
     * describes, with {@link #copy}; a backend overrides it to round while it packs.
     */
    default void matmulAt(View a, View b, View out, DType precision, boolean roundOutput) {
        View ra = roundedCopy(this, a, precision);
        View rb = roundedCopy(this, b, precision);
        if (out.dtype() == precision || !roundOutput) {
            matmul(ra, rb, out);
            return;
        }
        View half = contiguousLike(this, out, precision);
        matmul(ra, rb, half);
        copy(half, out);
    }

    /**
     * {@code v} cast to {@code precision} in {@code v}'s own strides (over a storage just large enough), so the product
     * runs in the layout it would run in on the cast tensor.
     */
    private static View roundedCopy(TensorBackend backend, View v, DType precision) {
        if (v.dtype() == precision) return v;
        long extent = 1;
        for (int d = 0; d < v.dim(); d++) {
            if (v.shape()[d] == 0) return contiguousLike(backend, v, precision);
            extent += (v.shape()[d] - 1) * v.strides()[d];
        }
        View cast = new View(backend.allocate(v.storage().device(), precision, extent), v.shape(), v.strides(), 0);
        backend.copy(v, cast);
        return cast;
    }

    private static View contiguousLike(TensorBackend backend, View v, DType dtype) {
        long[] shape = v.shape();
        return new View(backend.allocate(v.storage().device(), dtype, v.numel()), shape.clone(), rowMajorStrides(shape), 0);
    }

    private static long[] rowMajorStrides(long[] shape) {
        long[] strides = new long[shape.length];
        long s = 1;
        for (int d = shape.length - 1; d >= 0; d--) {
            strides[d] = s;
            s *= Math.max(shape[d], 1);
        }
        return strides;
    }

    /** (Log-)softmax along {@code dim}, numerically stable. */
    void softmax(View in, int dim, boolean log, View out);

    void indexSelect(View src, int dim, View index, View out);

    void gather(View src, int dim, View index, View out);

    /** {@code self[... index[i][j] ...] = src[i][j]} (or {@code +=} when accumulate) along {@code dim}, in place. */
    void scatter(View self, int dim, View index, View src, boolean accumulate);

    /** {@code self.index_add_(dim, index, src)} in place. */
    void indexAdd(View self, int dim, View index, View src);

    long countNonzero(View in);

    /** Indices of non-zero elements, row-major, into {@code out [n, in.dim()]} INT64. */
    void nonzero(View in, View out);

    /**
     * im2col (PyTorch's {@code F.unfold}): the sliding windows of {@code in [N, C, H, W]} into {@code out [N, C*kh*kw, oh*ow]}
     * (row {@code (c*kh + i)*kw + j}, column {@code y*ow + x}); positions in the padding read as zero. {@code out} is
     * strided (the kernel lays it out as {@code [C*kh*kw, N, oh*ow]} in memory): write through its strides.
     */
    void im2col(View in, Window2d w, View out);

    /**
     * col2im (PyTorch's {@code F.fold}), the adjoint of {@link #im2col}: adds each column of {@code cols [N, C*kh*kw, oh*ow]}
     * back to the input position it was read from, into {@code out [N, C, H, W]}, which the caller has zero-filled;
     * overlapping windows accumulate, padding positions are dropped.
     */
    void col2im(View cols, Window2d w, View out);

    /**
     * Max pooling of {@code in [N, C, H, W]} into {@code values [N, C, oh, ow]} and INT64 {@code indices} (same shape) holding
     * the flat position {@code y*W + x} of each maximum within its channel (PyTorch's {@code max_pool2d_with_indices}):
     * padding never wins, the first maximum in window order wins ties, a NaN wins over numbers.
     */
    void maxPool2d(View in, Window2d w, View values, View indices);

    /**
     * {@link #maxPool2d}'s gradient: {@code out [N, C, H, W]}, zero-filled, receives each {@code grad [N, C, oh, ow]}
     * element added at its channel's flat position {@code indices} (same shape as grad), in row-major order of grad.
     * This default is {@link #scatter} along the flattened planes (which checks the indices); a backend overrides it
     * with one pass.
     */
    default void maxPool2dBackward(View grad, View indices, View out) {
        long[] g = grad.shape(), o = out.shape();
        long[] flat = {g[0], g[1], g[2] * g[3]};
        View src = grad, idx = indices;
        if (grad.strides()[2] != g[3] * grad.strides()[3] || indices.strides()[2] != g[3] * indices.strides()[3]) {
            src = contiguousCopy(this, grad);
            idx = contiguousCopy(this, indices);
        }
        View planes = new View(out.storage(), new long[] {o[0], o[1], o[2] * o[3]}, new long[] {out.strides()[0], out.strides()[1], out.strides()[3]}, out.offset());
        scatter(planes, 2, new View(idx.storage(), flat, new long[] {idx.strides()[0], idx.strides()[1], idx.strides()[3]}, idx.offset()),
                new View(src.storage(), flat, new long[] {src.strides()[0], src.strides()[1], src.strides()[3]}, src.offset()), true);
    }

    private static View contiguousCopy(TensorBackend backend, View v) {
        View copy = contiguousLike(backend, v, v.dtype());
        backend.copy(v, copy);
        return copy;
    }

    /**
     * conv2d's product: {@code out [N, O, oh, ow]} (contiguous) = {@code weight [O, k]} @ {@code columns [N, k, oh*ow]},
     * plus {@code bias [O]} (null: none) on each channel, all of one dtype; float16/bfloat16 accumulate in float32 and
     * round once, after the bias. This default multiplies with {@link #matmul} into a buffer (float32 for half
     * dtypes): one product over all samples where the columns are laid out {@code [k, N, L]} (im2col's layout), one per
     * sample otherwise; then it adds the bias with {@link #binary} and {@link #copy}s into {@code out}. A backend
     * overrides it to write the output, bias added, as the product finishes.
     */
    default void conv2dColumns(View columns, View weight, View bias, View out) {
        long[] cs = columns.shape(), st = columns.strides(), ws = weight.strides();
        long n = cs[0], k = cs[1], l = cs[2], o = weight.shape()[0];
        DType dtype = out.dtype();
        boolean half = dtype == DType.FLOAT16 || dtype == DType.BFLOAT16;
        DType acc = half ? DType.FLOAT32 : dtype;
        Device device = out.storage().device();
        Storage product = allocate(device, acc, o * n * l);
        View a = new View(weight.storage(), new long[] {1, o, k}, new long[] {0, ws[0], ws[1]}, weight.offset());
        long[] productStrides;
        if (n == 1 || im2colLayout(columns)) {
            // all samples' columns as one [k, N*L] matrix: the product is [O, N*L], i.e. [N, O, L] with strides (L, N*L, 1)
            long rs = n == 1 ? st[1] : n * l, cstep = n == 1 ? st[2] : 1;
            matmul(a, new View(columns.storage(), new long[] {1, k, n * l}, new long[] {0, rs, cstep}, columns.offset()),
                    new View(product, new long[] {1, o, n * l}, new long[] {0, n * l, 1}, 0));
            productStrides = new long[] {l, n * l, 1};
        } else {
            for (long i = 0; i < n; i++) {
                matmul(a, new View(columns.storage(), new long[] {1, k, l}, new long[] {0, st[1], st[2]}, columns.offset() + i * st[0]),
                        new View(product, new long[] {1, o, l}, new long[] {0, l, 1}, i * o * l));
            }
            productStrides = new long[] {o * l, l, 1};
        }
        long[] shape = {n, o, l};
        View sum = new View(product, shape, productStrides, 0);
        View dst = new View(out.storage(), shape, new long[] {o * l, l, 1}, out.offset());
        if (bias == null) {
            copy(sum, dst);
            return;
        }
        View b = bias;
        if (half) {
            b = new View(allocate(device, acc, o), new long[] {o}, new long[] {1}, 0);
            copy(bias, b);
        }
        View spread = new View(b.storage(), shape, new long[] {0, b.strides()[0], 0}, b.offset());
        if (half) {
            binary(BinaryOp.ADD, sum, spread, sum, acc);
            copy(sum, dst);
        } else {
            binary(BinaryOp.ADD, sum, spread, dst, acc);
        }
    }

    /**
     * conv2d's input gradient: {@code out [N, C, H, W]} (zero-filled) receives {@link #col2im} of the columns' gradient
     * {@code weight [O, k]}ᵀ @ {@code grad [N, O, oh, ow]}. This default copies the gradient into an {@code [O, N*L]}
     * matrix for one {@link #matmul} into columns laid out as im2col lays them, then calls col2im; a backend overrides
     * it to read the gradient where it is and to sum each part of the columns while it is in cache.
     */
    default void conv2dBackwardInput(View grad, View weight, Window2d w, View out) {
        long[] gs = grad.shape(), ws = weight.strides();
        long n = gs[0], o = gs[1], l = gs[2] * gs[3], k = weight.shape()[1];
        View a = new View(weight.storage(), new long[] {1, k, o}, new long[] {0, ws[1], ws[0]}, weight.offset());
        Storage cols = allocate(out.storage().device(), out.dtype(), k * n * l);
        matmul(a, convGradientMatrix(this, grad), new View(cols, new long[] {1, k, n * l}, new long[] {0, n * l, 1}, 0));
        col2im(new View(cols, new long[] {n, k, l}, new long[] {l, n * l, 1}, 0), w, out);
    }

    /**
     * conv2d's weight gradient: {@code out [O, k]} (contiguous) = Σ over samples of {@code grad [N, O, oh,
     * ow]} @ {@code columns [N, k, L]}ᵀ. This default lays both out as matrices over all samples for one {@link #matmul}.
     */
    default void conv2dColumnsBackwardWeight(View grad, View columns, View out) {
        long[] cs = columns.shape();
        long n = cs[0], k = cs[1], l = cs[2], o = grad.shape()[1];
        View g2 = convGradientMatrix(this, grad);
        View cols = columns;
        if (!im2colLayout(columns)) {
            cols = new View(allocate(columns.storage().device(), columns.dtype(), n * k * l), cs, new long[] {l, n * l, 1}, 0);
            copy(columns, cols);
        }
        // columns in im2col's layout are the [k, N*L] matrix; its transpose [N*L, k] has strides (1, N*L)
        View colsT = new View(cols.storage(), new long[] {1, n * l, k}, new long[] {0, 1, n * l}, cols.offset());
        matmul(g2, colsT, new View(out.storage(), new long[] {1, o, k}, new long[] {0, k, 1}, out.offset()));
    }

    /** {@code [N, k, L]} columns as im2col lays them out: the {@code [k, N*L]} matrix, rows N*L apart. */
    private static boolean im2colLayout(View columns) {
        long[] cs = columns.shape(), st = columns.strides();
        return st[2] == 1 && st[0] == cs[2] && st[1] == cs[0] * cs[2];
    }

    /** A {@code [N, O, oh, ow]} gradient copied into a contiguous {@code [O, N*L]} matrix, as {@code [1, O, N*L]}. */
    private static View convGradientMatrix(TensorBackend backend, View grad) {
        long[] gs = grad.shape(), st = grad.strides();
        long n = gs[0], o = gs[1], l = gs[2] * gs[3];
        Storage s = backend.allocate(grad.storage().device(), grad.dtype(), o * n * l);
        backend.copy(new View(grad.storage(), new long[] {o, n, gs[2], gs[3]}, new long[] {st[1], st[0], st[2], st[3]}, grad.offset()),
                new View(s, new long[] {o, n, gs[2], gs[3]}, new long[] {n * l, l, gs[3], 1}, 0));
        return new View(s, new long[] {1, o, n * l}, new long[] {0, n * l, 1}, 0);
    }

    /** Batched matrix inverse {@code [B,n,n]}; throws for singular matrices. */
    void inverse(View in, View out);
}
