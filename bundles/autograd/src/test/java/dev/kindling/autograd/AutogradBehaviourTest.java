package dev.kindling.autograd;

import dev.kindling.api.DType;
import dev.kindling.api.Tensor;
import dev.kindling.api.Torch;
import dev.kindling.api.autograd.Autograd;
import dev.kindling.api.autograd.Function;
import dev.kindling.api.autograd.FunctionContext;
import org.junit.jupiter.api.Test;

import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AutogradBehaviourTest {

    private static Tensor leaf(double... v) { return Torch.tensor(v).requiresGrad_(true); }

    private static void close(double[] expected, Tensor actual) {
        double[] a = actual.toDoubleArray();
        assertEquals(expected.length, a.length, "length");
        for (int i = 0; i < a.length; i++) assertEquals(expected[i], a[i], 1e-9 * Math.max(1, Math.abs(expected[i])), "element " + i + " of " + Arrays.toString(a));
    }

    @Test
    void reluDropsTheGradientWhereItsOutputIsZeroEvenANaN() {
        // PyTorch 1.13: x = [-1, 0, 2, nan], relu(x).backward([nan, nan, nan, 1]) gives x.grad = [0, 0, nan, 1]
        // (threshold_backward: x <= 0 drops the gradient; a NaN input passes it)
        for (DType t : new DType[] {DType.FLOAT32, DType.FLOAT64, DType.BFLOAT16}) {
            Tensor x = Torch.tensor(new double[] {-1, 0, 2, Double.NaN}, 4).to(t).requiresGrad_(true);
            x.relu().backward(Torch.tensor(new double[] {Double.NaN, Double.NaN, Double.NaN, 1}, 4).to(t));
            double[] g = x.grad().toDouble().toDoubleArray();
            assertEquals(0.0, g[0], 0, t + " at -1");
            assertEquals(0.0, g[1], 0, t + " at 0");
            assertTrue(Double.isNaN(g[2]), t + " at 2: " + g[2]);
            assertEquals(1.0, g[3], 0, t + " at NaN");
        }
    }

    @Test
    void gradientsOfASimpleExpressionAccumulateIntoLeaves() {
        Tensor x = leaf(1, 2, 3);
        Tensor y = leaf(4, 5, 6);
        Tensor z = x.mul(y).add(x.square()).sum();
        assertEquals("SumBackward0", z.gradFn().name());
        z.backward();
        close(new double[] {6, 9, 12}, x.grad());
        close(new double[] {1, 2, 3}, y.grad());
        x.mul(2.0).sum().backward();
        close(new double[] {8, 11, 14}, x.grad());
        assertTrue(x.isLeaf());
        assertFalse(z.isLeaf());
    }

    @Test
    void nodeNamesMatchPyTorch() {
        Tensor a = Torch.ones(2, 2).requiresGrad_(true);
        Tensor b = Torch.ones(2, 2).requiresGrad_(true);
        assertEquals("AddBackward0", a.add(b).gradFn().name());
        assertEquals("MulBackward0", a.mul(b).gradFn().name());
        assertEquals("MmBackward0", a.mm(b).gradFn().name());
        assertEquals("SubBackward0", a.sub(1.0).gradFn().name());
        assertEquals("DivBackward0", a.div(b).gradFn().name());
        assertEquals("PowBackward0", a.pow(2.0).gradFn().name());
        assertEquals("ExpBackward0", a.exp().gradFn().name());
        assertEquals("TBackward0", a.t().gradFn().name());
        assertEquals("ViewBackward0", a.view(4).gradFn().name());
        assertEquals("SumBackward1", a.sum(0).gradFn().name());
        assertEquals("MeanBackward0", a.mean().gradFn().name());
        assertEquals("SoftmaxBackward0", a.softmax(1).gradFn().name());
        assertEquals("SelectBackward0", a.get(0).gradFn().name());
        assertEquals("CatBackward0", Torch.cat(0, a, b).gradFn().name());
        assertEquals("StackBackward0", Torch.stack(0, a, b).gradFn().name());
        assertEquals("MaxBackward0", a.max(1).values().gradFn().name());
        assertNull(a.max(1).indices().gradFn());
        assertFalse(a.gt(b).requiresGrad());
        assertFalse(a.argmax().requiresGrad());
        assertTrue(a.mul(b).toString().endsWith("grad_fn=<MulBackward0>)"), a.mul(b).toString());
        assertEquals("tensor([1., 2.], dtype=torch.float64, requires_grad=True)", leaf(1, 2).toString());
    }

    @Test
    void broadcastGradientsAreReducedToTheInputShape() {
        Tensor a = Torch.ones(DType.FLOAT64, 2, 3).requiresGrad_(true);
        Tensor b = Torch.ones(DType.FLOAT64, 3).requiresGrad_(true);
        Tensor c = Torch.ones(DType.FLOAT64, 2, 1).requiresGrad_(true);
        a.mul(b).add(c).sum().backward();
        assertArrayEquals(new long[] {3}, b.grad().shape());
        close(new double[] {2, 2, 2}, b.grad());
        close(new double[] {3, 3}, c.grad());
    }

    @Test
    void nonScalarBackwardNeedsAGradient() {
        Tensor x = leaf(1, 2);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> x.mul(2.0).backward());
        assertEquals("grad can be implicitly created only for scalar outputs", e.getMessage());
        x.mul(2.0).backward(Torch.tensor(new double[] {1, 10}));
        close(new double[] {2, 20}, x.grad());
    }

    @Test
    void secondBackwardThroughAFreedGraphFailsUnlessRetained() {
        Tensor x = leaf(3);
        Tensor y = x.square().sum();
        y.backward(null, true, false);
        y.backward();
        close(new double[] {12}, x.grad());
        IllegalStateException e = assertThrows(IllegalStateException.class, y::backward);
        assertTrue(e.getMessage().startsWith("Trying to backward through the graph a second time"), e.getMessage());
    }

    @Test
    void nonLeavesKeepGradientsOnlyWhenRetained() {
        Tensor x = leaf(1, 2);
        Tensor h = x.mul(3.0);
        Tensor k = x.mul(4.0);
        h.retainGrad();
        h.add(k).sum().backward();
        close(new double[] {1, 1}, h.grad());
        assertNull(k.grad());
        assertTrue(h.retainsGrad());
    }

    @Test
    void createGraphGivesHigherOrderDerivatives() {
        Tensor x = leaf(2);
        Tensor y = x.pow(3.0).sum();
        Tensor g = Autograd.grad(List.of(y), List.of(x), null, true, true, false).get(0);
        close(new double[] {12}, g);
        assertNotNull(g.gradFn());
        Tensor g2 = Autograd.grad(List.of(g.sum()), List.of(x)).get(0);
        close(new double[] {12}, g2);
        // Hessian-vector product of f(w) = sum(w^2 * v_fixed) style: H = diag(2), Hv = 2v
        Tensor w = leaf(1, 2, 3);
        Tensor f = w.square().sum();
        Tensor gw = Autograd.grad(List.of(f), List.of(w), null, true, true, false).get(0);
        Tensor v = Torch.tensor(new double[] {1, 0, -1});
        Tensor hv = Autograd.grad(List.of(gw.mul(v).sum()), List.of(w)).get(0);
        close(new double[] {2, 0, -2}, hv);
        // gradient penalty: d/dw ||grad f||^2 with f = sum(w^3): grad = 3w^2, penalty = 9 sum w^4, d = 36 w^3
        Tensor w2 = leaf(1, 2);
        Tensor gp = Autograd.grad(List.of(w2.pow(3.0).sum()), List.of(w2), null, true, true, false).get(0);
        gp.square().sum().backward();
        close(new double[] {36, 288}, w2.grad());
    }

    @Test
    void autogradGradWithUnusedInputs() {
        Tensor x = leaf(1);
        Tensor unused = leaf(5);
        Tensor y = x.mul(2.0).sum();
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> Autograd.grad(List.of(y), List.of(x, unused), null, true, false, false));
        assertTrue(e.getMessage().contains("Set allow_unused=True"), e.getMessage());
        List<Tensor> g = Autograd.grad(List.of(y), List.of(x, unused), null, false, false, true);
        close(new double[] {2}, g.get(0));
        assertNull(g.get(1));
        assertNull(x.grad(), "Autograd.grad must not accumulate into .grad");
    }

    @Test
    void gradModeIsThreadLocalAndNests() throws Exception {
        Tensor x = leaf(1);
        try (var g = Torch.noGrad()) {
            assertFalse(x.mul(2.0).requiresGrad());
            try (var e = Torch.enableGrad()) {
                assertTrue(x.mul(2.0).requiresGrad());
            }
            ExecutorService other = Executors.newSingleThreadExecutor();
            try {
                assertTrue(other.submit(() -> x.mul(2.0).requiresGrad()).get(), "another thread keeps grad enabled");
            } finally {
                other.shutdown();
            }
        }
        assertTrue(x.mul(2.0).requiresGrad());
    }

    @Test
    void detachSharesStorageAndCutsTheGraph() {
        Tensor x = leaf(1, 2);
        Tensor d = x.detach();
        assertFalse(d.requiresGrad());
        d.indexPut("0", 7);
        close(new double[] {7, 2}, x.detach());
    }

    @Test
    void hooksSeeAndReplaceGradients() {
        Tensor x = leaf(1, 2);
        List<Tensor> seen = new ArrayList<>();
        var handle = x.registerHook(g -> {
            seen.add(g);
            return g.mul(10.0);
        });
        Tensor h = x.mul(2.0);
        h.registerHook(g -> g.add(1.0));
        h.sum().backward();
        close(new double[] {40, 40}, x.grad());
        assertEquals(1, seen.size());
        handle.remove();
        x.setGrad(null);
        x.mul(2.0).sum().backward();
        close(new double[] {2, 2}, x.grad());
    }

    static final class Cube extends Function {
        @Override
        public Tensor forward(FunctionContext ctx, Tensor... in) {
            ctx.saveForBackward(in[0]);
            return in[0].pow(3.0);
        }

        @Override
        public Tensor[] backward(FunctionContext ctx, Tensor... g) {
            Tensor x = ctx.savedTensors().get(0);
            return new Tensor[] {g[0].mul(x.square()).mul(3.0)};
        }
    }

    @Test
    void customFunctionsJoinLargerGraphsAndSupportCreateGraph() {
        Tensor x = leaf(2);
        Tensor y = new Cube().apply(x.mul(1.0)).add(x).sum();
        assertEquals("CubeBackward", ((Tensor) new Cube().apply(x)).gradFn().name());
        Tensor g = Autograd.grad(List.of(y), List.of(x), null, true, true, false).get(0);
        close(new double[] {13}, g);
        Tensor g2 = Autograd.grad(List.of(g.sum()), List.of(x)).get(0);
        close(new double[] {12}, g2); // d/dx 3x^2 = 6x
        assertTrue(Autograd.gradcheck(in -> new Cube().apply(in[0]), leaf(0.5, -1.5)));
    }

    @Test
    void inPlaceSafetyChecks() {
        Tensor leafT = leaf(1, 2);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> leafT.add_(1.0));
        assertEquals("a leaf Variable that requires grad is being used in an in-place operation.", e.getMessage());
        IllegalStateException v = assertThrows(IllegalStateException.class, () -> leafT.get(0).mul_(2.0));
        assertTrue(v.getMessage().contains("a view of a leaf Variable"), v.getMessage());
        try (var g = Torch.noGrad()) {
            leafT.add_(1.0); // allowed without grad mode, as in PyTorch (optimizer steps)
        }
        Tensor x = leaf(1, 2);
        Tensor y = x.exp();
        Tensor z = y.sum();
        y.add_(1.0);
        IllegalStateException modified = assertThrows(IllegalStateException.class, z::backward);
        assertTrue(modified.getMessage().contains("modified by an inplace operation"), modified.getMessage());
        IllegalArgumentException ints = assertThrows(IllegalArgumentException.class, () -> Torch.arange(3L).requiresGrad_(true));
        assertTrue(ints.getMessage().contains("only Tensors of floating point"), ints.getMessage());
    }

    @Test
    void inPlaceOpsAreDifferentiated() {
        Tensor x = leaf(1, 2, 3);
        Tensor y = x.mul(1.0);
        y.mul_(x);            // y = x^2
        y.add_(x, 2.0);       // y = x^2 + 2x
        y.sum().backward();
        close(new double[] {4, 6, 8}, x.grad());
        // in place on a view: the base's gradient sees it
        Tensor w = leaf(1, 2, 3);
        Tensor base = w.mul(1.0);
        base.index("0:2").mul_(10.0);
        base.sum().backward();
        close(new double[] {10, 10, 1}, w.grad());
        // writing a tensor that requires grad into a buffer that does not
        Tensor src = leaf(5, 6);
        Tensor buf = Torch.zeros(DType.FLOAT64, 4);
        buf.index("1:3").copy_(src);
        buf.mul(Torch.tensor(new double[] {1, 2, 3, 4})).sum().backward();
        close(new double[] {2, 3}, src.grad());
    }

    @Test
    void longChainsDoNotOverflowTheStack() {
        Tensor x = leaf(1);
        Tensor y = x;
        for (int i = 0; i < 100_000; i++) y = y.add(1.0);
        y.sum().backward();
        close(new double[] {1}, x.grad());
    }

    @Test
    void sharedSubexpressionsAreProcessedInTopologicalOrder() {
        Tensor x = leaf(3);
        Tensor a = x.mul(2.0);      // used three times, at different depths
        Tensor b = a.mul(a);        // 4x^2
        Tensor c = b.add(a).mul(a); // (4x^2 + 2x) * 2x = 8x^3 + 4x^2
        c.sum().backward();
        close(new double[] {24 * 9 + 8 * 3}, x.grad());
    }

    @Test
    void theGraphIsFreedAfterBackward() {
        Tensor x = leaf(1, 2);
        Tensor mid = x.exp();
        WeakReference<Tensor> ref = new WeakReference<>(mid);
        Tensor y = mid.sum();
        mid = null;
        y.backward();
        y = null;
        for (int i = 0; i < 20 && ref.get() != null; i++) {
            System.gc();
            try {
                Thread.sleep(20);
            } catch (InterruptedException ignored) {
                Thread.currentThread().interrupt();
            }
        }
        assertNull(ref.get(), "intermediate tensor still reachable after backward");
        assertNotNull(x.grad());
    }

    @Test
    void threadsBuildAndRunTheirOwnGraphs() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<double[]>> results = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                final double v = t;
                results.add(pool.submit(() -> {
                    Tensor x = leaf(v);
                    Tensor y = x;
                    for (int i = 0; i < 200; i++) y = y.mul(1.0).add(x);
                    y.sum().backward();
                    return x.grad().toDoubleArray();
                }));
            }
            for (Future<double[]> f : results) assertEquals(201.0, f.get()[0], 1e-9);
        } finally {
            pool.shutdown();
        }
    }

    @Test
    void readmeAutogradTourWorksAsWritten() {
        Tensor w = Torch.randn(3, 2).requiresGrad_(true);
        Tensor loss = Torch.ones(4, 3).matmul(w).relu().sum();
        assertEquals("SumBackward0", loss.gradFn().name());
        loss.backward();
        assertArrayEquals(new long[] {3, 2}, w.grad().shape());
        Tensor g = Autograd.grad(List.of(w.pow(3.0).sum()), List.of(w), null, true, true, false).get(0);
        assertTrue(g.allclose(w.square().mul(3.0)));
        assertNotNull(g.gradFn());
    }
}
