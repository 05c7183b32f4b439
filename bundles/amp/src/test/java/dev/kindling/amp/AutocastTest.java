package dev.kindling.amp;

import dev.kindling.api.AutocastMode;
import dev.kindling.api.DType;
import dev.kindling.api.Device;
import dev.kindling.api.Tensor;
import dev.kindling.api.Torch;
import dev.kindling.api.spi.TensorRuntimes;
import dev.kindling.kernel.Kernel;
import dev.kindling.kernel.ops.DispatchLayer;
import dev.kindling.nn.functional.F;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** torch.autocast on the CPU: policies, recorded casts, nesting, enabled=false, the weight-cast cache, threads. */
class AutocastTest {
    private static List<String> layers() {
        return ((Kernel) TensorRuntimes.get()).dispatchChain().layers().stream().map(DispatchLayer::name).collect(Collectors.toList());
    }

    @Test
    void listedOpsRunInBfloat16AndCastsAreRecordedSoWeightGradientsStayFloat32() {
        Torch.manualSeed(0);
        Tensor x = Torch.randn(4, 3);
        Tensor w = Torch.randn(5, 3).requiresGrad_(true);
        Tensor b = Torch.randn(5).requiresGrad_(true);
        assertFalse(layers().contains("autocast"), "no autocast layer in the chain outside a region: " + layers());
        Tensor y, loss;
        try (AutocastMode ac = Torch.autocast(Device.CPU)) {
            assertTrue(layers().contains("autocast"), layers().toString());
            assertEquals(DType.BFLOAT16, ac.dtype());
            assertTrue(Torch.isAutocastEnabled(Device.CPU));
            assertFalse(Torch.isAutocastEnabled(Device.CUDA));
            y = F.linear(x, w, b);
            assertEquals(DType.BFLOAT16, y.dtype(), "linear is lower precision on the CPU");
            Tensor r = y.relu().softmax(1);
            assertEquals(DType.BFLOAT16, r.dtype(), "unlisted ops run in their input's dtype");
            assertEquals(DType.FLOAT32, Torch.cat(List.of(r, x.narrow(1, 0, 1).expand(4, 5)), 0).dtype(), "cat promotes to the widest");
            loss = F.mseLoss(y, Torch.zeros(4, 5));
            assertEquals(DType.FLOAT32, loss.dtype(), "mse_loss runs in float32");
            assertEquals(DType.FLOAT64, x.toDouble().mm(x.toDouble().t()).dtype(), "float64 is not eligible");
        }
        assertFalse(layers().contains("autocast"), layers().toString());
        assertFalse(Torch.isAutocastEnabled(Device.CPU));
        loss.backward();
        assertEquals(DType.FLOAT32, w.grad().dtype());
        assertEquals(DType.FLOAT32, b.grad().dtype());
        String graph = String.valueOf(y.gradFn());
        assertTrue(graph.contains("AutocastLinear"), "linear over float32 leaves runs as the fused _autocast_linear: " + graph);
    }

    @Test
    void regionsNestAndEnabledFalseSwitchesAutocastOffInside() {
        Tensor a = Torch.randn(3, 3);
        try (AutocastMode outer = Torch.autocast(Device.CPU)) {
            assertEquals(DType.BFLOAT16, a.mm(a).dtype());
            try (AutocastMode inner = Torch.autocast(Device.CPU, DType.BFLOAT16, false)) {
                assertFalse(Torch.isAutocastEnabled(Device.CPU));
                assertEquals(DType.FLOAT32, a.mm(a).dtype());
            }
            assertTrue(Torch.isAutocastEnabled(Device.CPU));
            try (AutocastMode fp16 = Torch.autocast(Device.CPU, DType.FLOAT16)) {
                assertEquals(DType.FLOAT16, Torch.getAutocastDtype(Device.CPU));
                assertEquals(DType.FLOAT16, a.mm(a).dtype());
            }
            assertEquals(DType.BFLOAT16, Torch.getAutocastDtype(Device.CPU));
        }
        try (AutocastMode unsupported = Torch.autocast(Device.CPU, DType.FLOAT64)) {
            assertFalse(unsupported.enabled(), "as PyTorch, an unsupported dtype disables autocast");
            assertEquals(DType.FLOAT32, a.mm(a).dtype());
        }
        assertEquals(DType.FLOAT16, Torch.getAutocastDtype(Device.CUDA));
    }

    @Test
    void aCachedWeightCastIsNeverStaleAfterAnInPlaceUpdate() {
        Tensor x = Torch.ones(1, 2);
        Tensor w = Torch.tensor(new float[] {1, 2}, 1, 2).requiresGrad_(true);
        try (AutocastMode ac = Torch.autocast(Device.CPU)) {
            assertEquals(3.0, F.linear(x, w).item(), 0.0);
            assertEquals(3.0, F.linear(x, w).item(), 0.0);
            try (var g = Torch.noGrad()) {
                w.add_(1.0); // an optimizer step inside the region
            }
            assertEquals(5.0, F.linear(x, w).item(), 0.0);
        }
    }

    @Test
    void aRegionBelongsToItsThread() throws Exception {
        Tensor a = Torch.randn(2, 2);
        try (AutocastMode ac = Torch.autocast(Device.CPU)) {
            DType other = CompletableFuture.supplyAsync(() -> a.mm(a).dtype()).get();
            assertEquals(DType.FLOAT32, other, "another thread has no autocast region open");
            assertEquals(DType.BFLOAT16, a.mm(a).dtype());
        }
    }
}
