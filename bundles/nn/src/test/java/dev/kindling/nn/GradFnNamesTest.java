package dev.kindling.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kindling.api.Tensor;
import dev.kindling.api.Torch;
import dev.kindling.nn.functional.F;

import org.junit.jupiter.api.Test;

/**
 * The graph's node names that users see printed in every model output and loss, as PyTorch 1.13 (CPU) gives them:
 * checked with {@code F.linear(x, w, b).grad_fn} and the like in /usr/bin/python3.
 */
class GradFnNamesTest {
    private final Tensor x = Torch.randn(3, 4).requiresGrad_(true);
    private final Tensor w = Torch.randn(2, 4);
    private final Tensor b = Torch.randn(2);

    private static String name(Tensor t) { return t.gradFn().name(); }

    @Test
    void linearIsOneAddmm() {
        assertEquals("AddmmBackward0", name(F.linear(x, w, b)));
        assertEquals("ViewBackward0", name(F.linear(x.view(1, 3, 4), w, b)));
        assertEquals("MmBackward0", name(F.linear(x, w)));
        assertEquals("AddmmBackward0", name(new Linear(4, 2).forward(x)));
    }

    @Test
    void lossesAreTheirOwnNodes() {
        Tensor target = Torch.tensor(new long[] {0, 1, 2});
        assertEquals("NllLossBackward0", name(F.crossEntropy(x, target)));
        assertEquals("NllLossBackward0", name(F.nllLoss(x.logSoftmax(1), target)));
        assertEquals("MseLossBackward0", name(F.mseLoss(x, Torch.randn(3, 4))));
        assertEquals("DotBackward0", name(x.get(0).dot(x.get(1))));
    }

    @Test
    void dropoutOnTheCpuIsAProduct() {
        assertEquals("MulBackward0", name(F.dropout(x, 0.5, true)));
    }
}
