package dev.kindling.kernel.ops;

import dev.kindling.api.DType;
import dev.kindling.api.Device;
import dev.kindling.api.Tensor;
import dev.kindling.api.schema.FunctionSchema;
import dev.kindling.api.schema.NativeFunctions;
import dev.kindling.kernel.spi.BinaryOp;
import dev.kindling.kernel.spi.ReduceOp;
import dev.kindling.kernel.spi.UnaryOp;
import dev.kindling.kernel.spi.Window2d;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The op table: binds every op declared in the api's {@code native_functions.schema} (its name, typed attributes and
 * autograd kind, see {@link NativeFunctions}) to its forward. The forwards live in one class per op family
 * ({@link ElementwiseKernels}, {@link ReductionKernels}, {@link MatrixKernels}, {@link ViewKernels},
 * {@link WindowKernels}, {@link CopyKernels}, {@link IndexKernels}, {@link LossKernels}, {@link SortKernels},
 * {@link LinalgKernels}, {@link Einsum}): shape and dtype rules, PyTorch-worded errors and
 * the calls into backend primitives. The autograd bundle keys its derivatives by these names; an in-place op
 * {@code x_} shares the derivative of {@code x}.
 *
 * <p>Below the table, typed entry points used by {@link DenseTensor}.
 */
public final class Ops {
    private Ops() {}

    private static final Map<String, OpDef> BY_NAME = new LinkedHashMap<>();

    /** Binds the op {@code name} of the schema to its forward. */
    private static OpDef def(String name, OpDef.Forward f) {
        FunctionSchema schema = NativeFunctions.find(name);
        if (schema == null) {
            throw new IllegalStateException("op '" + name + "' has a forward but no declaration in native_functions.schema (api module)");
        }
        OpDef op = new OpDef(schema, f);
        if (BY_NAME.put(name, op) != null) throw new IllegalStateException("op bound twice: " + name);
        return op;
    }

    /**
     * Binds the schema's functional {@code name} (tagged {@code functional}: nn's linear, conv2d, layer_norm, ...) to
     * its forward, for the bundle that implements it. The op is not part of the kernel's table and the kernel keeps
     * no reference to it: it lives as long as the caller's class. Dispatched like any op, so dispatch layers see one
     * call (the tracer records one node; autograd, which intercepts no composite, records the ops inside).
     */
    public static OpDef functional(String name, OpDef.Forward forward) {
        FunctionSchema schema = NativeFunctions.findFunctional(name);
        if (schema == null) {
            throw new IllegalArgumentException("'" + name + "' is not declared as a functional in native_functions.schema (api module)");
        }
        return new OpDef(schema, forward);
    }

    /** {@code name_}: runs {@code base} and writes the result into input 0 (same derivative as {@code base}). */
    private static OpDef inPlace(OpDef base) {
        return def(base.name() + "_", (in, a) -> {
            Tensor r = base.forward(in, a)[0];
            Kernels.writeBack(d(in[0]), d(r), base.name() + "_");
            return one(in[0]);
        });
    }

    private static boolean declared(String name) { return NativeFunctions.find(name) != null; }

    static Tensor[] one(Tensor t) { return new Tensor[] {t}; }

    // ---------------------------------------------------------------- the table (schemas: native_functions.schema)
    private static final Map<UnaryOp, OpDef> UNARY = new EnumMap<>(UnaryOp.class);
    private static final Map<UnaryOp, OpDef> UNARY_ = new EnumMap<>(UnaryOp.class);
    private static final Map<BinaryOp, OpDef> BINARY = new EnumMap<>(BinaryOp.class);
    private static final Map<BinaryOp, OpDef> BINARY_ = new EnumMap<>(BinaryOp.class);

    static {
        for (UnaryOp u : UnaryOp.values()) {
            String name = u.name().toLowerCase(Locale.ROOT);
            UNARY.put(u, def(name, (in, a) -> one(ElementwiseKernels.unary(u, d(in[0])))));
            if (declared(name + "_")) {
                UNARY_.put(u, def(name + "_", (in, a) -> {
                    ElementwiseKernels.unaryInPlace(u, d(in[0]));
                    return one(in[0]);
                }));
            }
        }
        for (BinaryOp b : BinaryOp.values()) {
            String name = b.name().toLowerCase(Locale.ROOT);
            boolean scaled = b == BinaryOp.ADD || b == BinaryOp.SUB;
            BINARY.put(b, def(name, (in, a) -> one(ElementwiseKernels.binary(b, d(in[0]), d(in[1]), scaled ? a.d("alpha") : 1.0))));
            if (declared(name + "_")) {
                BINARY_.put(b, def(name + "_", (in, a) -> {
                    ElementwiseKernels.binaryInPlace(b, d(in[0]), d(in[1]), scaled ? a.d("alpha") : 1.0);
                    return one(in[0]);
                }));
            }
        }
    }

    /** The op of an elementwise primitive (and of its in-place form, or null where it has none). */
    public static OpDef unaryOp(UnaryOp u, boolean inPlace) { return (inPlace ? UNARY_ : UNARY).get(u); }

    public static OpDef binaryOp(BinaryOp b, boolean inPlace) { return (inPlace ? BINARY_ : BINARY).get(b); }

    public static final OpDef CLAMP = def("clamp", (in, a) -> one(ElementwiseKernels.clamp(d(in[0]), a.d("min"), a.d("max"), a.b("floating"))));
    public static final OpDef CLAMP_ = inPlace(CLAMP);
    public static final OpDef ISCLOSE = def("isclose", (in, a) -> one(ElementwiseKernels.isclose(d(in[0]), d(in[1]), a.d("rtol"), a.d("atol"), a.b("equal_nan"))));
    public static final OpDef WHERE = def("where", (in, a) -> one(ElementwiseKernels.where(d(in[0]), d(in[1]), d(in[2]))));
    public static final OpDef THRESHOLD_BACKWARD = def("threshold_backward",
            (in, a) -> one(ElementwiseKernels.thresholdBackward(d(in[0]), d(in[1]), a.d("threshold"))));

    public static final OpDef SUM = def("sum", (in, a) -> one(ReductionKernels.sum(d(in[0]), a.ints("dims"), a.b("keepdim"))));
    public static final OpDef MEAN = def("mean", (in, a) -> one(ReductionKernels.mean(d(in[0]), a.ints("dims"), a.b("keepdim"))));
    public static final OpDef PROD = def("prod", (in, a) -> one(ReductionKernels.prod(d(in[0]), a.ints("dims"), a.b("keepdim"))));
    public static final OpDef MAX_ALL = def("max", (in, a) -> one(ReductionKernels.extremeAll(d(in[0]), true)));
    public static final OpDef MIN_ALL = def("min", (in, a) -> one(ReductionKernels.extremeAll(d(in[0]), false)));
    public static final OpDef MAX_DIM = def("max_dim", (in, a) -> ReductionKernels.extremeDim(d(in[0]), a.i("dim"), a.b("keepdim"), true));
    public static final OpDef MIN_DIM = def("min_dim", (in, a) -> ReductionKernels.extremeDim(d(in[0]), a.i("dim"), a.b("keepdim"), false));
    public static final OpDef ARGMAX = def("argmax", (in, a) -> one(ReductionKernels.argExtreme(d(in[0]), (Integer) a.get("dim"), a.b("keepdim"), true)));
    public static final OpDef ARGMIN = def("argmin", (in, a) -> one(ReductionKernels.argExtreme(d(in[0]), (Integer) a.get("dim"), a.b("keepdim"), false)));
    public static final OpDef VAR = def("var", (in, a) -> one(ReductionKernels.var(d(in[0]), a.ints("dims"), a.i("correction"), a.b("keepdim"))));
    public static final OpDef STD = def("std", (in, a) -> one(ReductionKernels.var(d(in[0]), a.ints("dims"), a.i("correction"), a.b("keepdim")).sqrt()));
    public static final OpDef NORM = def("norm", (in, a) -> one(ReductionKernels.norm(d(in[0]), a.d("p"), a.ints("dims"), a.b("keepdim"))));
    public static final OpDef AMAX = def("amax", (in, a) -> one(ReductionKernels.extremeOver(d(in[0]), a.ints("dims"), a.b("keepdim"), true)));
    public static final OpDef AMIN = def("amin", (in, a) -> one(ReductionKernels.extremeOver(d(in[0]), a.ints("dims"), a.b("keepdim"), false)));
    public static final OpDef TRACE = def("trace", (in, a) -> one(ReductionKernels.trace(d(in[0]))));
    public static final OpDef SORT = def("sort", (in, a) -> SortKernels.sorted(d(in[0]), a.i("dim"), a.b("descending"), d(in[0]).dim() == 0 ? 1 : d(in[0]).size(a.i("dim")), "sort"));
    public static final OpDef ARGSORT = def("argsort", (in, a) -> one(SortKernels.sorted(d(in[0]), a.i("dim"), a.b("descending"), d(in[0]).dim() == 0 ? 1 : d(in[0]).size(a.i("dim")), "argsort")[1]));
    public static final OpDef TOPK = def("topk", (in, a) -> SortKernels.sorted(d(in[0]), a.i("dim"), a.b("largest"), a.l("k"), "topk"));
    public static final OpDef LOGSUMEXP = def("logsumexp", (in, a) -> one(ReductionKernels.logsumexp(d(in[0]), a.ints("dims"), a.b("keepdim"))));
    public static final OpDef ALL = def("all", (in, a) -> one(ReductionKernels.reduceBool(d(in[0]), ReduceOp.ALL)));
    public static final OpDef ANY = def("any", (in, a) -> one(ReductionKernels.reduceBool(d(in[0]), ReduceOp.ANY)));
    public static final OpDef SOFTMAX = def("softmax", (in, a) -> one(ReductionKernels.softmax(d(in[0]), a.i("dim"), false)));
    public static final OpDef LOG_SOFTMAX = def("log_softmax", (in, a) -> one(ReductionKernels.softmax(d(in[0]), a.i("dim"), true)));

    public static final OpDef MM = def("mm", (in, a) -> one(MatrixKernels.mm(d(in[0]), d(in[1]))));
    public static final OpDef BMM = def("bmm", (in, a) -> one(MatrixKernels.bmm(d(in[0]), d(in[1]))));
    /** Composite: its parts (mm, bmm, views) are dispatched, so autograd records them. */
    public static final OpDef MATMUL = def("matmul", (in, a) -> one(Composites.matmulOf(d(in[0]), d(in[1]))));
    public static final OpDef INVERSE = def("inverse", (in, a) -> one(MatrixKernels.inverse(d(in[0]))));
    public static final OpDef ADDMM = def("addmm", (in, a) -> one(MatrixKernels.addmm(d(in[0]), d(in[1]), d(in[2]), a.d("beta"), a.d("alpha"))));
    public static final OpDef AUTOCAST_LINEAR = def("_autocast_linear", (in, a) ->
            one(MatrixKernels.autocastLinear(d(in[0]), d(in[1]), in[2] == null ? null : d(in[2]), (DType) a.get("dtype"))));
    public static final OpDef MM_AT = def("_mm_at", (in, a) ->
            one(MatrixKernels.mmAt(d(in[0]), d(in[1]), (DType) a.get("dtype"), (DType) a.get("out_dtype"), a.b("round_output"))));
    public static final OpDef BADDBMM = def("baddbmm", (in, a) -> one(MatrixKernels.baddbmm(d(in[0]), d(in[1]), d(in[2]), a.d("beta"), a.d("alpha"))));
    public static final OpDef DIAG = def("diag", (in, a) -> one(IndexKernels.diag(d(in[0]), a.l("diagonal"))));
    /** Composite: a column view times a row (MulBackward0, as PyTorch's). */
    public static final OpDef OUTER = def("outer", (in, a) -> one(Composites.outerOf(d(in[0]), d(in[1]))));
    /** Composite: pairwise batched products of the operands (Einsum). */
    public static final OpDef EINSUM = def("einsum", (in, a) -> one(Einsum.einsum(a.s("equation"), in)));
    public static final OpDef DOT = def("dot", (in, a) -> one(MatrixKernels.dot(d(in[0]), d(in[1]))));

    public static final OpDef VIEW = def("view", (in, a) -> one(ViewKernels.view(d(in[0]), a.longs("shape"))));
    /** Composite: a view where the strides allow, else a clone viewed. */
    public static final OpDef RESHAPE = def("reshape", (in, a) -> one(Composites.reshapeOf(d(in[0]), a.longs("shape"))));
    public static final OpDef FLATTEN = def("flatten", (in, a) -> one(Composites.flattenOf(d(in[0]), a.i("start_dim"), a.i("end_dim"))));
    public static final OpDef EXPAND = def("expand", (in, a) -> one(ViewKernels.expand(d(in[0]), a.longs("shape"))));
    public static final OpDef PERMUTE = def("permute", (in, a) -> one(ViewKernels.permute(d(in[0]), a.ints("dims"))));
    public static final OpDef TRANSPOSE = def("transpose", (in, a) -> one(ViewKernels.transpose(d(in[0]), a.i("dim0"), a.i("dim1"))));
    public static final OpDef T = def("t", (in, a) -> one(ViewKernels.t(d(in[0]))));
    public static final OpDef SQUEEZE = def("squeeze", (in, a) -> one(ViewKernels.squeeze(d(in[0]), (Integer) a.get("dim"))));
    public static final OpDef UNSQUEEZE = def("unsqueeze", (in, a) -> one(ViewKernels.unsqueeze(d(in[0]), a.i("dim"))));
    public static final OpDef SELECT = def("select", (in, a) -> one(ViewKernels.select(d(in[0]), a.i("dim"), a.l("index"))));
    public static final OpDef SLICE = def("slice", (in, a) -> one(ViewKernels.slice(d(in[0]), a.i("dim"), a.l("start"), a.l("end"), a.l("step"))));
    public static final OpDef UNFOLD = def("unfold", (in, a) -> one(ViewKernels.unfold(d(in[0]), a.i("dim"), a.l("size"), a.l("step"))));
    public static final OpDef CONSTANT_PAD = def("constant_pad_nd", (in, a) -> one(WindowKernels.constantPad(d(in[0]), a.longs("padding"), a.d("value"))));
    public static final OpDef FLIP = def("flip", (in, a) -> one(CopyKernels.flip(d(in[0]), a.ints("dims"))));
    public static final OpDef CUMSUM = def("cumsum", (in, a) -> one(ReductionKernels.scan(d(in[0]), a.i("dim"), false)));
    public static final OpDef CUMPROD = def("cumprod", (in, a) -> one(ReductionKernels.scan(d(in[0]), a.i("dim"), true)));
    // As _unique2 on the CPU: the inverse comes with the counts too (torch.unique drops what was not asked for).
    public static final OpDef UNIQUE = def("unique", (in, a) -> ReductionKernels.unique(d(in[0]), a.b("return_inverse") || a.b("return_counts"), a.b("return_counts")));
    public static final OpDef BINCOUNT = def("bincount", (in, a) -> one(ReductionKernels.bincount(d(in[0]), in[1] == null ? null : d(in[1]), a.l("minlength"))));
    public static final OpDef TRIL = def("tril", (in, a) -> one(CopyKernels.triangle(d(in[0]), a.l("diagonal"), true)));
    public static final OpDef TRIU = def("triu", (in, a) -> one(CopyKernels.triangle(d(in[0]), a.l("diagonal"), false)));
    public static final OpDef ROLL = def("roll", (in, a) -> one(CopyKernels.roll(d(in[0]), a.longs("shifts"), a.ints("dims"))));

    public static final OpDef NLL_LOSS = def("nll_loss", (in, a) -> one(LossKernels.nllLoss(in[0], in[1], in[2], a.i("reduction"), a.l("ignore_index"))));
    public static final OpDef MSE_LOSS = def("mse_loss", (in, a) -> one(LossKernels.mseLoss(in[0], in[1], a.i("reduction"))));
    public static final OpDef NATIVE_DROPOUT = def("native_dropout", (in, a) -> one(ElementwiseKernels.binary(BinaryOp.MUL, d(in[0]), d(in[1]), 1.0)));

    public static final OpDef IM2COL = def("im2col", (in, a) -> one(WindowKernels.im2col(d(in[0]), (Window2d) a.get("window"))));
    public static final OpDef COL2IM = def("col2im", (in, a) -> one(WindowKernels.col2im(d(in[0]), (Window2d) a.get("window"), a.l("height"), a.l("width"))));
    public static final OpDef CONV2D_IM2COL = def("_conv2d_im2col", (in, a) ->
            WindowKernels.conv2dIm2col(d(in[0]), d(in[1]), in[2] == null ? null : d(in[2]), (Window2d) a.get("window")));
    public static final OpDef CONV2D_BACKWARD_INPUT = def("_conv2d_backward_input", (in, a) ->
            one(WindowKernels.conv2dBackwardInput(d(in[0]), d(in[1]), (Window2d) a.get("window"), a.l("height"), a.l("width"))));
    public static final OpDef CONV2D_COLUMNS_BACKWARD_WEIGHT = def("_conv2d_columns_backward_weight", (in, a) ->
            one(WindowKernels.conv2dColumnsBackwardWeight(d(in[0]), d(in[1]))));
    public static final OpDef MAX_POOL2D = def("max_pool2d_with_indices", (in, a) -> WindowKernels.maxPool2d(d(in[0]), (Window2d) a.get("window")));
    public static final OpDef MAX_POOL2D_BACKWARD = def("max_pool2d_with_indices_backward",
            (in, a) -> one(WindowKernels.maxPool2dBackward(d(in[0]), d(in[1]), a.longs("input_size"))));

    public static final OpDef CLONE = def("clone", (in, a) -> one(CopyKernels.clone(d(in[0]))));
    public static final OpDef TO_COPY = def("_to_copy", (in, a) -> one(CopyKernels.toCopy(d(in[0]), (DType) a.get("dtype"), (Device) a.get("device"))));
    public static final OpDef AMP_NON_FINITE_CHECK_AND_UNSCALE = def("_amp_foreach_non_finite_check_and_unscale_",
            (in, a) -> one(AmpKernels.nonFiniteCheckAndUnscale(in)));
    public static final OpDef FUSED_SGD = def("_fused_sgd_", (in, a) ->
            one(OptimizerKernels.sgd(d(in[0]), d(in[1]), d(in[2]), a.d("lr"), a.d("momentum"), a.d("dampening"))));
    public static final OpDef FUSED_ADAM = def("_fused_adam_", (in, a) -> one(OptimizerKernels.adam(d(in[0]), d(in[1]), d(in[2]), d(in[3]),
            a.d("beta1"), a.d("beta2"), a.d("step_size"), a.d("bias_correction2_sqrt"), a.d("eps"))));
    public static final OpDef CAT = def("cat", (in, a) -> one(CopyKernels.cat(in, a.i("dim"))));
    public static final OpDef STACK = def("stack", (in, a) -> one(CopyKernels.stack(in, a.i("dim"))));
    public static final OpDef REPEAT = def("repeat", (in, a) -> one(CopyKernels.repeat(d(in[0]), a.longs("repeats"))));

    public static final OpDef INDEX_SELECT = def("index_select", (in, a) -> one(IndexKernels.indexSelect(d(in[0]), a.i("dim"), d(in[1]))));
    public static final OpDef GATHER = def("gather", (in, a) -> one(IndexKernels.gather(d(in[0]), a.i("dim"), d(in[1]))));
    public static final OpDef SCATTER = def("scatter", (in, a) -> one(IndexKernels.scatter(d(in[0]), a.i("dim"), d(in[1]), d(in[2]), false)));
    public static final OpDef SCATTER_ = inPlace(SCATTER);
    public static final OpDef SCATTER_ADD = def("scatter_add", (in, a) -> one(IndexKernels.scatter(d(in[0]), a.i("dim"), d(in[1]), d(in[2]), true)));
    public static final OpDef SCATTER_ADD_ = inPlace(SCATTER_ADD);
    public static final OpDef INDEX_ADD = def("index_add", (in, a) -> one(IndexKernels.indexAdd(d(in[0]), a.i("dim"), d(in[1]), d(in[2]))));
    public static final OpDef INDEX_ADD_ = inPlace(INDEX_ADD);
    public static final OpDef MASKED_SELECT = def("masked_select", (in, a) -> one(IndexKernels.maskedSelect(d(in[0]), d(in[1]))));
    public static final OpDef MASKED_FILL = def("masked_fill", (in, a) -> one(IndexKernels.maskedFill(d(in[0]), d(in[1]), a.d("value"))));
    public static final OpDef MASKED_FILL_ = inPlace(MASKED_FILL);

    // ---- linear algebra (LinalgKernels) ----
    public static final OpDef LINALG_DET = def("linalg_det", (in, a) -> one(LinalgKernels.det(d(in[0]))));
    /** Composite: linalg_det (LinalgDetBackward0, as PyTorch's torch.det). */
    public static final OpDef DET = def("det", (in, a) -> one(call(LINALG_DET, Attrs.NONE, in[0])));
    public static final OpDef LINALG_SOLVE = def("linalg_solve", (in, a) -> one(LinalgKernels.solve(d(in[0]), d(in[1]), a.b("left"))));
    public static final OpDef LINALG_CHOLESKY = def("linalg_cholesky", (in, a) -> one(LinalgKernels.cholesky(d(in[0]), a.b("upper"))));
    public static final OpDef LINALG_QR = def("linalg_qr", (in, a) -> LinalgKernels.qr(d(in[0]), a.s("mode")));
    public static final OpDef LINALG_SVD = def("linalg_svd", (in, a) -> LinalgKernels.svd(d(in[0]), a.b("full_matrices")));
    public static final OpDef LINALG_VECTOR_NORM = def("linalg_vector_norm", (in, a) -> one(ReductionKernels.norm(d(in[0]), a.d("ord"), a.ints("dim"), a.b("keepdim"))));
    /** Composite: 'fro' is linalg_vector_norm over the two dims, 'nuc' the sum of linalg_svd's singular values (as PyTorch's). */
    public static final OpDef LINALG_MATRIX_NORM = def("linalg_matrix_norm", (in, a) -> one(Composites.matrixNormOf(d(in[0]), a.s("ord"), a.ints("dim"), a.b("keepdim"))));

    public static final OpDef COPY_ = def("copy_", (in, a) -> one(CopyKernels.copyInto(d(in[0]), d(in[1]))));
    public static final OpDef FILL_ = def("fill_", (in, a) -> one(CopyKernels.fill(d(in[0]), a.d("value"))));

    /** All ops by name, in declaration order. */
    public static Map<String, OpDef> table() { return Collections.unmodifiableMap(BY_NAME); }

    public static OpDef byName(String name) {
        OpDef op = BY_NAME.get(name);
        if (op == null) throw new IllegalArgumentException("unknown op '" + name + "'");
        return op;
    }

    // ---------------------------------------------------------------- typed entry points
    static DenseTensor d(Tensor t) {
        if (t instanceof DenseTensor) return (DenseTensor) t;
        if (t == null) throw new NullPointerException("tensor argument is null");
        throw new IllegalArgumentException("not a Kindling kernel tensor: " + t.getClass().getName());
    }

    private static Tensor call(OpDef op, Attrs attrs, Tensor... inputs) { return Dispatcher.dispatch(op, inputs, attrs)[0]; }

    /** Calls {@code op} with attributes checked against its schema here, so the dispatcher passes them through. */
    private static Tensor call(OpDef op, Object[] attrs, Tensor... inputs) { return Dispatcher.dispatch(op, inputs, op.attrs(attrs))[0]; }

    /** A Java double as a 0-dim FLOAT64 wrapped number on {@code like}'s device (a Python float in promotion). */
    public static DenseTensor scalar(DenseTensor like, double v) { return Kernels.wrapped(like, v); }

    /** A Java long as a 0-dim INT64 wrapped number (a Python int in promotion). */
    public static DenseTensor scalar(DenseTensor like, long v) { return Kernels.wrapped(like, v); }

    /** im2col of a 4-d {@code [N, C, H, W]} tensor: {@code [N, C*kh*kw, oh*ow]}. */
    public static Tensor im2col(Tensor x, Window2d w) { return call(IM2COL, IM2COL.attrs(w), x); }

    /** col2im of {@code [N, C*kh*kw, oh*ow]} columns into {@code [N, C, h, w]}. */
    public static Tensor col2im(Tensor cols, Window2d w, long h, long width) { return call(COL2IM, COL2IM.attrs(w, h, width), cols); }

    /**
     * conv2d (groups 1) of {@code [N, C, H, W]} by a {@code [C_out, C, kh, kw]} weight (+ {@code bias [C_out]}, may be
     * null): the output {@code [N, C_out, oh, ow]}, and im2col's columns it multiplied; see {@code _conv2d_im2col} in
     * native_functions.schema.
     */
    public static Tensor[] conv2dIm2col(Tensor x, Tensor weight, Tensor bias, Window2d w) {
        return Dispatcher.dispatch(CONV2D_IM2COL, new Tensor[] {x, weight, bias}, CONV2D_IM2COL.attrs(w));
    }

    /** {@link #conv2dIm2col}'s input gradient, {@code col2im(weight^T @ grad)} as {@code [N, C, height, width]}. */
    public static Tensor conv2dBackwardInput(Tensor grad, Tensor weight, Window2d w, long height, long width) {
        return call(CONV2D_BACKWARD_INPUT, CONV2D_BACKWARD_INPUT.attrs(w, height, width), grad, weight);
    }

    /** {@link #conv2dIm2col}'s weight gradient, {@code grad @ columns^T} over all samples as {@code [C_out, k]}. */
    public static Tensor conv2dColumnsBackwardWeight(Tensor grad, Tensor columns) {
        return call(CONV2D_COLUMNS_BACKWARD_WEIGHT, Attrs.NONE, grad, columns);
    }

    /**
     * SGD's momentum step for one parameter, in place on {@code param} and {@code buffer}: see {@code _fused_sgd_} in
     * native_functions.schema.
     */
    public static Tensor fusedSgd_(Tensor param, Tensor buffer, Tensor grad, double lr, double momentum, double dampening) {
        return call(FUSED_SGD, FUSED_SGD.attrs(lr, momentum, dampening), param, buffer, grad);
    }

    /**
     * Adam's step for one parameter (no amsgrad), in place on {@code param} and its moments: see {@code _fused_adam_} in
     * native_functions.schema.
     */
    public static Tensor fusedAdam_(Tensor param, Tensor expAvg, Tensor expAvgSq, Tensor grad, double beta1, double beta2, double stepSize,
                                    double biasCorrection2Sqrt, double eps) {
        return call(FUSED_ADAM, FUSED_ADAM.attrs(beta1, beta2, stepSize, biasCorrection2Sqrt, eps), param, expAvg, expAvgSq, grad);
    }

    /** Max pooling of a 4-d tensor: values and flat INT64 indices into each channel's {@code H*W}. */
    public static Tensor.ValuesIndices maxPool2d(Tensor x, Window2d w) {
        Tensor[] r = Dispatcher.dispatch(MAX_POOL2D, new Tensor[] {x}, MAX_POOL2D.attrs(w));
        return new Tensor.ValuesIndices(r[0], r[1]);
    }

    /** {@link #maxPool2d}'s gradient: {@code grad} added at {@code indices} into zeros of {@code inputSize}. */
    public static Tensor maxPool2dBackward(Tensor grad, Tensor indices, long[] inputSize) {
        return call(MAX_POOL2D_BACKWARD, MAX_POOL2D_BACKWARD.attrs((Object) inputSize.clone()), grad, indices);
    }

    public static Tensor unary(UnaryOp op, Tensor x) { return call(UNARY.get(op), Attrs.NONE, x); }

    public static Tensor unaryInPlace(UnaryOp op, Tensor x) { return call(UNARY_.get(op), Attrs.NONE, x); }

    public static Tensor binary(BinaryOp op, Tensor a, Tensor b) { return call(BINARY.get(op), Attrs.NONE, a, b); }

    public static Tensor binaryInPlace(BinaryOp op, Tensor a, Tensor b) { return call(BINARY_.get(op), Attrs.NONE, a, b); }

    // alpha = 1 (nearly every call) takes the op's default attributes: nothing to box or check per call.
    public static Tensor add(Tensor a, Tensor b, double alpha) {
        OpDef op = BINARY.get(BinaryOp.ADD);
        return alpha == 1 ? call(op, Attrs.NONE, a, b) : call(op, new Object[] {alpha}, a, b);
    }

    public static Tensor sub(Tensor a, Tensor b, double alpha) {
        OpDef op = BINARY.get(BinaryOp.SUB);
        return alpha == 1 ? call(op, Attrs.NONE, a, b) : call(op, new Object[] {alpha}, a, b);
    }

    public static Tensor addInPlace(Tensor a, Tensor b, double alpha) { return call(BINARY_.get(BinaryOp.ADD), new Object[] {alpha}, a, b); }

    public static Tensor powScalar(Tensor x, Tensor exponent) { return binary(BinaryOp.POW, x, exponent); }

    public static Tensor powScalarInPlace(Tensor x, Tensor exponent) { return binaryInPlace(BinaryOp.POW, x, exponent); }

    public static Tensor clamp(Tensor x, double min, double max) { return call(CLAMP, CLAMP.attrs(min, max, true), x); }

    public static Tensor clampIntegral(Tensor x, long min, long max) { return call(CLAMP, CLAMP.attrs((double) min, (double) max, false), x); }

    public static Tensor clampInPlace(Tensor x, double min, double max) { return call(CLAMP_, CLAMP_.attrs(min, max, true), x); }

    public static Tensor where(Tensor c, Tensor a, Tensor b) { return call(WHERE, Attrs.NONE, c, a, b); }

    public static Tensor sum(Tensor x, int[] dims, boolean keepdim) { return call(SUM, SUM.attrs(dims, keepdim), x); }

    public static Tensor mean(Tensor x, int[] dims, boolean keepdim) { return call(MEAN, MEAN.attrs(dims, keepdim), x); }

    public static Tensor prod(Tensor x, int[] dims, boolean keepdim) { return call(PROD, PROD.attrs(dims, keepdim), x); }

    public static Tensor maxAll(Tensor x, boolean max) { return call(max ? MAX_ALL : MIN_ALL, Attrs.NONE, x); }

    public static Tensor.ValuesIndices maxDim(Tensor x, int dim, boolean keepdim, boolean max) {
        OpDef op = max ? MAX_DIM : MIN_DIM;
        Tensor[] r = Dispatcher.dispatch(op, new Tensor[] {x}, op.attrs(dim, keepdim));
        return new Tensor.ValuesIndices(r[0], r[1]);
    }

    public static Tensor argmax(Tensor x, Integer dim, boolean keepdim, boolean max) {
        return call(max ? ARGMAX : ARGMIN, new Object[] {dim, keepdim}, x);
    }

    public static Tensor varStd(Tensor x, int[] dims, int correction, boolean keepdim, boolean std) {
        return call(std ? STD : VAR, new Object[] {dims, correction, keepdim}, x);
    }

    public static Tensor norm(Tensor x, double p, int[] dims, boolean keepdim) { return call(NORM, NORM.attrs(p, dims, keepdim), x); }

    public static Tensor logsumexp(Tensor x, int[] dims, boolean keepdim) { return call(LOGSUMEXP, LOGSUMEXP.attrs(dims, keepdim), x); }

    public static Tensor allAny(Tensor x, boolean all) { return call(all ? ALL : ANY, Attrs.NONE, x); }

    public static Tensor softmax(Tensor x, int dim, boolean log) { return call(log ? LOG_SOFTMAX : SOFTMAX, new Object[] {dim}, x); }

    public static Tensor mm(Tensor a, Tensor b) { return call(MM, Attrs.NONE, a, b); }

    /** Autocast's fused linear: see {@code _autocast_linear} in native_functions.schema. */
    public static Tensor autocastLinear(Tensor input, Tensor weight, Tensor bias, DType dtype) {
        return call(AUTOCAST_LINEAR, AUTOCAST_LINEAR.attrs(dtype), input, weight, bias);
    }

    /** {@code a @ b} read at {@code dtype}, into {@code outDType}: see {@code _mm_at} in native_functions.schema. */
    public static Tensor mmAt(Tensor a, Tensor b, DType dtype, DType outDType, boolean roundOutput) {
        return call(MM_AT, MM_AT.attrs(dtype, outDType, roundOutput), a, b);
    }

    public static Tensor bmm(Tensor a, Tensor b) { return call(BMM, Attrs.NONE, a, b); }

    public static Tensor matmul(Tensor a, Tensor b) { return call(MATMUL, Attrs.NONE, a, b); }

    public static Tensor inverse(Tensor a) { return call(INVERSE, Attrs.NONE, a); }

    public static Tensor view(Tensor x, long[] shape) { return call(VIEW, VIEW.attrs((Object) shape.clone()), x); }

    public static Tensor reshape(Tensor x, long[] shape) { return call(RESHAPE, RESHAPE.attrs((Object) shape.clone()), x); }

    public static Tensor flatten(Tensor x, int start, int end) { return call(FLATTEN, FLATTEN.attrs(start, end), x); }

    public static Tensor expand(Tensor x, long[] shape) { return call(EXPAND, EXPAND.attrs((Object) shape.clone()), x); }

    public static Tensor permute(Tensor x, int[] dims) { return call(PERMUTE, PERMUTE.attrs((Object) dims.clone()), x); }

    public static Tensor transpose(Tensor x, int d0, int d1) { return call(TRANSPOSE, TRANSPOSE.attrs(d0, d1), x); }

    public static Tensor t(Tensor x) { return call(T, Attrs.NONE, x); }

    public static Tensor squeeze(Tensor x, Integer dim) { return call(SQUEEZE, SQUEEZE.attrs(dim), x); }

    public static Tensor unsqueeze(Tensor x, int dim) { return call(UNSQUEEZE, UNSQUEEZE.attrs(dim), x); }

    public static Tensor select(Tensor x, int dim, long index) { return call(SELECT, SELECT.attrs(dim, index), x); }

    /** Python slice semantics: bounds clamp, negatives count from the end; step must be positive. */
    public static Tensor slice(Tensor x, int dim, long start, long end, long step) {
        DenseTensor t = d(x);
        if (t.dim() == 0) throw new IllegalArgumentException("slice() cannot be applied to a 0-dim tensor.");
        int dd = Kernels.dim(dim, t.dim());
        if (step <= 0) throw new IllegalArgumentException("slice step must be positive, got " + step);
        long n = t.shapeRef()[dd];
        long s = start < 0 ? start + n : start;
        long e = end < 0 ? end + n : end;
        s = Math.max(0, Math.min(s, n));
        e = Math.max(s, Math.min(e, n));
        return call(SLICE, SLICE.attrs(dd, s, e, step), x);
    }

    public static Tensor narrow(Tensor x, int dim, long start, long length) {
        DenseTensor t = d(x);
        int dd = Kernels.dim(dim, t.dim());
        long n = t.shapeRef()[dd];
        long s = start < 0 ? start + n : start;
        if (s < 0 || s > n) throw new IndexOutOfBoundsException("start out of range (expected to be in range of [" + (-n) + ", " + n + "], but got " + start + ")");
        if (length < 0 || s + length > n) {
            throw new IllegalArgumentException("start (" + s + ") + length (" + length + ") exceeds dimension size (" + n + ").");
        }
        return call(SLICE, SLICE.attrs(dd, s, s + length, 1L), x);
    }

    public static List<Tensor> split(Tensor x, long size, int dim) {
        DenseTensor t = d(x);
        int dd = Kernels.dim(dim, t.dim());
        if (size <= 0) throw new IllegalArgumentException("split expects split_size be non-negative, but got split_size=" + size);
        long n = t.shapeRef()[dd];
        List<Tensor> out = new ArrayList<>();
        for (long s = 0; s < n; s += size) out.add(narrow(x, dd, s, Math.min(size, n - s)));
        if (n == 0) out.add(x);
        return out;
    }

    public static List<Tensor> chunk(Tensor x, int chunks, int dim) {
        if (chunks <= 0) throw new IllegalArgumentException("chunk expects `chunks` to be greater than 0, got: " + chunks);
        DenseTensor t = d(x);
        long n = t.shapeRef()[Kernels.dim(dim, t.dim())];
        long size = Math.max(1, (n + chunks - 1) / chunks);
        return split(x, size, dim);
    }

    public static Tensor unfold(Tensor x, int dim, long size, long step) { return call(UNFOLD, UNFOLD.attrs(dim, size, step), x); }

    public static Tensor pad(Tensor x, long[] padding, double value) { return call(CONSTANT_PAD, CONSTANT_PAD.attrs((Object) padding.clone(), value), x); }

    public static Tensor clone(Tensor x) { return call(CLONE, Attrs.NONE, x); }

    public static Tensor toCopy(Tensor x, DType dtype, Device device) { return call(TO_COPY, TO_COPY.attrs(dtype, device), x); }

    public static Tensor cat(List<Tensor> ts, int dim) {
        if (ts == null || ts.isEmpty()) throw new IllegalArgumentException("torch.cat(): expected a non-empty list of Tensors");
        return call(CAT, CAT.attrs(dim), ts.toArray(new Tensor[0]));
    }

    public static Tensor stack(List<Tensor> ts, int dim) {
        if (ts == null || ts.isEmpty()) throw new IllegalArgumentException("stack expects a non-empty TensorList");
        return call(STACK, STACK.attrs(dim), ts.toArray(new Tensor[0]));
    }

    public static Tensor repeat(Tensor x, long[] repeats) { return call(REPEAT, REPEAT.attrs((Object) repeats.clone()), x); }

    public static Tensor indexSelect(Tensor x, int dim, Tensor index) { return call(INDEX_SELECT, INDEX_SELECT.attrs(dim), x, index); }

    public static Tensor gather(Tensor x, int dim, Tensor index) { return call(GATHER, GATHER.attrs(dim), x, index); }

    public static Tensor scatter(Tensor x, int dim, Tensor index, Tensor src, boolean add, boolean inPlace) {
        OpDef op = add ? (inPlace ? SCATTER_ADD_ : SCATTER_ADD) : (inPlace ? SCATTER_ : SCATTER);
        return call(op, new Object[] {dim}, x, index, src);
    }

    public static Tensor indexAdd(Tensor x, int dim, Tensor index, Tensor src, boolean inPlace) {
        return call(inPlace ? INDEX_ADD_ : INDEX_ADD, new Object[] {dim}, x, index, src);
    }

    /** {@code self <= threshold ? 0 : grad}: ReLU's gradient, see {@code threshold_backward} in native_functions.schema. */
    public static Tensor thresholdBackward(Tensor grad, Tensor self, double threshold) {
        return call(THRESHOLD_BACKWARD, THRESHOLD_BACKWARD.attrs(threshold), grad, self);
    }

    public static Tensor maskedSelect(Tensor x, Tensor mask) { return call(MASKED_SELECT, Attrs.NONE, x, mask); }

    public static Tensor maskedFill(Tensor x, Tensor mask, double value, boolean inPlace) {
        return call(inPlace ? MASKED_FILL_ : MASKED_FILL, new Object[] {value}, x, mask);
    }

    /** {@code x[indices]}: INT64/INT32 indices select along dim 0; a BOOL mask selects the true positions. */
    public static Tensor index(Tensor x, Tensor indices) {
        DenseTensor t = d(x);
        DenseTensor idx = d(indices);
        if (idx.dtype() == DType.BOOL || idx.dtype() == DType.UINT8) {
            DenseTensor mask = idx.dtype() == DType.BOOL ? idx : d(idx.toBool());
            if (mask.dim() == t.dim()) return maskedSelect(x, mask);
            IndexKernels.checkMaskPrefix(t, mask);
            Tensor rows = IndexKernels.nonzero(d(mask.reshape(-1)));
            long[] rest = new long[t.dim() - mask.dim() + 1];
            rest[0] = -1;
            System.arraycopy(t.shapeRef(), mask.dim(), rest, 1, rest.length - 1);
            Tensor flat = reshape(x, rest);
            return indexSelect(flat, 0, reshape(rows, new long[] {-1}));
        }
        if (!idx.dtype().isIntegral()) {
            throw new IllegalArgumentException("tensors used as indices must be long, int, byte or bool tensors, got " + idx.dtype());
        }
        if (t.dim() == 0) throw new IllegalArgumentException("invalid index of a 0-dim tensor");
        Tensor picked = indexSelect(x, 0, reshape(idx, new long[] {-1}));
        long[] shape = new long[idx.dim() + t.dim() - 1];
        System.arraycopy(idx.shapeRef(), 0, shape, 0, idx.dim());
        System.arraycopy(t.shapeRef(), 1, shape, idx.dim(), t.dim() - 1);
        return reshape(picked, shape);
    }

    public static Tensor copyInto(Tensor self, Tensor src) { return call(COPY_, Attrs.NONE, self, src); }

    public static Tensor fillInPlace(Tensor self, double value) { return call(FILL_, FILL_.attrs(value), self); }

    public static boolean equal(Tensor a, Tensor b) {
        if (!java.util.Arrays.equals(a.shape(), b.shape())) return false;
        OpRuntime k = d(a).kernel();
        boolean prev = k.setGradEnabled(false); // this tensor's kernel, not whatever the static API resolves to
        try {
            return a.eq(b).all().item() != 0;
        } finally {
            k.setGradEnabled(prev);
        }
    }

    /** {@code |a - b| <= atol + rtol * |b|} (or exactly equal, which covers infinities); NaN is never close. */
    public static boolean allclose(Tensor a, Tensor b, double rtol, double atol) {
        OpRuntime k = d(a).kernel();
        boolean prev = k.setGradEnabled(false);
        try {
            DType f = DType.promote(a.dtype(), b.dtype()) == DType.FLOAT64 ? DType.FLOAT64
                    : DType.promote(DType.promote(a.dtype(), b.dtype()), DType.FLOAT32);
            Tensor x = a.to(f);
            Tensor y = b.to(f);
            Tensor close = x.eq(y).logicalOr(x.sub(y).abs().le(y.abs().mul(rtol).add(atol)));
            return close.all().item() != 0;
        } finally {
            k.setGradEnabled(prev);
        }
    }
}
