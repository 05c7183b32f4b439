package dev.kindling.autograd;

import dev.kindling.api.DType;
import dev.kindling.api.Generator;
import dev.kindling.api.Tensor;
import dev.kindling.api.Torch;
import dev.kindling.api.autograd.Autograd;
import dev.kindling.kernel.ops.Attrs;
import dev.kindling.kernel.ops.OpDef;
import dev.kindling.kernel.ops.Ops;
import dev.kindling.kernel.spi.BinaryOp;
import dev.kindling.kernel.spi.UnaryOp;
import dev.kindling.kernel.spi.Window2d;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code Autograd.gradcheck} over every differentiable op of the kernel's table, in place variants included. */
class GradcheckAllOpsTest {

    /** eps 0 means gradcheck's defaults. */
    private record Case(Tensor[] inputs, Function<Tensor[], Tensor> fn, double eps) {
        Case(Tensor[] inputs, Function<Tensor[], Tensor> fn) { this(inputs, fn, 0); }
    }

    /**
     * Differentiable ops finite differences cannot check, with where their gradients are checked instead:
     * {@code _autocast_linear} reads its inputs at bfloat16/float16, so a small step of an input mostly rounds away.
     */
    private static final Map<String, String> GRADIENTS_CHECKED_ELSEWHERE = Map.of(
            "_autocast_linear", "bundles/amp AutocastFusionTest: gradients bit for bit those of the casts and linear it fuses, "
                    + "which are gradchecked here");

    private static final Generator GEN = new Generator(1234);

    /** Random FLOAT64 values in [lo, hi) that require grad. */
    private static Tensor r(double lo, double hi, long... shape) {
        return Torch.rand(GEN, shape).toDouble().mul(hi - lo).add(lo).requiresGrad_(true);
    }

    private static Tensor r(long... shape) { return r(-1, 1, shape); }

    /** Values away from 0 (for abs, sign, relu kinks) and from ties. */
    private static Tensor offZero(long... shape) {
        Tensor x = Torch.rand(GEN, shape).toDouble().mul(0.8).add(0.2);
        Tensor s = Torch.rand(GEN, shape).toDouble().gt(0.5).toDouble().mul(2.0).sub(1.0);
        return x.mul(s).requiresGrad_(true);
    }

    /** Values away from integers (for floor/round kinks). */
    private static Tensor offInt(long... shape) {
        return Torch.rand(GEN, shape).toDouble().mul(0.6).add(0.2).add(Torch.randint(-3, 3, shape, GEN).toDouble()).requiresGrad_(true);
    }

    private static Tensor call(String op, Attrs a, Tensor... in) { return Ops.byName(op).call(in, a)[0]; }

    /** Runs an in-place op on a differentiable copy of input 0, so leaves stay untouched. */
    private static Function<Tensor[], Tensor> inPlace(String op, Attrs a) {
        return in -> {
            Tensor[] args = in.clone();
            args[0] = in[0].mul(1.0);
            Ops.byName(op).call(args, a);
            return args[0];
        };
    }

    private static Map<String, Case> cases() {
        Map<String, Case> c = new LinkedHashMap<>();
        for (UnaryOp u : UnaryOp.values()) {
            if (u.isPredicate()) continue;
            String name = Ops.unaryOp(u, false).name();
            Tensor x;
            switch (u) {
                case LOG: case LOG2: case LOG10: case SQRT: case RSQRT: x = r(0.5, 2, 3); break;
                case LOG1P: x = r(-0.5, 1, 3); break;
                case ASIN: case ACOS: x = r(-0.8, 0.8, 3); break;
                case ABS: case SIGN: case RELU: case RECIPROCAL: x = offZero(3); break;
                case FLOOR: case CEIL: case ROUND: case TRUNC: x = offInt(3); break;
                default: x = r(2, 3);
            }
            c.put(name, new Case(new Tensor[] {x}, in -> call(name, Attrs.NONE, in)));
            c.put(name + "_", new Case(new Tensor[] {x}, inPlace(name + "_", Attrs.NONE)));
        }
        for (BinaryOp b : BinaryOp.values()) {
            if (b.writesBool()) continue;
            String name = Ops.binaryOp(b, false).name();
            Tensor x = r(2, 3);
            Tensor y = r(3);
            Attrs a = Attrs.NONE;
            switch (b) {
                case ADD: case SUB: a = Attrs.of(1.5); break;
                case DIV: y = offZero(3); break;
                case POW: x = r(0.5, 2, 2, 3); y = r(-1.0, 2.0, 3); break;
                case REMAINDER: x = r(0.1, 0.9, 2, 3); y = r(1.5, 2, 3); break;
                case MAXIMUM: case MINIMUM: x = r(2, 3); y = r(2, 3).add(2.5); y = y.detach().requiresGrad_(true); break;
                default: break;
            }
            Attrs fa = a;
            c.put(name, new Case(new Tensor[] {x, y}, in -> call(name, fa, in)));
            Tensor xi = r(2, 3);
            if (b == BinaryOp.POW) xi = r(0.5, 2, 2, 3);
            if (b == BinaryOp.REMAINDER) xi = r(0.1, 0.9, 2, 3);
            if (b == BinaryOp.MAXIMUM || b == BinaryOp.MINIMUM) xi = r(2, 3).add(-2.5).detach().requiresGrad_(true);
            c.put(name + "_", new Case(new Tensor[] {xi, y}, inPlace(name + "_", fa)));
        }
        Tensor mask = Torch.tensor(new boolean[] {true, false, true, true, false, false}, 2, 3);
        c.put("clamp", new Case(new Tensor[] {r(2, 3)}, in -> in[0].clamp(-0.5, 0.5)));
        c.put("clamp_", new Case(new Tensor[] {r(2, 3)}, inPlace("clamp_", Attrs.of(-0.5, 0.5, true))));
        c.put("where", new Case(new Tensor[] {r(2, 3), r(3)}, in -> Torch.where(mask, in[0], in[1])));
        c.put("sum", new Case(new Tensor[] {r(2, 3, 4)}, in -> in[0].sum(new int[] {0, 2}, false)));
        c.put("mean", new Case(new Tensor[] {r(2, 3)}, in -> in[0].mean(1, true)));
        c.put("prod", new Case(new Tensor[] {r(2, 3)}, in -> in[0].prod(1, false)));
        c.put("max", new Case(new Tensor[] {r(2, 3)}, in -> in[0].max()));
        c.put("min", new Case(new Tensor[] {r(2, 3)}, in -> in[0].min()));
        c.put("max_dim", new Case(new Tensor[] {r(3, 4)}, in -> in[0].max(1).values()));
        c.put("min_dim", new Case(new Tensor[] {r(3, 4)}, in -> in[0].min(0, true).values()));
        c.put("var", new Case(new Tensor[] {r(3, 4)}, in -> in[0].var(1, true)));
        c.put("std", new Case(new Tensor[] {r(3, 4)}, in -> in[0].std(0, false, false)));
        c.put("norm", new Case(new Tensor[] {r(3, 4)}, in -> in[0].norm(2, 1, false).add(in[0].norm(3.0))));
        c.put("logsumexp", new Case(new Tensor[] {r(3, 4)}, in -> in[0].logsumexp(1)));
        c.put("softmax", new Case(new Tensor[] {r(3, 4)}, in -> in[0].softmax(1)));
        c.put("log_softmax", new Case(new Tensor[] {r(3, 4)}, in -> in[0].logSoftmax(0)));
        c.put("mm", new Case(new Tensor[] {r(2, 3), r(3, 4)}, in -> in[0].mm(in[1])));
        c.put("bmm", new Case(new Tensor[] {r(2, 2, 3), r(2, 3, 2)}, in -> in[0].bmm(in[1])));
        c.put("inverse", new Case(new Tensor[] {Torch.eye(DType.FLOAT64, 3).mul(2.0).add(r(3, 3).detach().mul(0.3)).requiresGrad_(true)},
                in -> in[0].inverse()));
        // composite ops (not in the coverage rule, but their parts must be recorded)
        c.put("matmul (composite)", new Case(new Tensor[] {r(2, 2, 3), r(3)}, in -> in[0].matmul(in[1])));
        c.put("matmul batched (composite)", new Case(new Tensor[] {r(3), r(2, 3, 2)}, in -> in[0].matmul(in[1])));
        c.put("reshape copy (composite)", new Case(new Tensor[] {r(2, 3)}, in -> in[0].t().reshape(6)));
        c.put("view", new Case(new Tensor[] {r(2, 3)}, in -> in[0].view(3, 2)));
        c.put("expand", new Case(new Tensor[] {r(3, 1)}, in -> in[0].expand(2, 3, 4)));
        c.put("permute", new Case(new Tensor[] {r(2, 3, 4)}, in -> in[0].permute(2, 0, 1)));
        c.put("transpose", new Case(new Tensor[] {r(2, 3, 4)}, in -> in[0].transpose(0, 2)));
        c.put("t", new Case(new Tensor[] {r(2, 3)}, in -> in[0].t()));
        c.put("squeeze", new Case(new Tensor[] {r(2, 1, 3)}, in -> in[0].squeeze(1)));
        c.put("unsqueeze", new Case(new Tensor[] {r(2, 3)}, in -> in[0].unsqueeze(-1)));
        c.put("select", new Case(new Tensor[] {r(3, 4)}, in -> in[0].select(1, -1)));
        c.put("slice", new Case(new Tensor[] {r(5, 3)}, in -> in[0].slice(0, 1, 5, 2)));
        c.put("unfold", new Case(new Tensor[] {r(2, 7)}, in -> in[0].unfold(1, 3, 2)));
        // overlapping windows with padding, stride and dilation, so both the zero fill and the accumulation are checked
        Window2d win = new Window2d(2, 3, 2, 1, 1, 1, 1, 2, Window2d.outputSize(5, 2, 2, 1, 1), Window2d.outputSize(6, 3, 1, 1, 2));
        c.put("im2col", new Case(new Tensor[] {r(2, 3, 5, 6)}, in -> Ops.im2col(in[0], win)));
        c.put("col2im", new Case(new Tensor[] {r(2, 3 * 6, (long) win.oh() * win.ow())}, in -> Ops.col2im(in[0], win, 5, 6)));
        // conv2d in one op over the same window (overlaps, padding, stride, dilation), with a bias and without
        c.put("_conv2d_im2col", new Case(new Tensor[] {r(2, 3, 5, 6), r(4, 3, 2, 3), r(4)}, in -> Ops.conv2dIm2col(in[0], in[1], in[2], win)[0]));
        c.put("_conv2d_im2col without bias", new Case(new Tensor[] {r(2, 3, 5, 6), r(4, 3, 2, 3)}, in -> Ops.conv2dIm2col(in[0], in[1], null, win)[0]));
        Window2d pool = new Window2d(3, 3, 2, 2, 1, 1, 1, 1, 3, 3);
        c.put("max_pool2d_with_indices", new Case(new Tensor[] {r(2, 2, 5, 6)}, in -> Ops.maxPool2d(in[0], pool).values()));
        // overlapping windows with padding: cells that win twice receive two gradients
        Tensor poolIdx = Ops.maxPool2d(r(2, 2, 5, 6), pool).indices();
        c.put("max_pool2d_with_indices_backward", new Case(new Tensor[] {r(2, 2, 3, 3)}, in -> Ops.maxPool2dBackward(in[0], poolIdx, new long[] {2, 2, 5, 6})));
        c.put("constant_pad_nd", new Case(new Tensor[] {r(2, 3, 4)}, in -> in[0].pad(new long[] {1, 2, -1, 1}, 0.5)));
        c.put("clone", new Case(new Tensor[] {r(2, 3)}, in -> in[0].clone()));
        // through float32 and back: finite differences need a step float32 can resolve
        c.put("_to_copy", new Case(new Tensor[] {r(2, 3)}, in -> in[0].toFloat().toDouble(), 1e-3));
        c.put("cat", new Case(new Tensor[] {r(2, 3), r(1, 3)}, in -> Torch.cat(0, in[0], in[1])));
        c.put("stack", new Case(new Tensor[] {r(2, 3), r(2, 3)}, in -> Torch.stack(1, in[0], in[1])));
        c.put("repeat", new Case(new Tensor[] {r(2, 3)}, in -> in[0].repeat(2, 1, 2)));
        Tensor idx = Torch.tensor(new long[] {2, 0, 2});
        Tensor gidx = Torch.tensor(new long[][] {{0, 2}, {1, 1}});
        c.put("index_select", new Case(new Tensor[] {r(3, 4)}, in -> in[0].indexSelect(0, idx)));
        c.put("gather", new Case(new Tensor[] {r(2, 3)}, in -> in[0].gather(1, gidx)));
        Tensor sidx = Torch.tensor(new long[][] {{0, 2}, {1, 0}});
        c.put("scatter", new Case(new Tensor[] {r(2, 3), r(2, 2)}, in -> in[0].scatter(1, sidx, in[1])));
        c.put("scatter_", new Case(new Tensor[] {r(2, 3), r(2, 2)}, inPlace("scatter_", Attrs.of(1)).compose(in -> new Tensor[] {in[0], sidx, in[1]})));
        c.put("scatter_add", new Case(new Tensor[] {r(2, 3), r(2, 2)}, in -> in[0].scatterAdd(1, gidx, in[1])));
        c.put("scatter_add_", new Case(new Tensor[] {r(2, 3), r(2, 2)}, inPlace("scatter_add_", Attrs.of(1)).compose(in -> new Tensor[] {in[0], gidx, in[1]})));
        c.put("index_add", new Case(new Tensor[] {r(3, 2), r(3, 2)}, in -> in[0].indexAdd(0, idx, in[1])));
        c.put("index_add_", new Case(new Tensor[] {r(3, 2), r(3, 2)}, inPlace("index_add_", Attrs.of(0)).compose(in -> new Tensor[] {in[0], idx, in[1]})));
        c.put("masked_select", new Case(new Tensor[] {r(3)}, in -> in[0].maskedSelect(mask)));
        c.put("masked_fill", new Case(new Tensor[] {r(2, 3)}, in -> in[0].maskedFill(mask, 2.0)));
        c.put("masked_fill_", new Case(new Tensor[] {r(2, 3)}, inPlace("masked_fill_", Attrs.of(2.0)).compose(in -> new Tensor[] {in[0], mask})));
        c.put("copy_", new Case(new Tensor[] {r(2, 3), r(3)}, inPlace("copy_", Attrs.NONE)));
        // cholesky reads A's lower triangle and its gradient is the symmetric one (PyTorch's): checked on A + A^T, as
        // PyTorch's OpInfo does; the other linalg ops run on their fixture inputs (and in LinalgGradcheckTest)
        Tensor spd = Torch.tensor(new double[][] {{2.0, 0.3, -0.2}, {0.3, 1.5, 0.4}, {-0.2, 0.4, 1.8}}).requiresGrad_(true);
        c.put("linalg_cholesky", new Case(new Tensor[] {spd}, in -> Torch.linalgCholesky(in[0].add(in[0].transpose(-2, -1)))));
        c.put("linalg_cholesky upper", new Case(new Tensor[] {spd}, in -> Torch.linalgCholesky(in[0].add(in[0].transpose(-2, -1)), true)));
        // Ops tested by their schema name (generate_fixtures.py's SCHEMA_OPS), composites included: gradcheck on PyTorch's sample inputs.
        for (OpFixtures.Case f : OpFixtures.all()) {
            OpDef op = Ops.table().get(f.op());
            if (!f.bySchema() || op == null || op.kind() == OpDef.Kind.NON_DIFFERENTIABLE || !f.gradcheckable()) continue;
            c.put(f.op() + " " + f.name(), new Case(f.gradcheckInputs(), in -> op.call(in, op.attrsByName(f.args()))[0]));
        }
        c.put("fill_", new Case(new Tensor[] {r(2, 3)}, in -> {
            Tensor s = in[0].mul(2.0);
            s.index(":, 1").fill_(3.0);
            return s;
        }));
        return c;
    }

    @TestFactory
    Stream<DynamicTest> gradcheckEveryDifferentiableOp() {
        return cases().entrySet().stream().map(e -> DynamicTest.dynamicTest(e.getKey(),
                () -> assertTrue(e.getValue().eps() == 0 ? Autograd.gradcheck(e.getValue().fn(), e.getValue().inputs())
                        : Autograd.gradcheck(e.getValue().fn(), e.getValue().eps(), 1e-3, 1e-3, e.getValue().inputs()))));
    }

    @Test
    void everyDifferentiableOpOfTheTableHasAGradcheckCase() {
        Map<String, Case> c = cases();
        List<String> missing = new ArrayList<>();
        for (OpDef op : Ops.table().values()) {
            boolean covered = c.containsKey(op.name()) || c.keySet().stream().anyMatch(k -> k.startsWith(op.name() + " "));
            if (op.kind() == OpDef.Kind.DIFFERENTIABLE && !covered && !GRADIENTS_CHECKED_ELSEWHERE.containsKey(op.name())) missing.add(op.name());
        }
        assertTrue(missing.isEmpty(), "differentiable ops without a gradcheck case: " + missing);
    }
}
