package dev.kindling.nn;

import dev.kindling.api.DType;
import dev.kindling.api.Generator;
import dev.kindling.api.Tensor;
import dev.kindling.api.Torch;
import dev.kindling.api.autograd.Autograd;
import dev.kindling.nn.functional.F;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * conv2d's backward takes two paths: without a graph to build, {@code _conv2d_columns_backward_input/_weight} read
 * the output's gradient where it is; with {@code create_graph}, differentiable ops lay it out as a matrix first. Both
 * are the same products on the same values, so their gradients agree bit for bit for a contiguous upstream gradient
 * (float32 and bfloat16) and to rounding for the expanded one of {@code sum()}; and the second derivative holds (float64, against central
 * differences).
 */
class ConvGradientPathsTest {

    @Test
    void withAndWithoutAGraphTheGradientsAreTheSame() {
        for (DType t : new DType[] {DType.FLOAT32, DType.BFLOAT16}) {
            for (boolean expanded : new boolean[] {false, true}) {
                Generator gen = new Generator(11);
                Tensor x = Torch.randn(gen, 4, 3, 9, 9).to(t).requiresGrad_(true);
                Tensor w = Torch.randn(gen, 5, 3, 3, 3).to(t).requiresGrad_(true);
                Tensor b = Torch.randn(gen, 5).to(t).requiresGrad_(true);
                Tensor up = expanded ? Torch.ones(1).to(t).expand(4, 5, 9, 9) : Torch.randn(gen, 4, 5, 9, 9).to(t);
                List<Tensor> fast = Autograd.grad(List.of(F.conv2d(x, w, b, 1, 1)), List.of(x, w, b), List.of(up), false, false, false);
                List<Tensor> graph = Autograd.grad(List.of(F.conv2d(x, w, b, 1, 1)), List.of(x, w, b), List.of(up), false, true, false);
                for (int i = 0; i < 3; i++) {
                    String where = t + (expanded ? ", expanded" : ", contiguous") + " gradient of input " + i;
                    assertEquals(t, fast.get(i).dtype(), where);
                    // the bias's gradient, the upstream gradient's sum, depends on nothing that requires grad
                    if (i < 2) assertTrue(graph.get(i).requiresGrad(), where + ": create_graph gives a differentiable gradient");
                    // an expanded gradient stays a 0-stride view on the create_graph path, which the GEMM packs instead of
                    // taking the dot-product kernel: the same sums in another order there
                    float tol = expanded ? (t == DType.FLOAT32 ? 1e-5f : 0.05f) : 0f;
                    float[] want = graph.get(i).to(DType.FLOAT32).toFloatArray(), got = fast.get(i).to(DType.FLOAT32).toFloatArray();
                    for (int j = 0; j < want.length; j++) assertEquals(want[j], got[j], tol * Math.max(1, Math.abs(want[j])), where + " at " + j);
                }
            }
        }
    }

    @Test
    void theGraphKeepsTheColumnsButNotTheResults() throws InterruptedException {
        // conv2d's node saves its columns and max pooling's its indices; neither keeps its first output alive
        Tensor x = Torch.randn(new Generator(3), 2, 3, 8, 8).requiresGrad_(true);
        Tensor w = Torch.randn(new Generator(4), 4, 3, 3, 3).requiresGrad_(true);
        Tensor y = F.conv2d(x, w, null, 1, 1);
        Tensor pooled = F.maxPool2d(y, 2, 2, 0);
        Tensor loss = pooled.add(1).sum(); // add and sum save nothing
        java.lang.ref.WeakReference<Tensor> result = new java.lang.ref.WeakReference<>(y), values = new java.lang.ref.WeakReference<>(pooled);
        y = null;
        pooled = null;
        for (int i = 0; i < 20 && (result.get() != null || values.get() != null); i++) {
            System.gc();
            Thread.sleep(10);
        }
        assertTrue(result.get() == null, "conv2d's result is held by the graph");
        assertTrue(values.get() == null, "max pooling's values are held by the graph");
        loss.backward();
        assertTrue(x.grad() != null && w.grad() != null, "the backward still runs");
    }

    @Test
    void theGradientHasASecondDerivative() {
        Generator gen = new Generator(5);
        Tensor x = Torch.randn(gen, 2, 2, 5, 4).toDouble().requiresGrad_(true);
        Tensor w = Torch.randn(gen, 3, 2, 3, 3).toDouble().requiresGrad_(true);
        Tensor v = Torch.randn(gen, 2, 3, 5, 4).toDouble(), u = Torch.randn(gen, 2, 2, 5, 4).toDouble(), uw = Torch.randn(gen, 3, 2, 3, 3).toDouble();
        // dx of sum(conv2d(x, w) * v) is linear in w, dw linear in x: their derivatives through the create_graph path
        // against central differences (exact but for rounding, the functions being linear)
        List<Tensor> d = Autograd.grad(List.of(F.conv2d(x, w, null, 1, 1).mul(v).sum()), List.of(x, w), null, false, true, false);
        Tensor byW = Autograd.grad(List.of(d.get(0).mul(u).sum()), List.of(w)).get(0);
        Tensor byX = Autograd.grad(List.of(d.get(1).mul(uw).sum()), List.of(x)).get(0);
        double[] wv = w.detach().toDoubleArray(), xv = x.detach().toDoubleArray();
        for (int i = 0; i < wv.length; i++) {
            double numeric = (dxAgainst(x, perturbed(w, i, 1e-3), v, u) - dxAgainst(x, perturbed(w, i, -1e-3), v, u)) / 2e-3;
            assertEquals(numeric, byW.toDoubleArray()[i], 1e-8, "d/dw of the input's gradient at " + i);
        }
        for (int i = 0; i < xv.length; i += 7) {
            double numeric = (dwAgainst(perturbed(x, i, 1e-3), w, v, uw) - dwAgainst(perturbed(x, i, -1e-3), w, v, uw)) / 2e-3;
            assertEquals(numeric, byX.toDoubleArray()[i], 1e-8, "d/dx of the weight's gradient at " + i);
        }
    }

    private static Tensor perturbed(Tensor t, int i, double by) {
        double[] a = t.detach().toDoubleArray();
        a[i] += by;
        return Torch.tensor(a, t.shape()).requiresGrad_(true);
    }

    /** sum(dx * u), dx the input's gradient of sum(conv2d(x, w) * v). */
    private static double dxAgainst(Tensor x, Tensor w, Tensor v, Tensor u) {
        Tensor xr = x.detach().requiresGrad_(true);
        return Autograd.grad(List.of(F.conv2d(xr, w, null, 1, 1).mul(v).sum()), List.of(xr)).get(0).mul(u).sum().item();
    }

    /** sum(dw * u), dw the weight's gradient of sum(conv2d(x, w) * v). */
    private static double dwAgainst(Tensor x, Tensor w, Tensor v, Tensor u) {
        Tensor wr = w.detach().requiresGrad_(true);
        return Autograd.grad(List.of(F.conv2d(x, wr, null, 1, 1).mul(v).sum()), List.of(wr)).get(0).mul(u).sum().item();
    }
}
