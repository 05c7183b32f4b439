package dev.kindling.autograd;

import dev.kindling.api.Tensor;
import dev.kindling.api.Torch;
import dev.kindling.api.autograd.Autograd;
import dev.kindling.api.autograd.RemovableHandle;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PostAccumulateGradHookTest {
    @Test
    void runsAfterTheGradientIsAccumulatedWithTheLeafItself() {
        Tensor w = Torch.tensor(new double[] {1, 2}).requiresGrad_(true);
        List<double[]> seen = new ArrayList<>();
        w.registerPostAccumulateGradHook(p -> {
            assertSame(w, p);
            seen.add(p.grad().toDoubleArray());
        });
        w.mul(3).sum().backward();
        w.mul(w).sum().backward();
        assertEquals(2, seen.size());
        assertArrayEquals(new double[] {3, 3}, seen.get(0));
        assertArrayEquals(new double[] {5, 7}, seen.get(1)); // accumulated: 3 + 2w
    }

    @Test
    void leavesNearerTheLossAreReadyFirst() {
        Tensor a = Torch.tensor(new double[] {1}).requiresGrad_(true);
        Tensor b = Torch.tensor(new double[] {2}).requiresGrad_(true);
        List<String> order = new ArrayList<>();
        a.registerPostAccumulateGradHook(p -> order.add("a"));
        b.registerPostAccumulateGradHook(p -> order.add("b"));
        // a is used first (deep in the graph), b last: b's gradient is ready before a's
        a.mul(2).exp().mul(b).sum().backward();
        assertEquals(List.of("b", "a"), order);
    }

    @Test
    void removedHooksStopAndAutogradGradDoesNotRunThem() {
        Tensor w = Torch.tensor(new double[] {1}).requiresGrad_(true);
        int[] calls = {0};
        RemovableHandle h = w.registerPostAccumulateGradHook(p -> calls[0]++);
        Autograd.grad(List.of(w.mul(2).sum()), List.of(w));
        assertEquals(0, calls[0]);
        w.mul(2).sum().backward();
        assertEquals(1, calls[0]);
        h.remove();
        w.mul(2).sum().backward();
        assertEquals(1, calls[0]);
    }

    @Test
    void onlyLeavesThatRequireGrad() {
        Tensor w = Torch.tensor(new double[] {1}).requiresGrad_(true);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> w.mul(2).registerPostAccumulateGradHook(p -> { }));
        assertTrue(e.getMessage().contains("non-leaf"), e.getMessage());
        assertThrows(IllegalStateException.class, () -> Torch.tensor(new double[] {1}).registerPostAccumulateGradHook(p -> { }));
    }
}
