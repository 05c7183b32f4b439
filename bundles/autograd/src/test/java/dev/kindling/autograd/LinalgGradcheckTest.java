package dev.kindling.autograd;

import dev.kindling.api.DType;
import dev.kindling.api.Linalg;
import dev.kindling.api.Tensor;
import dev.kindling.api.Torch;
import dev.kindling.api.autograd.Autograd;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Gradchecks of the torch.linalg ops beyond the fixture cases (which check output 0 only): every output of QR and SVD,
 * the other solve forms, the matrix norms (composites), second derivatives; and PyTorch's node names.
 */
class LinalgGradcheckTest {
    private static final double[][] TALL = {{0.9, -0.3, 0.5}, {0.2, 1.1, -0.5}, {-0.6, 0.3, 0.8}, {0.4, 0.7, 0.1}};
    private static final double[][] SQUARE = {{2.1, -0.3, 0.5}, {0.2, 1.4, -0.4}, {-0.6, 0.3, 0.8}};

    private static Tensor x(double[][] v) { return Torch.tensor(v).requiresGrad_(true); }

    private static Tensor wide() { return Torch.tensor(TALL).t().contiguous().requiresGrad_(true); }

    /** All the tensors flattened into one, so gradcheck sees every output. */
    private static Tensor all(Tensor... ts) {
        Tensor[] flat = new Tensor[ts.length];
        for (int i = 0; i < ts.length; i++) flat[i] = ts[i].reshape(-1);
        return Torch.cat(0, flat);
    }

    private static void check(Function<Tensor[], Tensor> fn, Tensor... in) { assertTrue(Autograd.gradcheck(fn, in)); }

    /** The gradient of fn's sum with createGraph, gradchecked: the second derivative. */
    private static Function<Tensor[], Tensor> gradOf(Function<Tensor[], Tensor> fn) {
        return in -> {
            try (var on = Torch.enableGrad()) { // gradcheck's finite differences run without grad
                return Autograd.grad(List.of(fn.apply(in).sum()), List.of(in[0]), null, true, true, false).get(0);
            }
        };
    }

    @Test
    void qrEveryOutput() {
        check(in -> { var f = Linalg.qr(in[0]); return all(f.Q(), f.R()); }, x(TALL));
        check(in -> { var f = Linalg.qr(in[0]); return all(f.Q(), f.R()); }, wide());
        check(in -> Linalg.qr(in[0]).R(), x(TALL));
        check(in -> { var f = Linalg.qr(in[0], "complete"); return all(f.Q(), f.R()); }, x(SQUARE));
        check(in -> { var f = Linalg.qr(in[0]); return all(f.Q(), f.R()); }, x(TALL).reshape(1, 4, 3).expand(2, 4, 3).mul(1.0).detach().requiresGrad_(true));
    }

    @Test
    void svdEveryOutput() {
        check(in -> { var f = Linalg.svd(in[0]); return all(f.U(), f.S(), f.Vh()); }, x(SQUARE));
        check(in -> { var f = Linalg.svd(in[0], false); return all(f.U(), f.S(), f.Vh()); }, x(TALL));
        check(in -> { var f = Linalg.svd(in[0], false); return all(f.U(), f.S(), f.Vh()); }, wide());
        check(in -> Linalg.svd(in[0], false).Vh(), x(TALL));
        check(in -> Linalg.svdvals(in[0]), wide());
        // U S Vh rebuilds A whatever the extra columns of a full U: its gradient is the identity map
        check(in -> { var f = Linalg.svd(in[0], true); return f.U().narrow(-1, 0, 3).mul(f.S().unsqueeze(-2)).matmul(f.Vh()); }, x(TALL));
    }

    @Test
    void solveFormsAndSecondDerivatives() {
        Tensor a = x(SQUARE);
        check(in -> Linalg.solve(in[0], in[1], false), a, x(new double[][] {{0.3, -1.0, 2.0}, {1.5, 0.2, -0.7}}));
        check(in -> Linalg.solve(in[0], in[1]), a, Torch.tensor(new double[] {0.5, -1.0, 0.25}).requiresGrad_(true));
        check(in -> Linalg.solve(in[0], in[1]), a, x(new double[][] {{0.3, -1.0}, {2.0, 1.5}, {0.2, -0.7}}).reshape(1, 3, 2).expand(2, 3, 2).mul(1.0).detach().requiresGrad_(true));
        check(gradOf(in -> Linalg.solve(in[0], Torch.tensor(new double[] {0.5, -1.0, 0.25}))), x(SQUARE));
        check(gradOf(in -> Linalg.det(in[0])), x(SQUARE));
        check(gradOf(in -> Linalg.cholesky(in[0].matmul(in[0].t()).add(Torch.eye(DType.FLOAT64, 3)))), x(SQUARE));
    }

    @Test
    void matrixNorms() {
        check(in -> Linalg.matrixNorm(in[0]), x(TALL));
        check(in -> Linalg.matrixNorm(in[0], "nuc"), x(TALL));
        check(in -> Linalg.matrixNorm(in[0], "nuc", new int[] {0, 1}, true), wide());
        check(in -> Linalg.matrixNorm(in[0], 2.0), x(TALL));
        check(in -> Linalg.matrixNorm(in[0], -2.0), x(TALL));
        check(in -> Linalg.matrixNorm(in[0], 1.0), x(TALL));
        check(in -> Linalg.matrixNorm(in[0], Double.POSITIVE_INFINITY), x(TALL));
        check(in -> Linalg.norm(in[0]), x(TALL));
        check(in -> Linalg.vectorNorm(in[0], 3.0, new int[] {1}, false), x(TALL));
    }

    @Test
    void matrixNormValuesMatchTheirDefinitions() {
        Tensor a = Torch.tensor(TALL);
        assertEquals(a.abs().sum(0).max().item(), Linalg.matrixNorm(a, 1.0).item(), 1e-12);
        assertEquals(a.abs().sum(1).max().item(), Linalg.matrixNorm(a, Double.POSITIVE_INFINITY).item(), 1e-12);
        assertEquals(Linalg.svdvals(a).get(0).item(), Linalg.matrixNorm(a, 2.0).item(), 1e-12);
        assertEquals(Linalg.svdvals(a).sum().item(), Linalg.matrixNorm(a, "nuc").item(), 1e-12);
    }

    @Test
    void fullSvdOfATallMatrixHasAnOrthogonalU() {
        Tensor a = Torch.tensor(TALL);
        var f = Linalg.svd(a);
        assertEquals(4, f.U().size(1));
        assertTrue(f.U().t().matmul(f.U()).sub(Torch.eye(DType.FLOAT64, 4)).abs().max().item() < 1e-12);
        assertTrue(f.U().narrow(1, 0, 3).mul(f.S()).matmul(f.Vh()).sub(a).abs().max().item() < 1e-12);
    }

    @Test
    void nodeNamesArePyTorchs() {
        Tensor a = x(SQUARE);
        assertEquals("LinalgDetBackward0", Linalg.det(a).gradFn().name());
        assertEquals("LinalgDetBackward0", a.det().gradFn().name());
        assertEquals("LinalgSolveExBackward0", Linalg.solve(a, a).gradFn().name());
        assertEquals("LinalgCholeskyExBackward0", Linalg.cholesky(a.matmul(a.t())).gradFn().name());
        assertEquals("LinalgQrBackward0", Linalg.qr(a).R().gradFn().name());
        assertEquals("LinalgSvdBackward0", Linalg.svd(a).Vh().gradFn().name());
        assertEquals("LinalgVectorNormBackward0", Linalg.vectorNorm(a).gradFn().name());
        assertEquals("LinalgVectorNormBackward0", Linalg.matrixNorm(a).gradFn().name());
        assertEquals("SumBackward1", Linalg.matrixNorm(a, "nuc").gradFn().name());
        assertEquals("AmaxBackward0", Linalg.matrixNorm(a, 2.0).gradFn().name());
        assertEquals("AmaxBackward0", Linalg.matrixNorm(a, 1.0).gradFn().name());
    }

    @Test
    void qrBackwardErrorsAsPyTorch() {
        Tensor t = x(TALL);
        Tensor r = Linalg.qr(t, "r").R();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> r.sum().backward());
        assertTrue(e.getMessage().startsWith("The derivative of linalg.qr depends on Q"), e.getMessage());
        Tensor q = Linalg.qr(t, "complete").Q();
        e = assertThrows(IllegalStateException.class, () -> q.sum().backward());
        assertEquals("The QR decomposition is not differentiable when mode='complete' and nrows > ncols.", e.getMessage());
    }
}
