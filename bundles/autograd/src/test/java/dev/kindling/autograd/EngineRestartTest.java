package dev.kindling.autograd;

import dev.kindling.api.Tensor;
import dev.kindling.api.Torch;
import dev.kindling.api.spi.TensorRuntimes;
import dev.kindling.autograd.internal.AutogradEngine;
import dev.kindling.kernel.Kernel;
import dev.kindling.kernel.ops.GradientEngine;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The autograd bundle stopped and started under live tensors: what waits, what goes on, what fails and how. */
class EngineRestartTest {
    private final Kernel kernel = (Kernel) TensorRuntimes.get();
    private GradientEngine original;
    private Duration wait;

    @BeforeEach
    void remember() {
        original = kernel.gradientEngine();
        wait = kernel.backends().backendWait();
    }

    @AfterEach
    void restore() {
        kernel.setGradientEngine(original);
        kernel.backends().setBackendWait(wait);
    }

    @Test
    void aGraphRecordedBeforeARestartIsRunBackwardByTheNewEngine() {
        Tensor x = Torch.tensor(new double[] {1, 2, 3}).requiresGrad_(true);
        Tensor z = x.mul(x).sum();
        kernel.unsetGradientEngine(original);
        kernel.setGradientEngine(new AutogradEngine());
        z.backward();
        assertArrayEquals(new double[] {2, 4, 6}, x.grad().toDoubleArray());
    }

    @Test
    void whileAutogradIsAwayItsTensorsWaitAndOthersComputeOn() throws Exception {
        Tensor x = Torch.tensor(new double[] {1, 2}).requiresGrad_(true);
        kernel.unsetGradientEngine(original);
        assertArrayEquals(new double[] {2, 3}, Torch.tensor(new double[] {1, 2}).add(1.0).toDoubleArray(), "no autograd state: no wait");
        Thread[] waiter = new Thread[1];
        CompletableFuture<Tensor> op = CompletableFuture.supplyAsync(() -> {
            waiter[0] = Thread.currentThread();
            return x.mul(3.0).sum();
        });
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (waiter[0] == null || !"autograd".equals(kernel.waitingFor(waiter[0]))) {
            assertTrue(System.nanoTime() < deadline, "the op never waited for autograd");
            Thread.sleep(2);
        }
        assertFalse(op.isDone());
        kernel.setGradientEngine(new AutogradEngine());
        Tensor y = op.get(10, TimeUnit.SECONDS);
        assertNotNull(y.gradFn(), "recorded by the engine that came back");
        y.backward();
        assertArrayEquals(new double[] {3, 3}, x.grad().toDoubleArray());
        assertNull(kernel.waitingFor(waiter[0]));
    }

    @Test
    void anEngineThatNeverComesBackFailsClearlyAfterTheWait() {
        Tensor x = Torch.tensor(new double[] {1, 2}).requiresGrad_(true);
        x.mul(2.0).sum().backward();
        kernel.backends().setBackendWait(Duration.ofMillis(100));
        kernel.unsetGradientEngine(original);
        IllegalStateException op = assertThrows(IllegalStateException.class, () -> x.mul(2.0));
        assertTrue(op.getMessage().contains("autograd engine was removed") && op.getMessage().contains("within 100 ms"), op.getMessage());
        IllegalStateException grad = assertThrows(IllegalStateException.class, x::grad, "a parameter's grad must not read as null");
        assertTrue(grad.getMessage().contains("within 100 ms"), grad.getMessage());
        kernel.setGradientEngine(original);
        assertEquals(2.0, x.grad().toDoubleArray()[0]);
    }

    /** What an updated bundle's engine finds on a parameter: the old revision's state, read through LeafAutogradState. */
    private static dev.kindling.kernel.ops.LeafAutogradState oldRevision(boolean requiresGrad, Tensor grad, boolean history) {
        return new dev.kindling.kernel.ops.LeafAutogradState() {
            @Override public boolean leafRequiresGrad() { return requiresGrad; }
            @Override public Tensor leafGrad() { return grad; }
            @Override public boolean hasHistory() { return history; }
        };
    }

    @Test
    void anUpdatedEngineAdoptsTheLeavesOfTheOldRevisionAndRefusesItsGraphs() {
        dev.kindling.kernel.ops.DenseTensor w = (dev.kindling.kernel.ops.DenseTensor) Torch.tensor(new double[] {1, 2});
        w.setAutogradMeta(oldRevision(true, Torch.tensor(new double[] {5, 5}), false));
        assertTrue(w.requiresGrad());
        assertTrue(w.isLeaf());
        assertArrayEquals(new double[] {5, 5}, w.grad().toDoubleArray());
        w.mul(2.0).sum().backward();
        assertArrayEquals(new double[] {7, 7}, w.grad().toDoubleArray(), "accumulated into the adopted gradient");

        dev.kindling.kernel.ops.DenseTensor loss = (dev.kindling.kernel.ops.DenseTensor) Torch.tensor(new double[] {3});
        loss.setAutogradMeta(oldRevision(false, null, true));
        IllegalStateException e = assertThrows(IllegalStateException.class, loss::backward);
        assertTrue(e.getMessage().contains("engine that has since been replaced"), e.getMessage());
    }
}
