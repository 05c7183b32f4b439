package dev.kindling.onnx.export;

import dev.kindling.api.AutocastMode;
import dev.kindling.api.DType;
import dev.kindling.api.Device;
import dev.kindling.api.GradMode;
import dev.kindling.api.Tensor;
import dev.kindling.api.Torch;
import dev.kindling.jit.Jit;
import dev.kindling.jit.TracedModule;
import dev.kindling.nn.Linear;
import dev.kindling.nn.Module;
import dev.kindling.nn.ReLU;
import dev.kindling.nn.Sequential;
import dev.kindling.nn.functional.F;
import dev.kindling.onnx.ExportOptions;
import dev.kindling.onnx.Onnx;
import dev.kindling.onnx.OnnxModel;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Kindling → ONNX → Kindling: every exported layer and composite runs again on Kindling's backends within 1e-6 of the
 * original at dynamic sizes, with its parameters under the same state-dict keys; an imported model fine-tunes and
 * exports again.
 */
@SuppressWarnings("try")
class RoundTripTest {
    @TestFactory
    List<DynamicTest> everyExportedModelRunsAgainInKindling() {
        List<DynamicTest> tests = new ArrayList<>();
        for (ExportModels.Case c : ExportModels.all()) {
            for (int opset : new int[] {17, 21}) tests.add(DynamicTest.dynamicTest(c.name() + " @ opset " + opset, () -> roundTrip(c, opset)));
        }
        return tests;
    }

    private static void roundTrip(ExportModels.Case c, int opset) {
        Torch.manualSeed(7);
        Module m = c.model().get();
        m.eval();
        byte[] bytes = Onnx.toBytes(m, new Tensor[] {c.input().apply(2)},
                ExportOptions.builder().opset(opset).inputNames("x").dynamicAxes(Map.of("x", c.axes())).build());
        OnnxModel back = Onnx.load(bytes, c.name() + ".onnx");
        assertTrue(m.stateDict().keySet().containsAll(back.stateDict().keySet()), back.stateDict().keySet() + " vs " + m.stateDict().keySet());
        assertTrue(back.stateDict().keySet().containsAll(m.namedParameters().keySet()), "every parameter is an initializer under its key");
        for (int n : new int[] {1, 3, 8}) {
            Tensor x = c.input().apply(n);
            Tensor want, got;
            try (GradMode ignored = Torch.noGrad()) {
                want = m.forward(x);
                got = back.run(x)[0];
            }
            assertArrayEquals(want.shape(), got.shape(), c.name() + " at size " + n);
            double excess = Compare.beyond(got, want, 1e-6, c.name() + " at size " + n);
            assertTrue(excess <= 1e-6, c.name() + " @ opset " + opset + " at size " + n + ": beyond 1e-6 by " + excess + " (" + Arrays.toString(x.shape()) + ")");
        }
    }

    @Test
    void aModelTracedUnderAutocastExportsItsCastsAndRunsAgain() {
        Torch.manualSeed(12);
        Module mlp = new Sequential(new Linear(6, 16), new ReLU(), new Linear(16, 3));
        Tensor x = Torch.randn(4, 6);
        Tensor want;
        TracedModule traced;
        try (AutocastMode ac = Torch.autocast(Device.CPU); GradMode ng = Torch.noGrad()) {
            want = mlp.forward(x);
            traced = Jit.trace(mlp, x); // each linear is one fused _autocast_linear: exported as Casts and a Gemm
        }
        assertEquals(DType.BFLOAT16, want.dtype());
        OnnxModel back = Onnx.load(Onnx.toBytes(traced), "autocast-mlp.onnx");
        Tensor got;
        try (GradMode ng = Torch.noGrad()) {
            got = back.run(x)[0];
        }
        assertEquals(DType.BFLOAT16, got.dtype());
        assertTrue(got.toFloat().allclose(want.toFloat(), 1e-2, 1e-2), got + " vs " + want);
    }

    @Test
    void anImportedModelFineTunesAndExportsAgain() throws Exception {
        Torch.manualSeed(11);
        Module mlp = new Sequential(new Linear(6, 16), new ReLU(), new Linear(16, 1));
        byte[] bytes = Onnx.toBytes(mlp, new Tensor[] {Torch.randn(4, 6)},
                ExportOptions.builder().inputNames("x").dynamicAxes(Map.of("x", Map.of(0, "batch"))).build());
        OnnxModel model = Onnx.load(bytes, "mlp.onnx");
        assertEquals(Set.of("0.weight", "0.bias", "2.weight", "2.bias"), model.namedParameters().keySet());
        Tensor x = Torch.randn(64, 6);
        Tensor y = x.sum(new int[] {1}, true).mul(0.5).sin();
        double first = 0, last = 0;
        for (int step = 0; step < 60; step++) {
            model.zeroGrad();
            Tensor loss = F.mseLoss(model.forward(x), y);
            loss.backward();
            try (GradMode ignored = Torch.noGrad()) {
                for (Tensor p : model.parameters()) p.sub_(p.grad().mul(0.1));
            }
            if (step == 0) first = loss.item();
            last = loss.item();
        }
        assertTrue(last < 0.5 * first, "loss " + first + " -> " + last);
        TracedModule again = Jit.trace(model, new Tensor[] {x}, List.of("x"), List.of(), Map.of("x", Map.of(0, "batch")));
        try (Ort ort = new Ort(Onnx.toBytes(again), true); GradMode ignored = Torch.noGrad()) {
            Tensor probe = Torch.randn(5, 6);
            assertTrue(ort.run(Map.of("x", probe)).allclose(model.forward(probe), 1e-4, 1e-5));
        }
    }
}
