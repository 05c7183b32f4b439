package dev.kindling.kernel.ops;

import dev.kindling.api.DType;
import dev.kindling.api.Device;
import dev.kindling.api.Generator;
import dev.kindling.api.Tensor;
import dev.kindling.api.autograd.GradFn;
import dev.kindling.api.autograd.RemovableHandle;
import dev.kindling.kernel.spi.BinaryOp;
import dev.kindling.kernel.spi.HostBuffers;
import dev.kindling.kernel.spi.Storage;
import dev.kindling.kernel.spi.TensorBackend;
import dev.kindling.kernel.spi.UnaryOp;
import dev.kindling.kernel.spi.View;
import dev.kindling.kernel.tensor.BackendHandle;
import dev.kindling.kernel.tensor.Formatter;
import dev.kindling.kernel.tensor.HostData;
import dev.kindling.kernel.tensor.Shapes;
import dev.kindling.kernel.tensor.TensorImpl;
import dev.kindling.kernel.tensor.VersionCounter;

import java.util.List;
import java.util.function.Function;

/**
 * The kernel's tensor as users see it: the {@link Tensor} API over a strided {@link TensorImpl}. Every op goes
 * through the op table ({@link Ops}); views share storage and the version counter; the autograd engine keeps its
 * state in {@link #autogradMeta()}. The implementation behind a tensor can be repointed ({@link #setData}) without
 * changing the tensor's identity.
 */
public final class DenseTensor implements Tensor {
    private final OpRuntime kernel;
    private final TensorImpl impl;
    private final DenseTensor base;
    private volatile Object autogradMeta;

    private DenseTensor(OpRuntime kernel, TensorImpl impl, DenseTensor base) {
        this.kernel = kernel;
        this.impl = impl;
        this.base = base;
    }

    /** The tensor of {@code impl}, owned by {@code kernel}. */
    public static DenseTensor of(OpRuntime kernel, TensorImpl impl) { return new DenseTensor(kernel, impl, null); }

    /** A new tensor owning {@code storage}, laid out contiguously. */
    public static DenseTensor contiguous(OpRuntime kernel, BackendHandle handle, Storage storage, long[] shape) {
        return of(kernel, TensorImpl.contiguous(handle, storage, shape));
    }

    /** A 0-dim tensor standing for a Java scalar in type promotion (PyTorch's wrapped number). */
    public static DenseTensor wrappedNumber(OpRuntime kernel, BackendHandle handle, Storage storage) {
        return of(kernel, TensorImpl.wrappedNumber(handle, storage));
    }

    /** A zero-filled contiguous tensor on the given backend. */
    public static DenseTensor allocate(OpRuntime kernel, BackendHandle handle, Device device, DType dtype, long[] shape) {
        Storage s = handle.backend().allocate(device, dtype, Shapes.numel(shape));
        return contiguous(kernel, handle, s, shape);
    }

    /** A view on the same storage (shares the version counter; its base is this tensor's base). */
    public DenseTensor asView(long[] newShape, long[] newStrides, long newOffset) {
        return new DenseTensor(kernel, impl.restrided(newShape, newStrides, newOffset), base != null ? base : this);
    }

    /** Same storage, no view relation and no autograd state ({@code detach}). */
    public DenseTensor shallowCopy() { return new DenseTensor(kernel, impl.alias(), base); }

    /**
     * A zero-filled tensor on this tensor's backend and device whose elements lie in a dense block in the order
     * {@code strides} give (a permutation of the contiguous layout), for ops whose consumers read another order.
     */
    public DenseTensor newTensorStrided(DType dtype, long[] newShape, long[] newStrides) {
        Storage s = backend().allocate(device(), dtype, Shapes.numel(newShape));
        return of(kernel, TensorImpl.strided(handle(), s, newShape, newStrides));
    }

    /** A zero-filled contiguous tensor on this tensor's backend and device. */
    public DenseTensor newTensor(DType dtype, long[] newShape) {
        return allocate(kernel, handle(), device(), dtype, newShape);
    }

    public OpRuntime kernel() { return kernel; }

    /** The strided implementation behind this tensor. */
    public TensorImpl impl() { return impl; }

    /**
     * Points this tensor at {@code other}'s storage ({@code t.data = other}): the tensor keeps its identity and its
     * autograd state; its views keep the old storage, as in PyTorch.
     */
    @Override
    public Tensor setData(Tensor other) {
        impl.setData(Ops.d(other).impl);
        return this;
    }

    @Override
    public Tensor data() { return shallowCopy(); }

    public BackendHandle handle() { return impl.handle(); }

    /** This tensor's backend, or a clear error if it went away. */
    public TensorBackend backend() { return impl.backend(); }

    public Storage storage() { return impl.storage(); }

    public View view() { return impl.view(); }

    public VersionCounter versionCounter() { return impl.versionCounter(); }

    public int version() { return impl.versionCounter().get(); }

    /** The tensor this one is a view of, or null. */
    public DenseTensor base() { return base; }

    public boolean isView() { return base != null; }

    public boolean isWrappedNumber() { return impl.isWrappedNumber(); }

    public Object autogradMeta() { return autogradMeta; }

    public void setAutogradMeta(Object meta) { this.autogradMeta = meta; }

    /** Any op of the table by name, as the generated {@code TensorMethods} and {@code TorchFunctions} call it. */
    @Override
    public Tensor[] callOp(String name, Tensor[] inputs, Object... attributes) {
        OpDef op = Ops.byName(name);
        return Dispatcher.dispatch(op, inputs, op.attrs(attributes));
    }

    // ---- metadata ----
    @Override public long[] shape() { return impl.shapeRef().clone(); }
    /** The shape array itself, not a copy: callers must not modify it. */
    public long[] shapeRef() { return impl.shapeRef(); }
    public long[] stridesRef() { return impl.stridesRef(); }
    @Override public long size(int dim) { long[] s = impl.shapeRef(); return s[Shapes.dim(dim, s.length)]; }
    @Override public dev.kindling.api.Size size() { return dev.kindling.api.Size.of(impl.shapeRef()); }
    @Override public long[] stride() { return impl.stridesRef().clone(); }
    @Override public long storageOffset() { return impl.offset(); }
    @Override public int dim() { return impl.dim(); }
    @Override public long numel() { return impl.numel(); }
    @Override public DType dtype() { return impl.dtype(); }
    @Override public Device device() { return impl.device(); }
    @Override public boolean isContiguous() { return impl.isContiguous(); }
    @Override public String backendName() { return impl.handle().unchecked().name(); }

    // ---- arithmetic ----
    @Override public Tensor add(Tensor other) { return Ops.add(this, other, 1.0); }
    @Override public Tensor add(Tensor other, double alpha) { return Ops.add(this, other, alpha); }
    @Override public Tensor add(double other) { return Ops.add(this, Ops.scalar(this, other), 1.0); }
    @Override public Tensor add(long other) { return Ops.add(this, Ops.scalar(this, other), 1.0); }
    @Override public Tensor sub(Tensor other) { return Ops.sub(this, other, 1.0); }
    @Override public Tensor sub(Tensor other, double alpha) { return Ops.sub(this, other, alpha); }
    @Override public Tensor sub(double other) { return Ops.sub(this, Ops.scalar(this, other), 1.0); }
    @Override public Tensor sub(long other) { return Ops.sub(this, Ops.scalar(this, other), 1.0); }
    @Override public Tensor mul(Tensor other) { return Ops.binary(BinaryOp.MUL, this, other); }
    @Override public Tensor mul(double other) { return Ops.binary(BinaryOp.MUL, this, Ops.scalar(this, other)); }
    @Override public Tensor mul(long other) { return Ops.binary(BinaryOp.MUL, this, Ops.scalar(this, other)); }
    @Override public Tensor div(Tensor other) { return Ops.binary(BinaryOp.DIV, this, other); }
    @Override public Tensor div(double other) { return Ops.binary(BinaryOp.DIV, this, Ops.scalar(this, other)); }
    @Override public Tensor div(long other) { return Ops.binary(BinaryOp.DIV, this, Ops.scalar(this, other)); }
    @Override public Tensor remainder(Tensor other) { return Ops.binary(BinaryOp.REMAINDER, this, other); }
    @Override public Tensor remainder(double other) { return Ops.binary(BinaryOp.REMAINDER, this, Ops.scalar(this, other)); }
    @Override public Tensor pow(Tensor exponent) { return Ops.binary(BinaryOp.POW, this, exponent); }
    @Override public Tensor pow(double exponent) { return Ops.powScalar(this, Ops.scalar(this, exponent)); }
    @Override public Tensor pow(long exponent) { return Ops.powScalar(this, Ops.scalar(this, exponent)); }
    @Override public Tensor neg() { return Ops.unary(UnaryOp.NEG, this); }
    @Override public Tensor maximum(Tensor other) { return Ops.binary(BinaryOp.MAXIMUM, this, other); }
    @Override public Tensor minimum(Tensor other) { return Ops.binary(BinaryOp.MINIMUM, this, other); }
    @Override public Tensor atan2(Tensor other) { return Ops.binary(BinaryOp.ATAN2, this, other); }

    // ---- unary ----
    @Override public Tensor exp() { return Ops.unary(UnaryOp.EXP, this); }
    @Override public Tensor exp2() { return Ops.unary(UnaryOp.EXP2, this); }
    @Override public Tensor expm1() { return Ops.unary(UnaryOp.EXPM1, this); }
    @Override public Tensor log() { return Ops.unary(UnaryOp.LOG, this); }
    @Override public Tensor log2() { return Ops.unary(UnaryOp.LOG2, this); }
    @Override public Tensor log10() { return Ops.unary(UnaryOp.LOG10, this); }
    @Override public Tensor log1p() { return Ops.unary(UnaryOp.LOG1P, this); }
    @Override public Tensor sqrt() { return Ops.unary(UnaryOp.SQRT, this); }
    @Override public Tensor rsqrt() { return Ops.unary(UnaryOp.RSQRT, this); }
    @Override public Tensor abs() { return Ops.unary(UnaryOp.ABS, this); }
    @Override public Tensor sign() { return Ops.unary(UnaryOp.SIGN, this); }
    @Override public Tensor sin() { return Ops.unary(UnaryOp.SIN, this); }
    @Override public Tensor cos() { return Ops.unary(UnaryOp.COS, this); }
    @Override public Tensor tan() { return Ops.unary(UnaryOp.TAN, this); }
    @Override public Tensor asin() { return Ops.unary(UnaryOp.ASIN, this); }
    @Override public Tensor acos() { return Ops.unary(UnaryOp.ACOS, this); }
    @Override public Tensor atan() { return Ops.unary(UnaryOp.ATAN, this); }
    @Override public Tensor sinh() { return Ops.unary(UnaryOp.SINH, this); }
    @Override public Tensor cosh() { return Ops.unary(UnaryOp.COSH, this); }
    @Override public Tensor tanh() { return Ops.unary(UnaryOp.TANH, this); }
    @Override public Tensor sigmoid() { return Ops.unary(UnaryOp.SIGMOID, this); }
    @Override public Tensor relu() { return Ops.unary(UnaryOp.RELU, this); }
    @Override public Tensor erf() { return Ops.unary(UnaryOp.ERF, this); }
    @Override public Tensor floor() { return Ops.unary(UnaryOp.FLOOR, this); }
    @Override public Tensor ceil() { return Ops.unary(UnaryOp.CEIL, this); }
    @Override public Tensor round() { return Ops.unary(UnaryOp.ROUND, this); }
    @Override public Tensor trunc() { return Ops.unary(UnaryOp.TRUNC, this); }
    @Override public Tensor reciprocal() { return Ops.unary(UnaryOp.RECIPROCAL, this); }
    @Override public Tensor square() { return Ops.powScalar(this, Ops.scalar(this, 2L)); }
    @Override public Tensor clamp(double min, double max) { return Ops.clamp(this, min, max); }
    @Override public Tensor clamp(long min, long max) { return Ops.clampIntegral(this, min, max); }
    @Override public Tensor clampMin(double min) { return Ops.clamp(this, min, Double.NaN); }
    @Override public Tensor clampMax(double max) { return Ops.clamp(this, Double.NaN, max); }
    @Override public Tensor clip(double min, double max) { return Ops.clamp(this, min, max); }
    @Override public Tensor isnan() { return Ops.unary(UnaryOp.ISNAN, this); }
    @Override public Tensor isinf() { return Ops.unary(UnaryOp.ISINF, this); }
    @Override public Tensor isfinite() { return Ops.unary(UnaryOp.ISFINITE, this); }

    // ---- comparisons and logic ----
    @Override public Tensor eq(Tensor other) { return Ops.binary(BinaryOp.EQ, this, other); }
    @Override public Tensor eq(double other) { return Ops.binary(BinaryOp.EQ, this, Ops.scalar(this, other)); }
    @Override public Tensor ne(Tensor other) { return Ops.binary(BinaryOp.NE, this, other); }
    @Override public Tensor ne(double other) { return Ops.binary(BinaryOp.NE, this, Ops.scalar(this, other)); }
    @Override public Tensor lt(Tensor other) { return Ops.binary(BinaryOp.LT, this, other); }
    @Override public Tensor lt(double other) { return Ops.binary(BinaryOp.LT, this, Ops.scalar(this, other)); }
    @Override public Tensor le(Tensor other) { return Ops.binary(BinaryOp.LE, this, other); }
    @Override public Tensor le(double other) { return Ops.binary(BinaryOp.LE, this, Ops.scalar(this, other)); }
    @Override public Tensor gt(Tensor other) { return Ops.binary(BinaryOp.GT, this, other); }
    @Override public Tensor gt(double other) { return Ops.binary(BinaryOp.GT, this, Ops.scalar(this, other)); }
    @Override public Tensor ge(Tensor other) { return Ops.binary(BinaryOp.GE, this, other); }
    @Override public Tensor ge(double other) { return Ops.binary(BinaryOp.GE, this, Ops.scalar(this, other)); }
    @Override public Tensor logicalAnd(Tensor other) { return Ops.binary(BinaryOp.LOGICAL_AND, this, other); }
    @Override public Tensor logicalOr(Tensor other) { return Ops.binary(BinaryOp.LOGICAL_OR, this, other); }
    @Override public Tensor logicalXor(Tensor other) { return Ops.binary(BinaryOp.LOGICAL_XOR, this, other); }
    @Override public Tensor logicalNot() { return Ops.unary(UnaryOp.LOGICAL_NOT, this); }
    @Override public boolean equal(Tensor other) { return Ops.equal(this, other); }
    @Override public boolean allclose(Tensor other, double rtol, double atol) { return Ops.allclose(this, other, rtol, atol); }
    @Override public boolean allclose(Tensor other) { return Ops.allclose(this, other, 1e-5, 1e-8); }

    // ---- reductions ----
    @Override public Tensor sum() { return Ops.sum(this, null, false); }
    @Override public Tensor sum(int dim) { return Ops.sum(this, new int[] {dim}, false); }
    @Override public Tensor sum(int dim, boolean keepdim) { return Ops.sum(this, new int[] {dim}, keepdim); }
    @Override public Tensor sum(int[] dims, boolean keepdim) { return Ops.sum(this, dims, keepdim); }
    @Override public Tensor mean() { return Ops.mean(this, null, false); }
    @Override public Tensor mean(int dim) { return Ops.mean(this, new int[] {dim}, false); }
    @Override public Tensor mean(int dim, boolean keepdim) { return Ops.mean(this, new int[] {dim}, keepdim); }
    @Override public Tensor mean(int[] dims, boolean keepdim) { return Ops.mean(this, dims, keepdim); }
    @Override public Tensor prod() { return Ops.prod(this, null, false); }
    @Override public Tensor prod(int dim, boolean keepdim) { return Ops.prod(this, new int[] {dim}, keepdim); }
    @Override public Tensor prod(int dim) { return Ops.prod(this, new int[] {dim}, false); }
    @Override public Tensor max() { return Ops.maxAll(this, true); }
    @Override public ValuesIndices max(int dim) { return Ops.maxDim(this, dim, false, true); }
    @Override public ValuesIndices max(int dim, boolean keepdim) { return Ops.maxDim(this, dim, keepdim, true); }
    @Override public Tensor min() { return Ops.maxAll(this, false); }
    @Override public ValuesIndices min(int dim) { return Ops.maxDim(this, dim, false, false); }
    @Override public ValuesIndices min(int dim, boolean keepdim) { return Ops.maxDim(this, dim, keepdim, false); }
    @Override public Tensor argmax() { return Ops.argmax(this, null, false, true); }
    @Override public Tensor argmax(int dim, boolean keepdim) { return Ops.argmax(this, dim, keepdim, true); }
    @Override public Tensor argmax(int dim) { return Ops.argmax(this, dim, false, true); }
    @Override public Tensor argmin() { return Ops.argmax(this, null, false, false); }
    @Override public Tensor argmin(int dim, boolean keepdim) { return Ops.argmax(this, dim, keepdim, false); }
    @Override public Tensor argmin(int dim) { return Ops.argmax(this, dim, false, false); }
    @Override public Tensor std() { return Ops.varStd(this, null, 1, false, true); }
    @Override public Tensor std(boolean unbiased) { return Ops.varStd(this, null, unbiased ? 1 : 0, false, true); }
    @Override public Tensor std(int dim, boolean keepdim) { return Ops.varStd(this, new int[] {dim}, 1, keepdim, true); }
    @Override public Tensor std(int dim, boolean unbiased, boolean keepdim) { return Ops.varStd(this, new int[] {dim}, unbiased ? 1 : 0, keepdim, true); }
    @Override public Tensor std(int dim) { return Ops.varStd(this, new int[] {dim}, 1, false, true); }
    @Override public Tensor var() { return Ops.varStd(this, null, 1, false, false); }
    @Override public Tensor var(boolean unbiased) { return Ops.varStd(this, null, unbiased ? 1 : 0, false, false); }
    @Override public Tensor var(int dim, boolean keepdim) { return Ops.varStd(this, new int[] {dim}, 1, keepdim, false); }
    @Override public Tensor var(int dim, boolean unbiased, boolean keepdim) { return Ops.varStd(this, new int[] {dim}, unbiased ? 1 : 0, keepdim, false); }
    @Override public Tensor var(int dim) { return Ops.varStd(this, new int[] {dim}, 1, false, false); }
    @Override public Tensor norm() { return Ops.norm(this, 2, null, false); }
    @Override public Tensor norm(double p) { return Ops.norm(this, p, null, false); }
    @Override public Tensor norm(double p, int dim, boolean keepdim) { return Ops.norm(this, p, new int[] {dim}, keepdim); }
    @Override public Tensor norm(double p, int dim) { return Ops.norm(this, p, new int[] {dim}, false); }
    @Override public Tensor logsumexp(int dim) { return Ops.logsumexp(this, new int[] {dim}, false); }
    @Override public Tensor logsumexp(int dim, boolean keepdim) { return Ops.logsumexp(this, new int[] {dim}, keepdim); }
    @Override public Tensor all() { return Ops.allAny(this, true); }
    @Override public Tensor any() { return Ops.allAny(this, false); }
    @Override public Tensor softmax(int dim) { return Ops.softmax(this, dim, false); }
    @Override public Tensor logSoftmax(int dim) { return Ops.softmax(this, dim, true); }

    // ---- matrix ----
    @Override public Tensor matmul(Tensor other) { return Ops.matmul(this, other); }
    @Override public Tensor mm(Tensor other) { return Ops.mm(this, other); }
    @Override public Tensor bmm(Tensor other) { return Ops.bmm(this, other); }
    @Override public Tensor inverse() { return Ops.inverse(this); }

    // ---- shape and views ----
    @Override public Tensor view(long... newShape) { return Ops.view(this, newShape); }
    @Override public Tensor viewAs(Tensor other) { return Ops.view(this, other.shape()); }
    @Override public Tensor reshape(long... newShape) { return Ops.reshape(this, newShape); }
    @Override public Tensor flatten() { return Ops.flatten(this, 0, -1); }
    @Override public Tensor flatten(int startDim, int endDim) { return Ops.flatten(this, startDim, endDim); }
    @Override public Tensor squeeze() { return Ops.squeeze(this, null); }
    @Override public Tensor squeeze(int dim) { return Ops.squeeze(this, dim); }
    @Override public Tensor unsqueeze(int dim) { return Ops.unsqueeze(this, dim); }
    @Override public Tensor t() { return Ops.t(this); }
    @Override public Tensor transpose(int dim0, int dim1) { return Ops.transpose(this, dim0, dim1); }
    @Override public Tensor permute(int... dims) { return Ops.permute(this, dims); }
    @Override public Tensor expand(long... newShape) { return Ops.expand(this, newShape); }
    @Override public Tensor expandAs(Tensor other) { return Ops.expand(this, other.shape()); }
    @Override public Tensor narrow(int dim, long start, long length) { return Ops.narrow(this, dim, start, length); }
    @Override public Tensor repeat(long... repeats) { return Ops.repeat(this, repeats); }
    @Override public Tensor unfold(int dimension, long size, long step) { return Ops.unfold(this, dimension, size, step); }
    @Override public Tensor pad(long[] padding, double value) { return Ops.pad(this, padding, value); }
    @Override public List<Tensor> split(long splitSize, int dim) { return Ops.split(this, splitSize, dim); }
    @Override public List<Tensor> chunk(int chunks, int dim) { return Ops.chunk(this, chunks, dim); }
    @Override public Tensor contiguous() { return isContiguous() ? this : Ops.clone(this); }
    @Override public Tensor clone() { return Ops.clone(this); }
    @Override public Tensor detach() { return shallowCopy(); }

    // ---- indexing ----
    @Override public Tensor get(long index) { return Ops.select(this, 0, index); }
    @Override public Tensor get(long... indices) {
        Tensor t = this;
        for (long i : indices) t = Ops.select((DenseTensor) t, 0, i);
        return t;
    }
    @Override public Tensor index(String spec) { return IndexSpec.parse(spec).apply(this); }
    @Override public Tensor index(Tensor indices) { return Ops.index(this, indices); }
    @Override public Tensor select(int dim, long index) { return Ops.select(this, dim, index); }
    @Override public Tensor slice(int dim, long start, long end, long step) { return Ops.slice(this, dim, start, end, step); }
    @Override public Tensor maskedSelect(Tensor mask) { return Ops.maskedSelect(this, mask); }
    @Override public Tensor indexSelect(int dim, Tensor index) { return Ops.indexSelect(this, dim, index); }
    @Override public Tensor gather(int dim, Tensor index) { return Ops.gather(this, dim, index); }
    @Override public Tensor scatter(int dim, Tensor index, Tensor src) { return Ops.scatter(this, dim, index, src, false, false); }
    @Override public Tensor scatter(int dim, Tensor index, double value) { return Ops.scatter(this, dim, index, Ops.scalar(this, value), false, false); }
    @Override public Tensor scatterAdd(int dim, Tensor index, Tensor src) { return Ops.scatter(this, dim, index, src, true, false); }
    @Override public Tensor indexAdd(int dim, Tensor index, Tensor source) { return Ops.indexAdd(this, dim, index, source, false); }
    @Override public Tensor maskedFill(Tensor mask, double value) { return Ops.maskedFill(this, mask, value, false); }
    @Override public Tensor where(Tensor condition, Tensor other) { return Ops.where(condition, this, other); }
    @Override public Tensor where(Tensor condition, double other) { return Ops.where(condition, this, Ops.scalar(this, other)); }
    @Override public Tensor whereFlipped(Tensor condition, double value) { return Ops.where(condition, Ops.scalar(this, value), this); }
    @Override public Tensor indexPut(String spec, Tensor value) {
        Ops.copyInto((DenseTensor) index(spec), value);
        return this;
    }
    @Override public Tensor indexPut(String spec, double value) {
        Ops.fillInPlace((DenseTensor) index(spec), value);
        return this;
    }

    // ---- in place ----
    @Override public Tensor add_(Tensor other) { return Ops.addInPlace(this, other, 1.0); }
    @Override public Tensor add_(Tensor other, double alpha) { return Ops.addInPlace(this, other, alpha); }
    @Override public Tensor add_(double other) { return Ops.addInPlace(this, Ops.scalar(this, other), 1.0); }
    @Override public Tensor add_(long other) { return Ops.addInPlace(this, Ops.scalar(this, other), 1.0); }
    @Override public Tensor sub_(long other) { return Ops.binaryInPlace(BinaryOp.SUB, this, Ops.scalar(this, other)); }
    @Override public Tensor mul_(long other) { return Ops.binaryInPlace(BinaryOp.MUL, this, Ops.scalar(this, other)); }
    @Override public Tensor sub_(Tensor other) { return Ops.binaryInPlace(BinaryOp.SUB, this, other); }
    @Override public Tensor sub_(double other) { return Ops.binaryInPlace(BinaryOp.SUB, this, Ops.scalar(this, other)); }
    @Override public Tensor mul_(Tensor other) { return Ops.binaryInPlace(BinaryOp.MUL, this, other); }
    @Override public Tensor mul_(double other) { return Ops.binaryInPlace(BinaryOp.MUL, this, Ops.scalar(this, other)); }
    @Override public Tensor div_(Tensor other) { return Ops.binaryInPlace(BinaryOp.DIV, this, other); }
    @Override public Tensor div_(double other) { return Ops.binaryInPlace(BinaryOp.DIV, this, Ops.scalar(this, other)); }
    @Override public Tensor pow_(double exponent) { return Ops.powScalarInPlace(this, Ops.scalar(this, exponent)); }
    @Override public Tensor neg_() { return Ops.unaryInPlace(UnaryOp.NEG, this); }
    @Override public Tensor exp_() { return Ops.unaryInPlace(UnaryOp.EXP, this); }
    @Override public Tensor log_() { return Ops.unaryInPlace(UnaryOp.LOG, this); }
    @Override public Tensor sqrt_() { return Ops.unaryInPlace(UnaryOp.SQRT, this); }
    @Override public Tensor abs_() { return Ops.unaryInPlace(UnaryOp.ABS, this); }
    @Override public Tensor relu_() { return Ops.unaryInPlace(UnaryOp.RELU, this); }
    @Override public Tensor sigmoid_() { return Ops.unaryInPlace(UnaryOp.SIGMOID, this); }
    @Override public Tensor tanh_() { return Ops.unaryInPlace(UnaryOp.TANH, this); }
    @Override public Tensor clamp_(double min, double max) { return Ops.clampInPlace(this, min, max); }
    @Override public Tensor zero_() { return Ops.fillInPlace(this, 0.0); }
    @Override public Tensor fill_(double value) { return Ops.fillInPlace(this, value); }
    @Override public Tensor copy_(Tensor src) { return Ops.copyInto(this, src); }
    @Override public Tensor maskedFill_(Tensor mask, double value) { return Ops.maskedFill(this, mask, value, true); }
    @Override public Tensor scatter_(int dim, Tensor index, Tensor src) { return Ops.scatter(this, dim, index, src, false, true); }
    @Override public Tensor scatterAdd_(int dim, Tensor index, Tensor src) { return Ops.scatter(this, dim, index, src, true, true); }
    @Override public Tensor indexAdd_(int dim, Tensor index, Tensor source) { return Ops.indexAdd(this, dim, index, source, true); }
    @Override public Tensor addcmul_(Tensor t1, Tensor t2, double value) { return Ops.addInPlace(this, t1.mul(t2), value); }
    @Override public Tensor addcdiv_(Tensor t1, Tensor t2, double value) { return Ops.addInPlace(this, t1.div(t2), value); }
    @Override public Tensor lerp_(Tensor end, double weight) { return Ops.addInPlace(this, end.sub(this), weight); }
    @Override public Tensor uniform_(double from, double to) { return uniform_(from, to, null); }
    @Override public Tensor uniform_(double from, double to, Generator generator) { return Creation.uniformInPlace(this, from, to, kernel.gen(generator)); }
    @Override public Tensor normal_(double mean, double std) { return normal_(mean, std, null); }
    @Override public Tensor normal_(double mean, double std, Generator generator) { return Creation.normalInPlace(this, mean, std, kernel.gen(generator)); }
    @Override public Tensor bernoulli_(double p, Generator generator) { return Creation.bernoulliInPlace(this, p, kernel.gen(generator)); }

    // ---- conversion ----
    @Override public Tensor to(DType dtype) { return dtype == dtype() ? this : Ops.toCopy(this, dtype, device()); }
    @Override public Tensor to(Device d) { return d.equals(device()) ? this : Ops.toCopy(this, dtype(), d); }
    @Override public Tensor to(String d) { return to(Device.of(d)); }
    @Override public Tensor cuda() { return to(Device.CUDA); }
    @Override public Tensor cpu() { return to(Device.CPU); }
    @Override public Tensor toFloat() { return to(DType.FLOAT32); }
    @Override public Tensor toDouble() { return to(DType.FLOAT64); }
    @Override public Tensor toHalf() { return to(DType.FLOAT16); }
    @Override public Tensor toLong() { return to(DType.INT64); }
    @Override public Tensor toInt() { return to(DType.INT32); }
    @Override public Tensor toBool() { return to(DType.BOOL); }
    @Override public double item() { return HostData.item(impl); }
    @Override public long itemLong() { return HostData.itemLong(impl); }
    @Override public float[] toFloatArray() { return HostData.floats(impl); }
    @Override public double[] toDoubleArray() { return HostData.doubles(impl); }
    @Override public long[] toLongArray() { return HostData.longs(impl); }
    @Override public int[] toIntArray() { return HostData.ints(impl); }
    @Override public boolean[] toBooleanArray() { return HostData.booleans(impl); }
    @Override public Object tolist() { return HostData.nestedList(impl); }
    @Override public void copyTo(java.nio.Buffer dst) {
        HostBuffers.check("copyTo", dst, dtype(), numel(), true);
        backend().toHost(view(), dst);
    }
    @Override public Tensor copy_(java.nio.Buffer src) {
        HostBuffers.check("copy_", src, dtype(), numel(), false);
        if (kernel.isGradEnabled() && requiresGrad()) {
            throw new IllegalStateException("copy_(Buffer) writes values that autograd does not record, and this tensor requires grad: "
                    + "call it under Torch.noGrad(), or on t.detach()");
        }
        long[] shape = shapeRef(), strides = stridesRef();
        for (int d = 0; d < shape.length; d++) {
            if (shape[d] > 1 && strides[d] == 0) {
                throw new IllegalArgumentException("copy_(Buffer): dim " + d + " of this " + java.util.Arrays.toString(shape)
                        + " tensor is expanded (stride 0), so more than one element refers to a single memory location; copy into a clone() instead");
            }
        }
        backend().fromHost(src, view());
        versionCounter().bump();
        return this;
    }

    // ---- autograd ----
    /**
     * The engine, or null when none is installed. A tensor the engine kept state on (a parameter, a recorded result)
     * waits for an engine while the autograd bundle is away (stopped or being updated): its grad must not read null.
     */
    private GradientEngine engineOrNull() {
        GradientEngine e = kernel.gradientEngine();
        return e != null || autogradMeta == null ? e : kernel.requireEngine("a tensor with autograd state");
    }
    @Override public boolean requiresGrad() {
        GradientEngine e = engineOrNull();
        return e != null && e.requiresGrad(this);
    }
    @Override public Tensor requiresGrad_(boolean requiresGrad) {
        GradientEngine e = engineOrNull();
        if (e == null) {
            if (requiresGrad) kernel.requireEngine("requiresGrad_(true)");
            return this;
        }
        e.setRequiresGrad(this, requiresGrad);
        return this;
    }
    @Override public Tensor grad() {
        GradientEngine e = engineOrNull();
        return e == null ? null : e.grad(this);
    }
    @Override public void setGrad(Tensor grad) { kernel.requireEngine("setGrad").setGrad(this, grad); }
    @Override public GradFn gradFn() {
        GradientEngine e = engineOrNull();
        return e == null ? null : e.gradFn(this);
    }
    @Override public boolean isLeaf() {
        GradientEngine e = engineOrNull();
        return e == null || e.isLeaf(this);
    }
    @Override public void retainGrad() { kernel.requireEngine("retainGrad").retainGrad(this); }
    @Override public boolean retainsGrad() {
        GradientEngine e = engineOrNull();
        return e != null && e.retainsGrad(this);
    }
    @Override public void backward() { kernel.requireEngine("backward").backward(this, null, false, false); }
    @Override public void backward(Tensor gradient) { kernel.requireEngine("backward").backward(this, gradient, false, false); }
    @Override public void backward(Tensor gradient, boolean retainGraph, boolean createGraph) {
        kernel.requireEngine("backward").backward(this, gradient, retainGraph, createGraph);
    }
    @Override public RemovableHandle registerHook(Function<Tensor, Tensor> hook) {
        return kernel.requireEngine("registerHook").registerHook(this, hook);
    }

    @Override public RemovableHandle registerPostAccumulateGradHook(java.util.function.Consumer<Tensor> hook) {
        return kernel.requireEngine("registerPostAccumulateGradHook").registerPostAccumulateGradHook(this, hook);
    }

    @Override public String toString() { return Formatter.format(impl, gradFn(), requiresGrad()); }
}
