package dev.kindling.optim;

import dev.kindling.api.DType;
import dev.kindling.api.Generator;
import dev.kindling.api.GradMode;
import dev.kindling.api.Tensor;
import dev.kindling.api.Torch;
import dev.kindling.kernel.ops.Ops;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * SGD with momentum takes {@code _fused_sgd_} from its second step: the parameter and the momentum buffer have the bits
 * the mul_ and the two add_s give (PyTorch's single-tensor step), for float32 on the CPU backend's one pass and for the
 * fallback (float64, a transposed parameter), with and without dampening, over several steps.
 */
class FusedSgdTest {

    @Test
    void theFusedStepHasTheBitsOfTheOpsItReplaces() {
        for (DType t : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            for (boolean transposed : new boolean[] {false, true}) {
                for (double dampening : new double[] {0, 0.3}) {
                    Generator gen = new Generator(7);
                    Tensor start = Torch.randn(gen, 37, 129).to(t);
                    Tensor p = (transposed ? start.t().contiguous().t() : start.clone()).requiresGrad_(true);
                    Tensor ref = start.clone(), buf = null;
                    SGD sgd = SGD.builder(List.of(p)).lr(0.05).momentum(0.9).dampening(dampening).build();
                    String where = t + (transposed ? " transposed" : "") + " dampening " + dampening;
                    for (int step = 0; step < 5; step++) {
                        Tensor g = Torch.randn(gen, 37, 129).to(t);
                        p.setGrad(g.clone());
                        sgd.step();
                        try (GradMode m = Torch.noGrad()) {
                            if (buf == null) buf = g.clone();
                            else buf.mul_(0.9).add_(g, 1 - dampening);
                            ref.add_(buf, -0.05);
                        }
                        assertBits(ref, p, where + " step " + step + ", parameter");
                        assertBits(buf, (Tensor) sgd.state(p).get("momentum_buffer"), where + " step " + step + ", momentum buffer");
                    }
                }
            }
        }
    }

    @Test
    void mismatchedTensorsAreNamed() {
        Tensor p = Torch.zeros(3, 4), b = Torch.zeros(3, 4);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Ops.fusedSgd_(p, b, Torch.zeros(4, 3), 0.1, 0.9, 0));
        assertTrue(e.getMessage().contains("[3, 4]") && e.getMessage().contains("[4, 3]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Ops.fusedSgd_(p, b.toDouble(), Torch.zeros(3, 4), 0.1, 0.9, 0));
        assertTrue(e.getMessage().contains("float64"), e.getMessage());
    }

    private static void assertBits(Tensor want, Tensor got, String where) {
        double[] a = want.detach().to(DType.FLOAT64).contiguous().toDoubleArray(), b = got.detach().to(DType.FLOAT64).contiguous().toDoubleArray();
        assertEquals(a.length, b.length, where);
        for (int i = 0; i < a.length; i++) {
            if (Double.doubleToRawLongBits(a[i]) != Double.doubleToRawLongBits(b[i])) throw new AssertionError(where + " at " + i + ": " + b[i] + ", not " + a[i]);
        }
    }
}
