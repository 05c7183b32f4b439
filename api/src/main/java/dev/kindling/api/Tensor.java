package dev.kindling.api;

import dev.kindling.api.autograd.GradFn;
import dev.kindling.api.autograd.RemovableHandle;

import java.util.List;
import java.util.function.Function;

import org.osgi.annotation.versioning.ProviderType;

/**
 * An n-dimensional array on a device, with PyTorch's semantics: broadcasting, type promotion, strided views that share
 * storage, and (with the autograd bundle installed) gradients.
 *
 * <p>Naming follows PyTorch in lowerCamelCase; in-place variants end in {@code _}. Shapes and sizes are {@code long},
 * dimensions {@code int} (negative dimensions count from the end). Scalar overloads take {@code double} (a Python
 * float: an integer tensor plus a double gives a float tensor) or {@code long} (a Python int: the tensor's dtype
 * wins).
 */
// Implemented by the kernel; users call it. A new op is a minor change of this package.
@ProviderType
public interface Tensor extends TensorMethods {

    /** The result of {@code max(dim)}, {@code min(dim)}: values and their INT64 indices. */
    record ValuesIndices(Tensor values, Tensor indices) {}

    // ---- metadata ----
    long[] shape();
    long size(int dim);
    /** The shape as PyTorch's {@code t.size()}: a {@link Size} that prints {@code torch.Size([2, 3])}. */
    Size size();
    long[] stride();
    long storageOffset();
    int dim();
    long numel();
    DType dtype();
    Device device();
    boolean isContiguous();
    /** The name of the backend that holds this tensor's storage (e.g. {@code cpu-java}). */
    String backendName();

    // ---- arithmetic ----
    Tensor add(Tensor other);
    Tensor add(Tensor other, double alpha);
    Tensor add(double other);
    Tensor add(long other);
    Tensor sub(Tensor other);
    Tensor sub(Tensor other, double alpha);
    Tensor sub(double other);
    Tensor sub(long other);
    Tensor mul(Tensor other);
    Tensor mul(double other);
    Tensor mul(long other);
    /** True division: integer inputs give a floating result. */
    Tensor div(Tensor other);
    Tensor div(double other);
    Tensor div(long other);
    /** Python's {@code %}: the result has the sign of the divisor. */
    Tensor remainder(Tensor other);
    Tensor remainder(double other);
    Tensor pow(Tensor exponent);
    Tensor pow(double exponent);
    Tensor pow(long exponent);
    Tensor neg();
    Tensor maximum(Tensor other);
    Tensor minimum(Tensor other);
    Tensor atan2(Tensor other);

    // ---- unary ----
    Tensor exp();
    Tensor exp2();
    Tensor expm1();
    Tensor log();
    Tensor log2();
    Tensor log10();
    Tensor log1p();
    Tensor sqrt();
    Tensor rsqrt();
    Tensor abs();
    Tensor sign();
    Tensor sin();
    Tensor cos();
    Tensor tan();
    Tensor asin();
    Tensor acos();
    Tensor atan();
    Tensor sinh();
    Tensor cosh();
    Tensor tanh();
    Tensor sigmoid();
    Tensor relu();
    Tensor erf();
    Tensor floor();
    Tensor ceil();
    /** Rounds half to even, as {@code torch.round}. */
    Tensor round();
    Tensor trunc();
    Tensor reciprocal();
    Tensor square();
    /** Clamps to [min, max]; double bounds are Python floats, so an integer tensor gives a float result. */
    Tensor clamp(double min, double max);
    /** Clamps to [min, max] keeping an integer tensor's dtype. */
    Tensor clamp(long min, long max);
    Tensor clampMin(double min);
    Tensor clampMax(double max);
    /** {@code torch.clip}, an alias of {@link #clamp(double, double)}. */
    Tensor clip(double min, double max);
    Tensor isnan();
    Tensor isinf();
    Tensor isfinite();

    // ---- comparisons and logic (BOOL results) ----
    Tensor eq(Tensor other);
    Tensor eq(double other);
    Tensor ne(Tensor other);
    Tensor ne(double other);
    Tensor lt(Tensor other);
    Tensor lt(double other);
    Tensor le(Tensor other);
    Tensor le(double other);
    Tensor gt(Tensor other);
    Tensor gt(double other);
    Tensor ge(Tensor other);
    Tensor ge(double other);
    Tensor logicalAnd(Tensor other);
    Tensor logicalOr(Tensor other);
    Tensor logicalXor(Tensor other);
    Tensor logicalNot();
    /** Same shape and elements ({@code torch.equal}). */
    boolean equal(Tensor other);
    /** {@code |a - b| <= atol + rtol * |b|} everywhere ({@code torch.allclose}). */
    boolean allclose(Tensor other, double rtol, double atol);
    /** {@code allclose} with PyTorch's defaults rtol=1e-5, atol=1e-8. */
    boolean allclose(Tensor other);

    // ---- reductions ----
    Tensor sum();
    Tensor sum(int dim);
    Tensor sum(int dim, boolean keepdim);
    Tensor sum(int[] dims, boolean keepdim);
    Tensor mean();
    Tensor mean(int dim);
    Tensor mean(int dim, boolean keepdim);
    Tensor mean(int[] dims, boolean keepdim);
    Tensor prod();
    Tensor prod(int dim, boolean keepdim);
    Tensor prod(int dim);
    /** The maximum of all elements, 0-dim. */
    Tensor max();
    ValuesIndices max(int dim);
    ValuesIndices max(int dim, boolean keepdim);
    Tensor min();
    ValuesIndices min(int dim);
    ValuesIndices min(int dim, boolean keepdim);
    Tensor argmax();
    Tensor argmax(int dim, boolean keepdim);
    Tensor argmax(int dim);
    Tensor argmin();
    Tensor argmin(int dim, boolean keepdim);
    Tensor argmin(int dim);
    /** Unbiased (Bessel-corrected) standard deviation of all elements. */
    Tensor std();
    Tensor std(boolean unbiased);
    Tensor std(int dim, boolean keepdim);
    Tensor std(int dim, boolean unbiased, boolean keepdim);
    Tensor std(int dim);
    Tensor var();
    Tensor var(boolean unbiased);
    Tensor var(int dim, boolean keepdim);
    Tensor var(int dim, boolean unbiased, boolean keepdim);
    Tensor var(int dim);
    /** The 2-norm of all elements. */
    Tensor norm();
    Tensor norm(double p);
    Tensor norm(double p, int dim, boolean keepdim);
    Tensor norm(double p, int dim);
    Tensor logsumexp(int dim);
    Tensor logsumexp(int dim, boolean keepdim);
    Tensor all();
    Tensor any();

    Tensor softmax(int dim);
    Tensor logSoftmax(int dim);

    // ---- matrix ----
    Tensor matmul(Tensor other);
    Tensor mm(Tensor other);
    Tensor bmm(Tensor other);
    Tensor inverse();

    // ---- shape and views ----
    /** A view with a new shape (one dimension may be -1); fails where the strides do not allow it. */
    Tensor view(long... shape);
    Tensor viewAs(Tensor other);
    /** A view where possible, a copy otherwise. */
    Tensor reshape(long... shape);
    Tensor flatten();
    Tensor flatten(int startDim, int endDim);
    Tensor squeeze();
    Tensor squeeze(int dim);
    Tensor unsqueeze(int dim);
    /** Transpose of a tensor of at most 2 dimensions. */
    Tensor t();
    Tensor transpose(int dim0, int dim1);
    Tensor permute(int... dims);
    Tensor expand(long... shape);
    Tensor expandAs(Tensor other);
    Tensor narrow(int dim, long start, long length);
    Tensor repeat(long... repeats);
    /**
     * Sliding windows along {@code dimension} as a view (PyTorch's {@code Tensor.unfold}): that dimension becomes the
     * number of windows and a new last dimension of length {@code size} holds each window.
     */
    Tensor unfold(int dimension, long size, long step);
    /**
     * Constant padding ({@code F.pad(x, padding, value=value)}): {@code padding} holds (left, right) pairs starting
     * from the last dimension; negative amounts crop.
     */
    Tensor pad(long[] padding, double value);
    List<Tensor> split(long splitSize, int dim);
    List<Tensor> chunk(int chunks, int dim);
    Tensor contiguous();
    Tensor clone();
    /** A tensor that shares storage but is cut from the autograd graph. */
    Tensor detach();

    /**
     * This tensor's data without its autograd history (PyTorch's {@code t.data}): a new tensor on the same storage that
     * does not require grad. Writes into it are not seen by autograd.
     */
    Tensor data();

    /**
     * Points this tensor at {@code other}'s storage, dtype, device and shape (PyTorch's {@code t.data = other}). The
     * tensor keeps its identity, so every reference to it (an optimizer's parameter list, a module's field) sees the
     * new data, and keeps its autograd state ({@code requiresGrad}, hooks). Views taken earlier keep the old storage.
     * Returns this tensor.
     */
    Tensor setData(Tensor other);

    // ---- indexing ----
    /** {@code t[i]}: select along dimension 0. */
    Tensor get(long index);
    /** {@code t[i, j, ...]}: select along the leading dimensions. */
    Tensor get(long... indices);
    /** NumPy/PyTorch slice syntax: {@code "1:3, :"}, {@code "..., ::2"}, {@code "None, -1"}; a view. */
    Tensor index(String spec);
    /** {@code t[idx]} with an INT64 index tensor (gathers along dim 0), or a BOOL mask ({@code maskedSelect}). */
    Tensor index(Tensor indices);
    Tensor select(int dim, long index);
    Tensor slice(int dim, long start, long end, long step);
    Tensor maskedSelect(Tensor mask);
    Tensor indexSelect(int dim, Tensor index);
    Tensor gather(int dim, Tensor index);
    Tensor scatter(int dim, Tensor index, Tensor src);
    Tensor scatter(int dim, Tensor index, double value);
    Tensor scatterAdd(int dim, Tensor index, Tensor src);
    Tensor indexAdd(int dim, Tensor index, Tensor source);
    Tensor maskedFill(Tensor mask, double value);
    Tensor where(Tensor condition, Tensor other);
    /** {@code x.where(cond, 0.0)}: {@code other} is a Python float in type promotion. */
    Tensor where(Tensor condition, double other);
    /** {@code torch.where(cond, value, this)}: {@code value} where the condition holds, this tensor elsewhere. */
    Tensor whereFlipped(Tensor condition, double value);
    /** {@code t[spec] = value}: writes in place, returns this tensor. */
    Tensor indexPut(String spec, Tensor value);
    Tensor indexPut(String spec, double value);

    // ---- in place (return this tensor) ----
    Tensor add_(Tensor other);
    Tensor add_(Tensor other, double alpha);
    Tensor add_(double other);
    Tensor add_(long other);
    Tensor sub_(Tensor other);
    Tensor sub_(double other);
    Tensor sub_(long other);
    Tensor mul_(Tensor other);
    Tensor mul_(double other);
    Tensor mul_(long other);
    Tensor div_(Tensor other);
    Tensor div_(double other);
    Tensor pow_(double exponent);
    Tensor neg_();
    Tensor exp_();
    Tensor log_();
    Tensor sqrt_();
    Tensor abs_();
    Tensor relu_();
    Tensor sigmoid_();
    Tensor tanh_();
    Tensor clamp_(double min, double max);
    Tensor zero_();
    Tensor fill_(double value);
    Tensor copy_(Tensor src);
    Tensor maskedFill_(Tensor mask, double value);
    Tensor scatter_(int dim, Tensor index, Tensor src);
    Tensor scatterAdd_(int dim, Tensor index, Tensor src);
    Tensor indexAdd_(int dim, Tensor index, Tensor source);
    /** {@code this += value * t1 * t2}. */
    Tensor addcmul_(Tensor t1, Tensor t2, double value);
    /** {@code this += value * t1 / t2}. */
    Tensor addcdiv_(Tensor t1, Tensor t2, double value);
    /** {@code this += weight * (end - this)}. */
    Tensor lerp_(Tensor end, double weight);
    /** Fills with uniform samples in [from, to) from the default generator. */
    Tensor uniform_(double from, double to);
    Tensor uniform_(double from, double to, Generator generator);
    Tensor normal_(double mean, double std);
    Tensor normal_(double mean, double std, Generator generator);
    /** Fills with Bernoulli(p) samples (0 or 1). */
    Tensor bernoulli_(double p, Generator generator);

    // ---- conversion ----
    Tensor to(DType dtype);
    Tensor to(Device device);
    /** {@code "cuda:0"}, {@code "cpu"}. */
    Tensor to(String device);
    Tensor cuda();
    Tensor cpu();
    Tensor toFloat();
    Tensor toDouble();
    Tensor toHalf();
    Tensor toLong();
    Tensor toInt();
    Tensor toBool();
    /** The single value of a one-element tensor. */
    double item();
    long itemLong();
    /** Row-major copies of the elements. */
    float[] toFloatArray();
    double[] toDoubleArray();
    long[] toLongArray();
    int[] toIntArray();
    boolean[] toBooleanArray();
    /**
     * Puts the elements, in row-major order, into {@code dst} from its position on, advancing the position by
     * {@link #numel()}, with no array in between (a direct buffer handed to native code, a memory-mapped file).
     * {@code dst} is the dtype's buffer type: {@code FloatBuffer} for FLOAT32, {@code DoubleBuffer} FLOAT64,
     * {@code LongBuffer} INT64, {@code IntBuffer} INT32, {@code ShortBuffer} FLOAT16/BFLOAT16 (the bits),
     * {@code ByteBuffer} INT8/UINT8/BOOL (BOOL as 0 and 1). A buffer of another type, a read-only one or one with less
     * room than the elements is refused with an {@link IllegalArgumentException} before anything is written.
     */
    void copyTo(java.nio.Buffer dst);
    /**
     * In place: overwrites the elements, in row-major order, with the next {@link #numel()} elements of {@code src}
     * (its position advances by as many), the buffer types as {@link #copyTo(java.nio.Buffer)}'s. The write is not
     * recorded by autograd: a tensor that requires grad is refused while grad mode is on (call it under
     * {@code Torch.noGrad()}, as for loading weights); like every in-place op it bumps the version counter, so a
     * backward that saved this tensor fails instead of using the new values. A buffer of another type or with fewer
     * elements, or a tensor with two elements in one place (an expanded view), is refused before anything changes.
     */
    Tensor copy_(java.nio.Buffer src);
    /**
     * The elements as nested Java lists (PyTorch's {@code t.tolist()}): {@code Double} for floating dtypes, {@code Long}
     * for integers, {@code Boolean} for BOOL; a 0-dim tensor gives the bare number.
     */
    Object tolist();

    // ---- autograd (needs the autograd bundle for anything but the default state) ----
    boolean requiresGrad();
    Tensor requiresGrad_(boolean requiresGrad);
    /** The accumulated gradient, or null. */
    Tensor grad();
    /** Sets (or clears, with null) the gradient. */
    void setGrad(Tensor grad);
    /** The node that created this tensor, or null for leaves. */
    GradFn gradFn();
    boolean isLeaf();
    void retainGrad();
    boolean retainsGrad();
    void backward();
    void backward(Tensor gradient);
    void backward(Tensor gradient, boolean retainGraph, boolean createGraph);
    RemovableHandle registerHook(Function<Tensor, Tensor> hook);
    /**
     * Calls {@code hook} with this leaf tensor each time a backward pass has accumulated a gradient into its
     * {@link #grad()} (PyTorch's {@code register_post_accumulate_grad_hook}): the moment a parameter's gradient is
     * ready, which is when {@code DistributedDataParallel} starts reducing it. Not called by {@code Autograd.grad},
     * which accumulates nothing. Leaves that require grad only.
     */
    RemovableHandle registerPostAccumulateGradHook(java.util.function.Consumer<Tensor> hook);

    /** Prints as PyTorch's {@code print(t)}. */
    @Override
    String toString();
}
