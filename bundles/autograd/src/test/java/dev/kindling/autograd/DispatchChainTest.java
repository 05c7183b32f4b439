package dev.kindling.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kindling.api.DType;
import dev.kindling.api.Tensor;
import dev.kindling.api.Torch;
import dev.kindling.api.spi.TensorRuntimes;
import dev.kindling.kernel.Kernel;
import dev.kindling.kernel.ops.Attrs;
import dev.kindling.kernel.ops.DispatchLayer;
import dev.kindling.kernel.ops.OpDef;
import dev.kindling.kernel.ops.Ops;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Layers of the dispatch chain around autograd: their order, what each sees, and how they come and go. */
class DispatchChainTest {
    private final Kernel kernel = (Kernel) TensorRuntimes.get();
    private final List<DispatchLayer> installed = new ArrayList<>();

    /** Records the ops it sees, then passes them down unchanged. */
    private static final class Tracer implements DispatchLayer {
        final List<String> seen = new ArrayList<>();

        @Override public int rank() { return TRACER; }

        @Override
        public Tensor[] dispatch(OpDef op, Tensor[] inputs, Attrs attrs, Below below) {
            seen.add(op.name());
            return below.call(op, inputs, attrs);
        }
    }

    /** Above autograd, as autocast: runs mm in float32, casting through the (recorded) _to_copy op. */
    private static final class Float32Matmul implements DispatchLayer {
        @Override public int rank() { return AUTOCAST; }

        @Override public boolean intercepts(OpDef op) { return op == Ops.MM; }

        @Override
        public Tensor[] dispatch(OpDef op, Tensor[] inputs, Attrs attrs, Below below) {
            Tensor[] cast = new Tensor[inputs.length];
            for (int i = 0; i < inputs.length; i++) cast[i] = Ops.toCopy(inputs[i], DType.FLOAT32, inputs[i].device());
            return below.call(op, cast, attrs);
        }
    }

    private <L extends DispatchLayer> L install(L layer) {
        kernel.addDispatchLayer(layer);
        installed.add(layer);
        return layer;
    }

    @AfterEach
    void uninstall() { installed.forEach(kernel::removeDispatchLayer); }

    @Test
    void theChainIsOrderedByRankWithAutogradInItsPlace() {
        install(new Tracer());
        install(new Float32Matmul());
        List<Integer> ranks = new ArrayList<>();
        for (DispatchLayer l : kernel.dispatchChain().layers()) ranks.add(l.rank());
        assertEquals(List.of(DispatchLayer.AUTOCAST, DispatchLayer.AUTOGRAD, DispatchLayer.TRACER), ranks);
    }

    @Test
    void aLayerBelowAutogradSeesEachOpOnceAsTheUserCalledIt() {
        Tracer tracer = install(new Tracer());
        Tensor x = Torch.randn(3, 4).requiresGrad_(true);
        Tensor w = Torch.randn(4, 2);
        Tensor loss = x.matmul(w).relu().sum();
        // matmul is composite: the tracer sees it, not the mm it runs as (that runs below the tracer).
        assertEquals(List.of("matmul", "relu", "sum"), tracer.seen);
        assertEquals("SumBackward0", loss.gradFn().name());
        tracer.seen.clear();
        loss.backward();
        // The backward's own ops are dispatched from the top and reach the tracer too.
        assertTrue(tracer.seen.contains("mm"), tracer.seen.toString());
        assertArrayEquals(new long[] {3, 4}, x.grad().shape());
    }

    @Test
    void aLayerAboveAutogradHasItsRewritesRecorded() {
        install(new Float32Matmul());
        Tensor x = Torch.randn(DType.FLOAT64, 2, 3).requiresGrad_(true);
        Tensor w = Torch.randn(DType.FLOAT64, 3, 2);
        Tensor y = x.mm(w);
        assertEquals(DType.FLOAT32, y.dtype());
        y.sum().backward();
        // The casts were recorded by autograd, so the gradient comes back to x in x's dtype.
        assertEquals(DType.FLOAT64, x.grad().dtype());
        Tensor expected = Torch.onesLike(y).mm(w.to(DType.FLOAT32).t()).to(DType.FLOAT64);
        assertTrue(x.grad().allclose(expected, 1e-6, 1e-6), x.grad() + " vs " + expected);
    }

    @Test
    void aRemovedLayerSeesNothing() {
        Tracer tracer = install(new Tracer());
        kernel.removeDispatchLayer(tracer);
        Torch.ones(2).add(1.0);
        assertEquals(List.of(), tracer.seen);
        assertEquals(1, kernel.dispatchChain().layers().size(), kernel.dispatchChain().layers().toString());
    }

    @Test
    void opsThatNeedNoGradientStillPassThroughEveryLayer() {
        Tracer tracer = install(new Tracer());
        Tensor r = Torch.tensor(new float[] {1, 2}).mul(3.0);
        assertEquals(List.of("mul"), tracer.seen);
        assertArrayEquals(new float[] {3, 6}, r.toFloatArray());
    }
}
