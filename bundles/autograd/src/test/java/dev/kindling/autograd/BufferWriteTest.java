package dev.kindling.autograd;

import dev.kindling.api.GradMode;
import dev.kindling.api.Tensor;
import dev.kindling.api.Torch;
import org.junit.jupiter.api.Test;

import java.nio.FloatBuffer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code t.copy_(Buffer)} next to autograd: a write autograd cannot record is refused, or caught by the version check. */
class BufferWriteTest {
    @Test
    void aTensorThatRequiresGradIsRefusedWhileGradModeIsOn() {
        Tensor w = Torch.ones(2).requiresGrad_(true);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> w.copy_(FloatBuffer.wrap(new float[] {5, 6})));
        assertTrue(e.getMessage().contains("noGrad"), e.getMessage());
        assertArrayEquals(new float[] {1, 1}, w.toFloatArray());
        try (GradMode g = Torch.noGrad()) {
            w.copy_(FloatBuffer.wrap(new float[] {5, 6})); // loading weights
        }
        assertArrayEquals(new float[] {5, 6}, w.toFloatArray());
        assertTrue(w.requiresGrad());
        w.mul(2).sum().backward();
        assertArrayEquals(new float[] {2, 2}, w.grad().toFloatArray());
    }

    @Test
    void overwritingASavedTensorFailsTheBackwardThatSavedIt() {
        Tensor w = Torch.tensor(new float[] {1, 2}).requiresGrad_(true);
        Tensor x = Torch.tensor(new float[] {3, 4});
        Tensor loss = w.mul(x).sum(); // saves x for w's gradient
        x.copy_(FloatBuffer.wrap(new float[] {7, 8}));
        RuntimeException e = assertThrows(RuntimeException.class, loss::backward);
        assertTrue(e.getMessage().contains("modified by an inplace operation"), e.getMessage());
    }

    @Test
    void aGradientIsReadBackUnderNoGrad() {
        Tensor w = Torch.tensor(new float[] {1, 2, 3}).requiresGrad_(true);
        w.mul(w).sum().backward();
        FloatBuffer out = FloatBuffer.allocate(3);
        w.grad().copyTo(out);
        assertArrayEquals(new float[] {2, 4, 6}, out.array());
        w.grad().copy_(out.flip()); // a gradient does not require grad
        assertEquals(3, out.position());
    }
}
