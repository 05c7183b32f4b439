package dev.kindling.amp;

import dev.kindling.api.AutocastMode;
import dev.kindling.api.DType;
import dev.kindling.api.Device;
import dev.kindling.api.GradMode;
import dev.kindling.api.Tensor;
import dev.kindling.api.Torch;
import dev.kindling.api.autograd.Autograd;
import dev.kindling.nn.functional.F;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Autocast's linear with float32 inputs runs as one fused {@code _autocast_linear} (no lower-precision copy of the
 * weight, no lower-precision weight gradient copied back): its outputs, gradients and their dtypes must be bit for bit
 * those of the casts and linear it stands for, written out here as autocast made them before.
 */
class AutocastFusionTest {

    /** The unfused path: each input not yet in {@code dtype} cast to it (recorded), then linear in {@code dtype}. */
    private static Tensor castsThenLinear(Tensor x, Tensor w, Tensor b, DType dtype) {
        return F.linear(x.dtype() == dtype ? x : x.to(dtype), w.dtype() == dtype ? w : w.to(dtype),
                b == null ? null : b.dtype() == dtype ? b : b.to(dtype));
    }

    private static Tensor leaf(Tensor t, boolean requiresGrad) { return t.detach().clone().requiresGrad_(requiresGrad); }

    private static void assertBits(Tensor expected, Tensor actual, String what) {
        assertEquals(expected.dtype(), actual.dtype(), what + ": dtype");
        assertEquals(java.util.Arrays.toString(expected.shape()), java.util.Arrays.toString(actual.shape()), what + ": shape");
        float[] e = expected.toFloatArray(), a = actual.toFloatArray();
        for (int i = 0; i < e.length; i++) {
            if (Float.floatToRawIntBits(e[i]) != Float.floatToRawIntBits(a[i])) {
                assertEquals(e[i], a[i], what + ": element " + i + " of " + e.length);
                assertEquals(Float.floatToRawIntBits(e[i]), Float.floatToRawIntBits(a[i]), what + ": bits of element " + i);
            }
        }
    }

    /** Runs the fused and the unfused linear on copies of the same leaves and compares output and gradients. */
    private static void check(String what, DType dtype, Tensor x, Tensor w, Tensor b, boolean xGrad, boolean fuses) {
        Tensor[] fusedLeaves = {leaf(x, xGrad), leaf(w, true), b == null ? null : leaf(b, true)};
        Tensor[] refLeaves = {leaf(x, xGrad), leaf(w, true), b == null ? null : leaf(b, true)};
        Tensor y;
        try (AutocastMode ac = Torch.autocast(Device.CPU, dtype)) {
            y = F.linear(fusedLeaves[0], fusedLeaves[1], fusedLeaves[2]);
        }
        String node = y.gradFn().name();
        assertEquals(fuses, node.equals("AutocastLinearBackward0"), what + ": fused? node " + node);
        Tensor ref = castsThenLinear(refLeaves[0], refLeaves[1], refLeaves[2], dtype);
        assertBits(ref, y, what + ": output");
        Tensor upstream = Torch.randn(y.shape()).mul(3).to(y.dtype());
        y.backward(upstream);
        ref.backward(upstream);
        String[] names = {"input", "weight", "bias"};
        for (int i = 0; i < 3; i++) {
            if (fusedLeaves[i] == null || !fusedLeaves[i].requiresGrad()) continue;
            assertBits(refLeaves[i].grad(), fusedLeaves[i].grad(), what + ": gradient of the " + names[i]);
        }
    }

    @Test
    void anMlpLayerOverFloat32LeavesGivesTheValuesAndGradientsOfItsCasts() {
        Torch.manualSeed(3);
        Tensor x = Torch.randn(64, 784), w = Torch.randn(256, 784).mul(0.05), b = Torch.randn(256);
        check("bf16 64x784 . 256x784 + bias", DType.BFLOAT16, x, w, b, false, true);
        check("bf16, input requiring grad", DType.BFLOAT16, x, w, b, true, true);
        check("bf16, no bias", DType.BFLOAT16, x, w, null, true, true);
        check("fp16 autocast", DType.FLOAT16, x, w, b, true, true);
        // the second layer: its input is already bfloat16 (a ReLU's output), its weight and bias float32
        Tensor h = Torch.randn(64, 256).to(DType.BFLOAT16);
        check("bf16 input, float32 weight", DType.BFLOAT16, h, Torch.randn(10, 256).mul(0.1), Torch.randn(10), true, true);
        // small products (the scalar loop), one row, one output, and a product split over threads
        check("tiny", DType.BFLOAT16, Torch.randn(3, 5), Torch.randn(2, 5), Torch.randn(2), true, true);
        check("one row", DType.BFLOAT16, Torch.randn(1, 300), Torch.randn(70, 300), Torch.randn(70), true, true);
        check("one output", DType.BFLOAT16, Torch.randn(33, 40), Torch.randn(1, 40), Torch.randn(1), true, true);
        check("large", DType.BFLOAT16, Torch.randn(128, 1000), Torch.randn(520, 1000).mul(0.03), Torch.randn(520), true, true);
    }

    @Test
    void specialValuesRoundAsTheCastRoundsThem() {
        Tensor x = Torch.tensor(new float[] {1f, Float.NaN, 3.3961776e38f, -0f, 1.00390625f, 70000f}, 2, 3);
        Tensor w = Torch.tensor(new float[] {1.01171875f, -2f, 0.5f, Float.POSITIVE_INFINITY, 1f, 1e-40f}, 2, 3);
        check("NaN, overflow, ties, subnormal (bf16)", DType.BFLOAT16, x, w, Torch.tensor(new float[] {1e-3f, -7f}, 2), true, true);
        check("NaN, overflow, ties, subnormal (fp16)", DType.FLOAT16, x, w, Torch.tensor(new float[] {1e-3f, -7f}, 2), true, true);
    }

    @Test
    void shapesAndLayoutsTheFusedOpDoesNotTakeRunUnfused() {
        Torch.manualSeed(4);
        // a transposed weight view, a 3-d input, a float64 input: the casts and linear as before, same values
        Tensor x = Torch.randn(4, 20), wt = leaf(Torch.randn(20, 12), true);
        Tensor y;
        try (AutocastMode ac = Torch.autocast(Device.CPU)) {
            y = F.linear(x, wt.t(), null);
        }
        assertEquals("MmBackward0", y.gradFn().name(), "a non-contiguous weight is cast, then multiplied");
        y.sum().backward();
        assertEquals(DType.FLOAT32, wt.grad().dtype());
        try (AutocastMode ac = Torch.autocast(Device.CPU)) {
            Tensor y3 = F.linear(Torch.randn(2, 4, 20), leaf(Torch.randn(12, 20), true), leaf(Torch.randn(12), true));
            assertEquals(DType.BFLOAT16, y3.dtype());
            assertTrue(!y3.gradFn().name().equals("AutocastLinearBackward0"), y3.gradFn().name());
        }
    }

    @Test
    void aWeightAlreadyCastInTheRegionKeepsItsSharedCast() {
        Tensor w = leaf(Torch.randn(6, 5), true), x = Torch.randn(3, 5);
        try (AutocastMode ac = Torch.autocast(Device.CPU)) {
            w.matmul(x.t()); // casts w itself (a float32 leaf), so the region caches that cast
            Tensor y = F.linear(x, w, null);
            assertEquals("MmBackward0", y.gradFn().name(), "linear uses the cached cast, so both uses meet in one cast node");
            assertBits(castsThenLinear(x, w, null, DType.BFLOAT16), y, "same values either way");
        }
    }

    /**
     * With {@code createGraph} the fused node's gradients are built from casts and mm, so they can be differentiated
     * again. They agree with the unfused path's up to the rounding of sums: a float32 input the fused op read at
     * bfloat16 has no bfloat16 cast node where the second-order contributions meet, so they are summed in float32.
     */
    @Test
    void secondOrderGradientsMatchTheUnfusedPath() {
        Torch.manualSeed(5);
        Tensor x = Torch.randn(8, 6), w = Torch.randn(4, 6), b = Torch.randn(4);
        List<Tensor> results = new ArrayList<>();
        for (boolean fused : new boolean[] {true, false}) {
            Tensor xl = leaf(x, true), wl = leaf(w, true), bl = leaf(b, true);
            Tensor y;
            if (fused) {
                try (AutocastMode ac = Torch.autocast(Device.CPU)) {
                    y = F.linear(xl, wl, bl);
                }
                assertEquals("AutocastLinearBackward0", y.gradFn().name());
            } else {
                y = castsThenLinear(xl, wl, bl, DType.BFLOAT16);
            }
            Tensor loss = y.toFloat().pow(2).sum();
            List<Tensor> g = Autograd.grad(List.of(loss), List.of(xl, wl), null, false, true, false);
            assertEquals(DType.FLOAT32, g.get(0).dtype());
            assertEquals(DType.FLOAT32, g.get(1).dtype());
            g.get(0).pow(2).sum().add(g.get(1).pow(2).sum()).backward();
            results.add(xl.grad());
            results.add(wl.grad());
            results.add(bl.grad());
        }
        String[] names = {"input", "weight", "bias"};
        for (int i = 0; i < 3; i++) {
            Tensor fused = results.get(i), unfused = results.get(i + 3);
            assertEquals(unfused.dtype(), fused.dtype());
            assertTrue(fused.allclose(unfused, 2e-2, 1e-2), names[i] + " gradient of the gradients: " + fused + " vs " + unfused);
        }
    }

    @Test
    void noGradRegionsAndFrozenWeightsNeedNoGraph() {
        Tensor x = Torch.randn(3, 5), w = Torch.randn(2, 5);
        try (AutocastMode ac = Torch.autocast(Device.CPU); GradMode ng = Torch.noGrad()) {
            Tensor y = F.linear(x, w, null);
            assertEquals(DType.BFLOAT16, y.dtype());
            assertNull(y.gradFn());
            assertBits(castsThenLinear(x, w, null, DType.BFLOAT16), y, "inference under autocast");
        }
    }

    @Test
    void mismatchedShapesAreReportedAsLinearReportsThem() {
        IllegalArgumentException e;
        try (AutocastMode ac = Torch.autocast(Device.CPU)) {
            e = assertThrows(IllegalArgumentException.class, () -> F.linear(Torch.randn(4, 3), Torch.randn(5, 2), null));
        }
        assertEquals("mat1 and mat2 shapes cannot be multiplied (4x3 and 2x5)", e.getMessage());
    }
}
