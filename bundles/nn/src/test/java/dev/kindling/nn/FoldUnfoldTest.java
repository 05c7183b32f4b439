package dev.kindling.nn;

import dev.kindling.api.Generator;
import dev.kindling.api.Tensor;
import dev.kindling.api.Torch;
import dev.kindling.api.autograd.Autograd;
import dev.kindling.nn.functional.F;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** F.unfold / F.fold (the im2col / col2im primitives) and max pooling's index rule, against values from PyTorch 1.13. */
class FoldUnfoldTest {
    private static final int[] K = {2, 3}, D = {1, 2}, P = {1, 0}, S = {2, 1};

    @Test
    void unfoldAndFoldMatchPyTorch() {
        Tensor x = Torch.arange(0, 2 * 2 * 4 * 5).toFloat().reshape(2, 2, 4, 5);
        Tensor u = F.unfold(x, K, D, P, S);
        assertArrayEquals(new long[] {2, 12, 3}, u.shape());
        assertTrue(u.isContiguous(), "unfold's result is contiguous, as PyTorch's");
        assertArrayEquals(new long[] {72}, u.view(-1).shape());
        assertEquals(1896.0, u.sum().item(), 0);
        // weighted by position, so a misplaced element changes the figure (PyTorch: 88740)
        assertEquals(88740.0, u.mul(Torch.arange(0, u.numel()).toFloat().reshape(u.shape())).sum().item(), 0);
        float[] folded = F.fold(u, new int[] {4, 5}, K, D, P, S).toFloatArray();
        // PyTorch: with dilation 2 over width 5 and stride 1, the windows read columns 0, 2, 4 once each and never 1 or 3;
        // every row is read once (stride 2 with padding 1 and height 2): fold(unfold(x)) keeps even columns, zeroes odd ones
        for (int i = 0; i < folded.length; i++) {
            assertEquals(i % 5 % 2 == 0 ? i : 0, folded[i], 0, "element " + i);
        }
    }

    @Test
    void foldIsTheAdjointOfUnfold() {
        Generator g = new Generator(7);
        Tensor x = Torch.randn(g, 2, 3, 7, 6).toDouble();
        Tensor u = F.unfold(x, new int[] {3, 2}, new int[] {2, 1}, new int[] {1, 1}, new int[] {1, 2});
        Tensor y = Torch.randn(g, u.shape()).toDouble();
        double lhs = u.mul(y).sum().item();
        double rhs = x.mul(F.fold(y, new int[] {7, 6}, new int[] {3, 2}, new int[] {2, 1}, new int[] {1, 1}, new int[] {1, 2})).sum().item();
        assertEquals(lhs, rhs, 1e-9 * Math.abs(lhs) + 1e-9);
    }

    @Test
    void maxPoolLetsTheLastNaNWinAsPyTorch() {
        double nan = Double.NaN;
        Tensor x = Torch.tensor(new double[] {1, nan, 3, 4, 5, nan, 7, 8, 9}, 1, 1, 3, 3).toFloat();
        float[] v = F.maxPool2d(x, 2, 1, 0).toFloatArray();
        assertTrue(Float.isNaN(v[0]) && Float.isNaN(v[1]) && Float.isNaN(v[3]));
        assertEquals(8f, v[2], 0);
        x.requiresGrad_(true);
        F.maxPool2d(x, 2, 1, 0).sum().backward();
        // PyTorch's indices: [1, 5, 7, 5]; the gradient lands there
        assertArrayEquals(new float[] {0, 1, 0, 0, 0, 2, 0, 1, 0}, x.grad().toFloatArray(), 0f);
    }

    @Test
    void maxPoolGradientHasASecondDerivative() {
        // overlapping windows (stride 1) over ties, so cells receive several gradients; float64 for gradcheck
        Tensor x = Torch.tensor(new double[] {1, 3, 3, 0, 2, 3, 1, 1, 0, 2, 2, 5, 4, 4, 1, 0}, 1, 1, 4, 4);
        Tensor idx = dev.kindling.kernel.ops.Ops.maxPool2d(x, new dev.kindling.kernel.spi.Window2d(2, 2, 1, 1, 0, 0, 1, 1, 3, 3)).indices();
        long[] shape = x.shape();
        Tensor g = Torch.randn(new Generator(3), 1, 1, 3, 3).toDouble().requiresGrad_(true);
        assertTrue(Autograd.gradcheck(in -> dev.kindling.kernel.ops.Ops.maxPool2dBackward(in[0], idx, shape), g));
        // the gradient through F.maxPool2d with create_graph: d/dg of sum(dx * v) reads v back at the indices
        Tensor xr = x.requiresGrad_(true);
        Tensor v = Torch.randn(new Generator(4), 1, 1, 4, 4).toDouble();
        Tensor dx = Autograd.grad(List.of(F.maxPool2d(xr, 2, 1, 0).mul(g).sum()), List.of(xr), null, false, true, false).get(0);
        Tensor dg = Autograd.grad(List.of(dx.mul(v).sum()), List.of(g)).get(0);
        assertArrayEquals(v.flatten(2, -1).gather(2, idx.flatten(2, -1)).view(1, 1, 3, 3).toDoubleArray(), dg.toDoubleArray(), 0);
    }

    @Test
    void foldRejectsColumnsThatDoNotMatchTheBlocks() {
        Tensor cols = Torch.zeros(1, 6, 5);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> F.fold(cols, new int[] {4, 5}, K, D, P, S));
        assertTrue(e.getMessage().contains("sliding blocks"), e.getMessage());
    }
}
