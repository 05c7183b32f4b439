package dev.kindling.autograd.internal;

import dev.kindling.api.DType;
import dev.kindling.api.Tensor;
import dev.kindling.api.Torch;
import dev.kindling.kernel.ops.Attrs;
import dev.kindling.kernel.ops.OpDef;
import dev.kindling.kernel.ops.Ops;
import dev.kindling.kernel.spi.Window2d;
import dev.kindling.kernel.ops.DenseTensor;

import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * The derivatives table, keyed by the kernel's op names (as PyTorch's derivatives.yaml is keyed by native functions):
 * each row names the backward node as PyTorch does, says what must be saved, and gives the formula. Formulas are
 * written with tensor ops, so with {@code createGraph} they are themselves differentiated. In-place ops {@code x_}
 * use the row of {@code x}.
 */
final class Derivatives {
    private Derivatives() {}

    static final int X = 1;
    static final int Y = 2;
    static final int Z = 4;
    private static final int NONE = 0;
    private static final Map<String, Derivative> TABLE = new HashMap<>();

    static Derivative get(OpDef op) {
        String n = op.name();
        Derivative d = TABLE.get(n);
        if (d == null && op.isInPlace() && n.endsWith("_")) d = TABLE.get(n.substring(0, n.length() - 1));
        return d;
    }

    static boolean has(String opName) { return TABLE.containsKey(opName); }

    private static void def(String op, String node, int saveIn, boolean saveOut, Derivative.Formula f) {
        def(op, a -> node, saveIn, saveOut, f);
    }

    private static void def(String op, Function<Attrs, String> node, int saveIn, boolean saveOut, Derivative.Formula f) {
        defN(op, (a, in) -> node.apply(a), saveIn, saveOut, f);
    }

    private static void defN(String op, java.util.function.BiFunction<Attrs, Tensor[], String> node, int saveIn, boolean saveOut,
                             Derivative.Formula f) {
        if (TABLE.put(op, new Derivative(node, saveIn, saveOut, f)) != null) throw new IllegalStateException("derivative twice: " + op);
    }

    /** A row whose formula reads only the outputs {@code outMask} names: the others are not kept alive by the graph. */
    private static void defSavingOutputs(String op, String node, int saveIn, int outMask, Derivative.Formula f) {
        if (TABLE.put(op, new Derivative((a, in) -> node, saveIn, outMask, f, false)) != null) throw new IllegalStateException("derivative twice: " + op);
    }

    private static Tensor[] g(Tensor... grads) { return grads; }

    /** A matrix stored column by column: the transpose of a contiguous one. */
    private static boolean columnMajor(Tensor m) {
        long[] st = m.stride();
        return m.size(0) > 1 && m.size(1) > 1 && st[0] == 1 && st[1] == m.size(0);
    }

    /**
     * The gradients the casts, linear and the casts' backward of the unfused autocast path give, bit for bit: the same
     * products in the same orientation (a cast input is a contiguous copy there), each rounded to {@code dtype} and
     * returned in its input's dtype. Without {@code createGraph} the products read float32 inputs at {@code dtype} and
     * round into float32 directly ({@code _mm_at}); with it they are made of differentiable casts and mm.
     */
    private static Tensor[] autocastLinear(Derivative.Ctx c, Tensor grad) {
        DType dt = (DType) c.attrs().get("dtype");
        boolean fused = !Torch.isGradEnabled();
        // unfused, the casts come first; fused, float32 inputs are read at dt where they are (contiguous: the layer checks)
        Tensor x = at(c.in(0), dt, fused), w = at(c.in(1), dt, fused), gr = at(grad, dt, fused);
        DType xType = c.inDType(0), wType = c.inDType(1);
        boolean xColumnMajor = xType == dt && columnMajor(x);
        boolean wtColumnMajor = columnMajor(w.t());
        Tensor gx = null, gw = null, gb = null;
        if (c.needs(0)) gx = xColumnMajor ? product(w.t(), gr.t(), dt, xType, fused).t() : product(gr, w, dt, xType, fused);
        if (c.needs(1)) gw = wtColumnMajor ? product(gr.t(), x, dt, wType, fused) : product(x.t(), gr, dt, wType, fused).t();
        if (c.needs(2)) gb = Engine.sumTo(gr, c.inShape(2)).to(c.inDType(2));
        return g(gx, gw, gb);
    }

    private static Tensor at(Tensor t, DType dt, boolean fused) { return fused || t.dtype() == dt ? t : t.to(dt); }

    /** {@code a @ b} at {@code dt}, rounded to {@code dt} and returned in {@code outDType}. */
    private static Tensor product(Tensor a, Tensor b, DType dt, DType outDType, boolean fused) {
        if (fused) return Ops.mmAt(a, b, dt, outDType, true);
        Tensor p = a.mm(b);
        return p.dtype() == outDType ? p : p.to(outDType);
    }

    private static Tensor scaled(Tensor t, double factor) { return factor == 1 ? t : t.mul(factor); }

    /** A scalar as a tensor like {@code like}. */
    private static Tensor full(Tensor like, double v) { return Torch.fullLike(like, v); }

    private static Tensor zeros(long[] shape, Tensor like) {
        return Torch.zeros(shape, like.dtype(), like.device());
    }

    private static int[] dims(Attrs a, String name, int rank) { return dims(a.ints(name), rank); }

    private static int[] dims(Attrs a, int position, int rank) { return dims(a.ints(position), rank); }

    /** Dims as given (all when null or empty), non-negative and sorted. */
    private static int[] dims(int[] d, int rank) {
        if (d == null || d.length == 0) {
            int[] all = new int[rank];
            for (int k = 0; k < rank; k++) all[k] = k;
            return all;
        }
        int[] out = new int[d.length];
        for (int k = 0; k < d.length; k++) out[k] = d[k] < 0 ? d[k] + rank : d[k];
        java.util.Arrays.sort(out);
        return out;
    }

    /** Brings a reduced gradient back to the input's shape (unsqueezing the reduced dims when keepdim was false). */
    private static Tensor unreduce(Tensor grad, long[] shape, int[] dims, boolean keepdim) {
        Tensor gr = grad;
        if (!keepdim && shape.length > 0) {
            for (int d : dims) gr = gr.unsqueeze(d);
        }
        return gr.expand(shape);
    }

    private static long count(long[] shape, int[] dims) {
        long n = 1;
        for (int d : dims) n *= shape[d];
        return n;
    }

    private static Tensor ln(double v, Tensor like) { return full(like, v); }

    static {
        // ---- unary ----
        def("neg", "NegBackward0", NONE, false, (c, gr) -> g(gr.neg()));
        def("abs", "AbsBackward0", X, false, (c, gr) -> g(gr.mul(c.in(0).sign())));
        def("sign", "SignBackward0", NONE, false, (c, gr) -> g(Torch.zerosLike(gr)));
        def("exp", "ExpBackward0", NONE, true, (c, gr) -> g(gr.mul(c.out())));
        def("exp2", "Exp2Backward0", NONE, true, (c, gr) -> g(gr.mul(c.out()).mul(Math.log(2))));
        def("expm1", "Expm1Backward0", NONE, true, (c, gr) -> g(gr.mul(c.out().add(1.0))));
        def("log", "LogBackward0", X, false, (c, gr) -> g(gr.div(c.in(0))));
        def("log2", "Log2Backward0", X, false, (c, gr) -> g(gr.div(c.in(0).mul(Math.log(2)))));
        def("log10", "Log10Backward0", X, false, (c, gr) -> g(gr.div(c.in(0).mul(Math.log(10)))));
        def("log1p", "Log1PBackward0", X, false, (c, gr) -> g(gr.div(c.in(0).add(1.0))));
        def("sqrt", "SqrtBackward0", NONE, true, (c, gr) -> g(gr.div(c.out().mul(2.0))));
        def("rsqrt", "RsqrtBackward0", NONE, true, (c, gr) -> g(gr.mul(c.out().pow(3.0)).mul(-0.5)));
        def("sin", "SinBackward0", X, false, (c, gr) -> g(gr.mul(c.in(0).cos())));
        def("cos", "CosBackward0", X, false, (c, gr) -> g(gr.mul(c.in(0).sin()).neg()));
        def("tan", "TanBackward0", NONE, true, (c, gr) -> g(gr.mul(c.out().square().add(1.0))));
        def("asin", "AsinBackward0", X, false, (c, gr) -> g(gr.div(c.in(0).square().neg().add(1.0).sqrt())));
        def("acos", "AcosBackward0", X, false, (c, gr) -> g(gr.div(c.in(0).square().neg().add(1.0).sqrt()).neg()));
        def("atan", "AtanBackward0", X, false, (c, gr) -> g(gr.div(c.in(0).square().add(1.0))));
        def("sinh", "SinhBackward0", X, false, (c, gr) -> g(gr.mul(c.in(0).cosh())));
        def("cosh", "CoshBackward0", X, false, (c, gr) -> g(gr.mul(c.in(0).sinh())));
        def("tanh", "TanhBackward0", NONE, true, (c, gr) -> g(gr.mul(c.out().square().neg().add(1.0))));
        def("sigmoid", "SigmoidBackward0", NONE, true, (c, gr) -> {
            Tensor y = c.out();
            return g(gr.mul(y).mul(y.neg().add(1.0)));
        });
        // a bool mask multiplies without a conversion pass (float * bool promotes to float)
        // PyTorch's formula: threshold_backward(grad, result, 0), one pass (a NaN gradient is dropped where the output is 0)
        def("relu", "ReluBackward0", NONE, true, (c, gr) -> g(Ops.thresholdBackward(gr, c.out(), 0.0)));
        // linear in the gradient; piecewise constant in self (PyTorch: zeros)
        def("threshold_backward", "ThresholdBackwardBackward0", Y, false,
                (c, gr) -> g(c.needs(0) ? Ops.thresholdBackward(gr, c.in(1), c.attrs().d("threshold")) : null, null));
        def("erf", "ErfBackward0", X, false, (c, gr) -> g(gr.mul(c.in(0).square().neg().exp()).mul(2 / Math.sqrt(Math.PI))));
        def("floor", "FloorBackward0", NONE, false, (c, gr) -> g(Torch.zerosLike(gr)));
        def("ceil", "CeilBackward0", NONE, false, (c, gr) -> g(Torch.zerosLike(gr)));
        def("round", "RoundBackward0", NONE, false, (c, gr) -> g(Torch.zerosLike(gr)));
        def("trunc", "TruncBackward0", NONE, false, (c, gr) -> g(Torch.zerosLike(gr)));
        def("reciprocal", "ReciprocalBackward0", NONE, true, (c, gr) -> g(gr.mul(c.out().square()).neg()));
        def("square", "PowBackward0", X, false, (c, gr) -> g(gr.mul(c.in(0)).mul(2.0)));
        def("clamp", a -> Double.isNaN(a.d("min")) ? "ClampMaxBackward0" : Double.isNaN(a.d("max")) ? "ClampMinBackward0" : "ClampBackward1",
                X, false, (c, gr) -> {
                    Tensor x = c.in(0);
                    double lo = c.attrs().d("min");
                    double hi = c.attrs().d("max");
                    Tensor mask = Torch.onesLike(x).toBool();
                    if (!Double.isNaN(lo)) mask = mask.logicalAnd(x.ge(lo));
                    if (!Double.isNaN(hi)) mask = mask.logicalAnd(x.le(hi));
                    return g(gr.mul(mask.to(gr.dtype())));
                });

        // ---- binary ----
        def("add", "AddBackward0", NONE, false, (c, gr) -> {
            double alpha = c.attrs().d("alpha");
            return g(gr, alpha == 1.0 ? gr : gr.mul(alpha));
        });
        def("sub", "SubBackward0", NONE, false, (c, gr) -> {
            return g(gr, gr.mul(-c.attrs().d("alpha")));
        });
        def("mul", "MulBackward0", X | Y, false, (c, gr) ->
                g(c.needs(0) ? gr.mul(c.in(1)) : null, c.needs(1) ? gr.mul(c.in(0)) : null));
        def("div", "DivBackward0", X | Y, false, (c, gr) -> {
            Tensor y = c.in(1);
            return g(c.needs(0) ? gr.div(y) : null, c.needs(1) ? gr.neg().mul(c.in(0)).div(y.mul(y)) : null);
        });
        def("remainder", "RemainderBackward0", X | Y, false, (c, gr) ->
                g(gr, c.needs(1) ? gr.neg().mul(c.in(0).div(c.in(1)).floor()) : null));
        defN("pow", (a, in) -> ((DenseTensor) in[1]).isWrappedNumber() ? "PowBackward0" : "PowBackward1", X | Y, true, (c, gr) -> {
            Tensor x = c.in(0);
            Tensor y = c.in(1);
            Tensor gx = null;
            Tensor gy = null;
            if (c.needs(0)) {
                Tensor d = y.mul(x.pow(y.sub(1.0)));
                gx = gr.mul(Torch.where(y.eq(0.0), Torch.zerosLike(d), d));
            }
            if (c.needs(1)) {
                Tensor d = c.out().mul(x.log());
                Tensor zeroBase = x.eq(0.0).logicalAnd(y.ge(0.0));
                gy = gr.mul(Torch.where(zeroBase, Torch.zerosLike(d), d));
            }
            return g(gx, gy);
        });
        def("maximum", "MaximumBackward0", X | Y, false, (c, gr) -> extremeBinary(c, gr, true));
        def("minimum", "MinimumBackward0", X | Y, false, (c, gr) -> extremeBinary(c, gr, false));
        def("atan2", "Atan2Backward0", X | Y, false, (c, gr) -> {
            Tensor x = c.in(0);
            Tensor y = c.in(1);
            Tensor r = x.square().add(y.square());
            return g(c.needs(0) ? gr.mul(y).div(r) : null, c.needs(1) ? gr.mul(x.neg()).div(r) : null);
        });
        def("where", "WhereBackward0", X, false, (c, gr) -> {
            Tensor cond = c.in(0);
            Tensor z = Torch.zerosLike(gr);
            return g(null, c.needs(1) ? Torch.where(cond, gr, z) : null, c.needs(2) ? Torch.where(cond, z, gr) : null);
        });

        // ---- reductions ----
        def("sum", a -> a.ints("dims") == null ? "SumBackward0" : "SumBackward1", NONE, false, (c, gr) -> {
            long[] s = c.inShape(0);
            return g(unreduce(gr, s, dims(c.attrs(), "dims", s.length), c.attrs().b("keepdim")));
        });
        def("mean", a -> a.ints("dims") == null ? "MeanBackward0" : "MeanBackward1", NONE, false, (c, gr) -> {
            long[] s = c.inShape(0);
            int[] d = dims(c.attrs(), "dims", s.length);
            return g(unreduce(gr, s, d, c.attrs().b("keepdim")).div((double) count(s, d)));
        });
        def("prod", a -> a.ints("dims") == null ? "ProdBackward0" : "ProdBackward1", X, true, (c, gr) -> {
            Tensor x = c.in(0);
            long[] s = x.shape();
            int[] d = dims(c.attrs(), "dims", s.length);
            boolean keep = c.attrs().b("keepdim");
            // d prod / d x_i is the product of the others: result / x_i without zeros; with one zero in the slice only
            // that element gets the product of the others; with more zeros everything is 0.
            Tensor isZero = x.eq(0.0);
            Tensor safeX = Torch.where(isZero, Torch.onesLike(x), x);
            Tensor zerosPerSlice = unreduce(Ops.sum(isZero, d, true), s, d, true);
            Tensor others = unreduce(Ops.prod(safeX, d, true), s, d, true);
            Tensor result = unreduce(c.out(), s, d, keep);
            Tensor zero = Torch.zerosLike(x);
            Tensor local = Torch.where(zerosPerSlice.eq(0L), result.div(safeX),
                    Torch.where(zerosPerSlice.eq(1L).logicalAnd(isZero), others, zero));
            return g(unreduce(gr, s, d, keep).mul(local));
        });
        def("max", "MaxBackward1", X, true, (c, gr) -> g(evenly(c.in(0), c.out(), gr)));
        def("min", "MinBackward1", X, true, (c, gr) -> g(evenly(c.in(0), c.out(), gr)));
        Derivative.Formula selectBack = (c, gr) -> {
            long[] s = c.inShape(0);
            if (s.length == 0) return g(gr);
            int dim = c.attrs().i("dim");
            int d = dim < 0 ? dim + s.length : dim;
            boolean keep = c.attrs().b("keepdim");
            Tensor idx = c.out(1);
            Tensor gk = keep ? gr : gr.unsqueeze(d);
            Tensor ik = keep ? idx : idx.unsqueeze(d);
            return g(zeros(s, gr).scatter(d, ik, gk));
        };
        def("max_dim", "MaxBackward0", NONE, true, selectBack);
        def("min_dim", "MinBackward0", NONE, true, selectBack);
        def("var", "VarBackward0", X, false, (c, gr) -> {
            Tensor x = c.in(0);
            long[] s = x.shape();
            int[] d = dims(c.attrs(), "dims", s.length);
            long n = count(s, d);
            Tensor mean = x.mean(d, true);
            return g(unreduce(gr, s, d, c.attrs().b("keepdim")).mul(x.sub(mean)).mul(2.0 / Math.max(0, n - c.attrs().i("correction"))));
        });
        def("std", "StdBackward0", X, true, (c, gr) -> {
            Tensor x = c.in(0);
            long[] s = x.shape();
            int[] d = dims(c.attrs(), "dims", s.length);
            boolean keep = c.attrs().b("keepdim");
            long n = count(s, d);
            Tensor mean = x.mean(d, true);
            Tensor std = unreduce(c.out(), s, d, keep);
            return g(unreduce(gr, s, d, keep).mul(x.sub(mean)).div(std.mul((double) Math.max(0, n - c.attrs().i("correction")))));
        });
        // Also linalg_vector_norm's row, whose attributes have other names (ord, dim): read by position.
        def("norm", "LinalgVectorNormBackward0", X, true, (c, gr) -> {
            Tensor x = c.in(0);
            double p = c.attrs().d(0);
            long[] s = x.shape();
            int[] d = dims(c.attrs(), 1, s.length);
            boolean keep = c.attrs().b(2);
            Tensor n = unreduce(c.out(), s, d, keep);
            Tensor gi = unreduce(gr, s, d, keep);
            if (p == 0) return g(Torch.zerosLike(x));
            if (p == 1) return g(gi.mul(x.sign()));
            if (Double.isInfinite(p)) {
                Tensor mask = x.abs().eq(n).to(x.dtype());
                Tensor cnt = unreduce(mask.sum(d, true), s, d, true);
                return g(gi.mul(x.sign()).mul(mask).div(cnt));
            }
            Tensor safe = Torch.where(n.eq(0.0), Torch.onesLike(n), n);
            Tensor local = p == 2 ? x.div(safe) : x.mul(x.abs().pow(p - 2)).div(safe.pow(p - 1));
            return g(gi.mul(Torch.where(n.eq(0.0), Torch.zerosLike(local), local)));
        });
        def("logsumexp", "LogsumexpBackward0", X, true, (c, gr) -> {
            Tensor x = c.in(0);
            long[] s = x.shape();
            int[] d = dims(c.attrs(), "dims", s.length);
            boolean keep = c.attrs().b("keepdim");
            return g(unreduce(gr, s, d, keep).mul(x.sub(unreduce(c.out(), s, d, keep)).exp()));
        });
        def("softmax", "SoftmaxBackward0", NONE, true, (c, gr) -> {
            Tensor y = c.out();
            int dim = c.attrs().i("dim");
            return g(y.mul(gr.sub(gr.mul(y).sum(dim, true))));
        });
        def("log_softmax", "LogSoftmaxBackward0", NONE, true, (c, gr) -> {
            Tensor y = c.out();
            int dim = c.attrs().i("dim");
            return g(gr.sub(y.exp().mul(gr.sum(dim, true))));
        });

        // ---- matrices ----
        // As PyTorch's mm_mat1/mat2_backward: a gradient comes out in its input's layout, so the transposed weight of a
        // Linear (x · wᵀ) gets a gradient whose transpose is contiguous, and accumulating it into w.grad reads memory in order
        def("mm", "MmBackward0", X | Y, false, (c, gr) -> {
            Tensor a = c.in(0), b = c.in(1);
            Tensor ga = !c.needs(0) ? null : columnMajor(a) ? b.mm(gr.t()).t() : gr.mm(b.t());
            Tensor gb = !c.needs(1) ? null : columnMajor(b) ? gr.t().mm(a).t() : a.t().mm(gr);
            return g(ga, gb);
        });
        def("bmm", "BmmBackward0", X | Y, false, (c, gr) ->
                g(c.needs(0) ? gr.bmm(c.in(1).transpose(1, 2)) : null, c.needs(1) ? c.in(0).transpose(1, 2).bmm(gr) : null));
        def("inverse", "LinalgInvExBackward0", NONE, true, (c, gr) -> {
            Tensor inv = c.out();
            Tensor invT = inv.transpose(-2, -1);
            return g(invT.matmul(gr).matmul(invT).neg());
        });

        // ---- views ----
        def("view", "ViewBackward0", NONE, false, (c, gr) -> g(gr.reshape(c.inShape(0))));
        def("expand", "ExpandBackward0", NONE, false, (c, gr) -> g(Engine.sumTo(gr, c.inShape(0))));
        def("permute", "PermuteBackward0", NONE, false, (c, gr) -> {
            int[] p = c.attrs().ints("dims");
            int[] inv = new int[p.length];
            for (int i = 0; i < p.length; i++) inv[p[i] < 0 ? p[i] + p.length : p[i]] = i;
            return g(gr.permute(inv));
        });
        def("transpose", "TransposeBackward0", NONE, false, (c, gr) -> g(c.inShape(0).length == 0 ? gr : gr.transpose(c.attrs().i("dim0"), c.attrs().i("dim1"))));
        def("t", "TBackward0", NONE, false, (c, gr) -> g(gr.t()));
        def("flip", "FlipBackward0", NONE, false, (c, gr) -> g(gr.flip(c.attrs().ints("dims"))));
        def("squeeze", a -> a.get("dim") == null ? "SqueezeBackward0" : "SqueezeBackward1", NONE, false, (c, gr) -> g(gr.reshape(c.inShape(0))));
        def("unsqueeze", "UnsqueezeBackward0", NONE, false, (c, gr) -> g(gr.reshape(c.inShape(0))));
        def("select", "SelectBackward0", NONE, false, (c, gr) -> {
            long[] s = c.inShape(0);
            int dim = c.attrs().i("dim");
            int d = dim < 0 ? dim + s.length : dim;
            long i = c.attrs().l("index");
            if (i < 0) i += s[d];
            return g(zeros(s, gr).indexAdd(d, Torch.tensor(new long[] {i}).to(gr.device()), gr.unsqueeze(d)));
        });
        def("slice", "SliceBackward0", NONE, false, (c, gr) -> {
            long[] s = c.inShape(0);
            int d = c.attrs().i("dim");
            long start = c.attrs().l("start");
            long end = c.attrs().l("end");
            long step = c.attrs().l("step");
            if (gr.size(d) == 0) return g(zeros(s, gr));
            Tensor idx = Torch.arange(start, end, step).to(gr.device());
            return g(zeros(s, gr).indexAdd(d, idx, gr));
        });

        def("unfold", "UnfoldBackward0", NONE, false, (c, gr) -> {
            long[] s = c.inShape(0);
            if (s.length == 0) return g(gr.reshape(s));
            int d = c.attrs().i("dim") < 0 ? c.attrs().i("dim") + s.length : c.attrs().i("dim");
            long size = c.attrs().l("size");
            long step = c.attrs().l("step");
            long windows = gr.size(d);
            Tensor out = zeros(s, gr);
            // window element k of window w came from position w * step + k
            for (long k = 0; k < size; k++) {
                Tensor idx = Torch.arange(k, k + (windows - 1) * step + 1, step).to(gr.device());
                out = out.indexAdd(d, idx, gr.select(-1, k));
            }
            return g(out);
        });
        def("im2col", "Im2ColBackward0", NONE, false, (c, gr) -> {
            long[] s = c.inShape(0);
            return g(Ops.col2im(gr, (Window2d) c.attrs().get("window"), s[2], s[3]));
        });
        // conv2d (groups 1): mm's gradients over all samples at once, the [N, O, oh, ow] gradient taken as the [O, N*L]
        // matrix and the columns as [k, N*L] (a view in im2col's layout). With no graph to build, two ops read the
        // gradient where it is, the input's summing its columns while they are in cache; with create_graph, differentiable
        // ops: the columns again from the input (the saved ones are not differentiable), the gradient copied into that
        // matrix, mm and col2im. The same products and sums of the same values either way.
        // saves the columns (output 1), not the result: the formula never reads it, and keeping it would hold 6.4 MB more
        // per CNN step (the layer after it, ReLU, keeps its own)
        defSavingOutputs("_conv2d_im2col", "ConvolutionBackward0", X | Y, 1 << 1, (c, gr) -> {
            Window2d win = (Window2d) c.attrs().get("window");
            long[] xs = c.inShape(0), ws = c.inShape(1);
            Tensor w = c.in(1);
            Tensor gb = c.needs(2) ? gr.sum(new int[] {0, 2, 3}, false) : null;
            if (!Torch.isGradEnabled()) {
                return g(c.needs(0) ? Ops.conv2dBackwardInput(gr, w, win, xs[2], xs[3]) : null,
                        c.needs(1) ? Ops.conv2dColumnsBackwardWeight(gr, c.out(1)).view(ws) : null, gb);
            }
            long n = gr.size(0), o = gr.size(1), l = gr.size(2) * gr.size(3), k = ws[1] * ws[2] * ws[3];
            Tensor g2 = gr.transpose(0, 1).reshape(o, n * l);
            Tensor gx = c.needs(0) ? Ops.col2im(w.reshape(o, k).t().mm(g2).view(k, n, l).transpose(0, 1), win, xs[2], xs[3]) : null;
            Tensor gw = c.needs(1) ? g2.mm(Ops.im2col(c.in(0), win).transpose(0, 1).reshape(k, n * l).t()).view(ws) : null;
            return g(gx, gw, gb);
        });
        def("col2im", "Col2ImBackward0", NONE, false, (c, gr) -> g(Ops.im2col(gr, (Window2d) c.attrs().get("window"))));
        // each output took its value from one input cell (its index): gradients scatter back there, adding where windows overlap
        defSavingOutputs("max_pool2d_with_indices", "MaxPool2DWithIndicesBackward0", NONE, 1 << 1, // the indices, not the values
                (c, gr) -> g(Ops.maxPool2dBackward(gr, c.out(1), c.inShape(0))));
        // linear in the gradient: each output reads back the input cell its index names
        def("max_pool2d_with_indices_backward", "MaxPool2DWithIndicesBackwardBackward0", Y, false, (c, gr) -> {
            Tensor idx = c.in(1);
            return g(c.needs(0) ? gr.flatten(2, -1).gather(2, idx.flatten(2, -1)).view(idx.shape()) : null, null);
        });
        def("constant_pad_nd", "ConstantPadNdBackward0", NONE, false, (c, gr) -> {
            long[] p = c.attrs().longs("padding").clone();
            for (int i = 0; i < p.length; i++) p[i] = -p[i];
            return g(gr.pad(p, 0.0));
        });

        // ---- copies and joins ----
        def("clone", "CloneBackward0", NONE, false, (c, gr) -> g(gr));
        def("_to_copy", "ToCopyBackward0", NONE, false, (c, gr) -> g(gr.to(c.inDType(0))));
        def("cat", "CatBackward0", NONE, false, (c, gr) -> {
            int n = c.numInputs();
            int rank = gr.dim();
            int dim = c.attrs().i("dim");
            int d = dim < 0 ? dim + rank : dim;
            Tensor[] out = new Tensor[n];
            long pos = 0;
            for (int i = 0; i < n; i++) {
                long[] s = c.inShape(i);
                if (s.length == 1 && s[0] == 0 && rank != 1) continue;
                long len = s[d];
                if (c.needs(i)) out[i] = gr.narrow(d, pos, len);
                pos += len;
            }
            return out;
        });
        def("stack", "StackBackward0", NONE, false, (c, gr) -> {
            int n = c.numInputs();
            int dim = c.attrs().i("dim");
            int d = dim < 0 ? dim + gr.dim() : dim;
            Tensor[] out = new Tensor[n];
            for (int i = 0; i < n; i++) if (c.needs(i)) out[i] = gr.select(d, i);
            return out;
        });
        def("repeat", "RepeatBackward0", NONE, false, (c, gr) -> {
            long[] in = c.inShape(0);
            long[] reps = c.attrs().longs("repeats");
            int r = reps.length;
            long[] src = new long[r];
            java.util.Arrays.fill(src, 1);
            System.arraycopy(in, 0, src, r - in.length, in.length);
            long[] inter = new long[2 * r];
            int[] sumDims = new int[r];
            for (int i = 0; i < r; i++) {
                inter[2 * i] = reps[i];
                inter[2 * i + 1] = src[i];
                sumDims[i] = 2 * i;
            }
            return g(gr.reshape(inter).sum(sumDims, false).reshape(in));
        });

        // ---- indexing ----
        def("index_select", "IndexSelectBackward0", Y, false, (c, gr) -> {
            long[] s = c.inShape(0);
            int dim = c.attrs().i("dim");
            if (s.length == 0) return g(gr.reshape(s), null);
            Tensor idx = c.in(1);
            Tensor gi = idx.dim() == 0 ? gr : gr;
            return g(zeros(s, gr).indexAdd(dim, idx.reshape(-1), gi), null);
        });
        def("gather", "GatherBackward0", Y, false, (c, gr) -> g(zeros(c.inShape(0), gr).scatterAdd(c.attrs().i("dim"), c.in(1), gr), null));
        def("scatter", a -> "ScatterBackward0", Y, false, (c, gr) -> {
            int dim = c.attrs().i("dim");
            Tensor idx = c.in(1);
            Tensor gs = c.needs(2) && c.inShape(2).length > 0 ? gr.gather(dim, idx) : null;
            return g(c.needs(0) ? gr.scatter(dim, idx, 0.0) : null, null, gs);
        });
        def("scatter_add", "ScatterAddBackward0", Y, false, (c, gr) ->
                g(gr, null, c.needs(2) ? gr.gather(c.attrs().i("dim"), c.in(1)) : null));
        def("index_add", "IndexAddBackward0", Y, false, (c, gr) -> {
            int dim = c.attrs().i("dim");
            Tensor gs = null;
            if (c.needs(2)) {
                gs = c.inShape(0).length == 0 ? gr : gr.indexSelect(dim, c.in(1).reshape(-1));
                gs = gs.reshape(c.inShape(2));
            }
            return g(gr, null, gs);
        });
        def("masked_select", "MaskedSelectBackward0", Y, false, (c, gr) -> {
            Tensor mask = c.in(1);
            long[] x = c.inShape(0);
            long[] shape = dev.kindling.kernel.tensor.Shapes.broadcast(x, mask.shape());
            Tensor flatMask = mask.expand(shape).reshape(-1);
            Tensor idx = Torch.arange(flatMask.numel()).to(gr.device()).maskedSelect(flatMask);
            Tensor full = Torch.zeros(new long[] {flatMask.numel()}, gr.dtype(), gr.device()).indexAdd(0, idx, gr);
            return g(Engine.sumTo(full.reshape(shape), x), null);
        });
        def("masked_fill", "MaskedFillBackward0", Y, false, (c, gr) -> g(gr.maskedFill(c.in(1), 0.0), null));

        // ---- fused ops: one node with PyTorch's name instead of the ops they are computed with ----
        def("addmm", "AddmmBackward0", Y | Z, false, (c, gr) -> {
            double beta = c.attrs().d("beta"), alpha = c.attrs().d("alpha");
            Tensor a = c.in(1), b = c.in(2);
            Tensor gs = c.needs(0) ? Engine.sumTo(beta == 1 ? gr : gr.mul(beta), c.inShape(0)) : null;
            Tensor ga = !c.needs(1) ? null : scaled(columnMajor(a) ? b.mm(gr.t()).t() : gr.mm(b.t()), alpha);
            Tensor gb = !c.needs(2) ? null : scaled(columnMajor(b) ? gr.t().mm(a).t() : a.t().mm(gr), alpha);
            return g(gs, ga, gb);
        });
        def("_autocast_linear", "AutocastLinearBackward0", X | Y, false, Derivatives::autocastLinear);
        def("baddbmm", "BaddbmmBackward0", Y | Z, false, (c, gr) -> {
            double beta = c.attrs().d("beta"), alpha = c.attrs().d("alpha");
            Tensor gs = c.needs(0) ? Engine.sumTo(beta == 1 ? gr : gr.mul(beta), c.inShape(0)) : null;
            Tensor ga = c.needs(1) ? scaled(gr.bmm(c.in(2).transpose(1, 2)), alpha) : null;
            Tensor gb = c.needs(2) ? scaled(c.in(1).transpose(1, 2).bmm(gr), alpha) : null;
            return g(gs, ga, gb);
        });
        def("dot", "DotBackward0", X | Y, false, (c, gr) ->
                g(c.needs(0) ? gr.mul(c.in(1)) : null, c.needs(1) ? gr.mul(c.in(0)) : null));
        def("nll_loss", "NllLossBackward0", Y | Z, false, (c, gr) -> {
            if (!c.needs(0)) return g(null, null, null);
            long[] shape = c.inShape(0);
            int classDim = shape.length == 1 ? 0 : 1;
            Tensor target = c.in(1);
            Tensor ignored = target.eq((double) c.attrs().l("ignore_index"));
            Tensor safe = target.maskedFill(ignored, 0.0);
            Tensor w = c.in(2).indexSelect(0, safe.reshape(-1)).view(target.shape()).maskedFill(ignored, 0.0);
            Tensor scale = c.attrs().i("reduction") == 1 ? gr.div(w.sum()) : gr;
            Tensor grad = Torch.zeros(shape, gr.dtype(), gr.device()).scatter(classDim, safe.unsqueeze(classDim), w.mul(scale).neg().unsqueeze(classDim));
            return g(grad, null, null);
        });
        def("mse_loss", "MseLossBackward0", X | Y, false, (c, gr) -> {
            Tensor diff = c.in(0).sub(c.in(1));
            double norm = c.attrs().i("reduction") == 1 ? 2.0 / Math.max(1, diff.numel()) : 2.0;
            Tensor grad = diff.mul(norm).mul(gr);
            return g(c.needs(0) ? grad : null, c.needs(1) ? grad.neg() : null);
        });
        def("native_dropout", "NativeDropoutBackward0", Y, false, (c, gr) -> g(gr.mul(c.in(1)), null));

        // ---- extremes over dims, sorting, diagonals ----
        Derivative.Formula amaxBack = (c, gr) -> {
            Tensor x = c.in(0);
            int[] d = dims(c.attrs(), "dims", x.dim());
            boolean keep = c.attrs().b("keepdim");
            Tensor mask = x.eq(unreduce(c.out(), x.shape(), d, keep)).to(gr.dtype());
            return g(mask.mul(unreduce(gr, x.shape(), d, keep)).div(mask.sum(d, true)));
        };
        def("amax", "AmaxBackward0", X, true, amaxBack);
        def("amin", "AminBackward0", X, true, amaxBack);
        Derivative.Formula selectedBack = (c, gr) -> {
            long[] s = c.inShape(0);
            if (s.length == 0) return g(gr);
            return g(Torch.zeros(s, gr.dtype(), gr.device()).scatter(c.attrs().i("dim"), c.out(1), gr));
        };
        def("sort", "SortBackward0", NONE, true, selectedBack);
        def("topk", "TopkBackward0", NONE, true, selectedBack);
        def("trace", "TraceBackward0", NONE, false, (c, gr) -> {
            long[] s = c.inShape(0);
            return g(Torch.eye(s[0], s[1]).to(gr.dtype()).mul(gr));
        });
        def("diag", "DiagBackward0", NONE, false, (c, gr) -> {
            long[] s = c.inShape(0);
            long k = c.attrs().l("diagonal");
            if (s.length == 1) return g(gr.diag(k));
            // The gradient vector back on the k-th diagonal of an [m, n] matrix: a square diag, cut or padded to size.
            Tensor square = gr.diag(k);
            long side = square.size(0);
            Tensor rows = side >= s[0] ? square.narrow(0, 0, s[0]) : square.pad(new long[] {0, 0, 0, s[0] - side}, 0.0);
            return g(side >= s[1] ? rows.narrow(1, 0, s[1]) : rows.pad(new long[] {0, s[1] - side}, 0.0));
        });

        // ---- scans, triangles, rolls ----
        def("cumsum", "CumsumBackward0", NONE, false, (c, gr) -> {
            int d = c.attrs().i("dim");
            return g(gr.flip(d).cumsum(d).flip(d));
        });
        def("cumprod", "CumprodBackward0", X, false, (c, gr) -> {
            // d out_j / d x_i = prod_{k <= j, k != i} x_k for j >= i: per i, the cumprod of x with x_i set to 1,
            // masked to j >= i, against the incoming gradient. Zeros need no special case; it is differentiable.
            Tensor x = c.in(0);
            if (x.dim() == 0) return g(gr);
            int d = c.attrs().i("dim");
            int dd = d < 0 ? d + x.dim() : d;
            long n = x.size(dd);
            Tensor eye = Torch.eye(n, n).toBool();
            long[] maskShape = new long[x.dim() + 1];
            java.util.Arrays.fill(maskShape, 1);
            maskShape[dd] = n;
            maskShape[dd + 1] = n;
            Tensor copies = x.unsqueeze(dd);                                     // [.., 1 (i), n (k), ..]
            long[] full = copies.shape();
            full[dd] = n;
            Tensor withOne = Torch.where(eye.view(maskShape), 1.0, copies.expand(full));
            Tensor upper = Torch.ones(n, n).triu().toBool().view(maskShape);    // j >= i
            Tensor partial = withOne.cumprod(dd + 1).mul(gr.unsqueeze(dd)).where(upper, 0.0);
            return g(partial.sum(dd + 1));
        });
        def("tril", "TrilBackward0", NONE, false, (c, gr) -> g(gr.tril(c.attrs().l("diagonal"))));
        def("triu", "TriuBackward0", NONE, false, (c, gr) -> g(gr.triu(c.attrs().l("diagonal"))));
        def("roll", "RollBackward0", NONE, false, (c, gr) -> {
            long[] back = c.attrs().longs("shifts").clone();
            for (int i = 0; i < back.length; i++) back[i] = -back[i];
            int[] dims = c.attrs().ints("dims");
            return g(dims == null ? gr.roll(back) : gr.roll(back, dims));
        });

        // ---- linear algebra ----
        def("linalg_det", "LinalgDetBackward0", X, true, LinalgDerivatives::det);
        def("linalg_solve", "LinalgSolveExBackward0", X, true, LinalgDerivatives::solve);
        def("linalg_cholesky", "LinalgCholeskyExBackward0", NONE, true, LinalgDerivatives::cholesky);
        // QR and SVD read the gradients of all their outputs (allGrads)
        TABLE.put("linalg_qr", new Derivative((a, in) -> "LinalgQrBackward0", NONE, true, LinalgDerivatives::qr, true));
        TABLE.put("linalg_svd", new Derivative((a, in) -> "LinalgSvdBackward0", NONE, true, LinalgDerivatives::svd, true));
        // norm's row: the same attributes (ord, dim, keepdim) and node
        TABLE.put("linalg_vector_norm", TABLE.get("norm"));

        // ---- in place only ----
        def("copy_", "CopyBackwards", NONE, false, (c, gr) -> g(Torch.zerosLike(gr), gr));
        def("fill_", "FillBackward0", NONE, false, (c, gr) -> g(Torch.zerosLike(gr)));
    }

    private static Tensor[] extremeBinary(Derivative.Ctx c, Tensor gr, boolean max) {
        Tensor x = c.in(0);
        Tensor y = c.in(1);
        Tensor half = gr.div(2.0);
        Tensor eq = x.eq(y);
        Tensor gx = null;
        Tensor gy = null;
        if (c.needs(0)) {
            Tensor wins = max ? x.gt(y) : x.lt(y);
            gx = Torch.where(eq, half, Torch.where(wins, gr, Torch.zerosLike(gr)));
        }
        if (c.needs(1)) {
            Tensor wins = max ? y.gt(x) : y.lt(x);
            gy = Torch.where(eq, half, Torch.where(wins, gr, Torch.zerosLike(gr)));
        }
        return g(gx, gy);
    }

    /** Max/min of all elements: the gradient is shared evenly among the elements equal to the result (as PyTorch). */
    private static Tensor evenly(Tensor x, Tensor result, Tensor gr) {
        Tensor mask = x.eq(result).logicalOr(x.isnan().logicalAnd(result.isnan())).to(gr.dtype());
        return mask.mul(gr.div(mask.sum()));
    }

}
