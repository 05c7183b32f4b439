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
 * SGD with momentum takes {@code _fused_sgd_} from its second step, Adam and AdamW without amsgrad {@code _fused_adam_}:
 * the parameter and its state have the bits the ops they replace give (PyTorch's single-tensor steps), for float32 on
 * the CPU backend's one pass and for the fallback (float64, a transposed parameter), over several steps.
 */
class FusedStepsTest {

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
    void theFusedAdamStepHasTheBitsOfTheOpsItReplaces() {
        for (DType t : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            for (boolean transposed : new boolean[] {false, true}) {
                for (int kind = 0; kind < 3; kind++) { // Adam, Adam with L2 weight decay, AdamW
                    Generator gen = new Generator(9);
                    Tensor start = Torch.randn(gen, 41, 67).to(t);
                    Tensor p = (transposed ? start.t().contiguous().t() : start.clone()).requiresGrad_(true);
                    Tensor ref = start.clone(), m = Torch.zerosLike(start), v = Torch.zerosLike(start);
                    double lr = 0.01, b1 = 0.9, b2 = 0.999, eps = 1e-8, wd = kind == 0 ? 0 : 0.05;
                    Optimizer opt = kind == 2 ? new AdamW(List.of(p), lr, new double[] {b1, b2}, eps, wd, false)
                            : new Adam(List.of(p), lr, new double[] {b1, b2}, eps, wd, false);
                    String where = t + (transposed ? " transposed" : "") + " kind " + kind;
                    for (int step = 1; step <= 5; step++) {
                        Tensor g = Torch.randn(gen, 41, 67).to(t);
                        p.setGrad(g.clone());
                        opt.step();
                        try (GradMode mode = Torch.noGrad()) {
                            Tensor gr = g;
                            if (kind == 2) ref.mul_(1 - lr * wd);
                            else if (kind == 1) gr = g.add(ref, wd);
                            m.mul_(b1).add_(gr, 1 - b1);
                            v.mul_(b2).addcmul_(gr, gr, 1 - b2);
                            double c1 = 1 - Math.pow(b1, step), c2 = Math.sqrt(1 - Math.pow(b2, step));
                            ref.addcdiv_(m, v.sqrt().div(c2).add_(eps), -lr / c1);
                        }
                        assertBits(ref, p, where + " step " + step + ", parameter");
                        assertBits(m, (Tensor) opt.state(p).get("exp_avg"), where + " step " + step + ", exp_avg");
                        assertBits(v, (Tensor) opt.state(p).get("exp_avg_sq"), where + " step " + step + ", exp_avg_sq");
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
