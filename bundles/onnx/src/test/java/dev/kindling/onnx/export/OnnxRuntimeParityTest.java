package dev.kindling.onnx.export;

import dev.kindling.api.GradMode;
import dev.kindling.api.Tensor;
import dev.kindling.api.Torch;
import dev.kindling.nn.Module;
import dev.kindling.onnx.ExportOptions;
import dev.kindling.onnx.Onnx;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every layer of the contract and four composite models, exported at opsets 17, 18, 20 and 21 with dynamic batch
 * (and sequence) axes, run in ONNX Runtime (optimised and not) at sizes 1, 2, 3, 8 and 13 and compared with
 * Kindling's eager output: atol 1e-5, rtol 1e-4.
 */
@SuppressWarnings("try")
class OnnxRuntimeParityTest {
    private static final int[] SIZES = {1, 2, 3, 8, 13};

    @TestFactory
    List<DynamicTest> everyLayerMatchesOnnxRuntimeAtEveryOpsetAndSize() {
        List<DynamicTest> tests = new ArrayList<>();
        for (ExportModels.Case c : ExportModels.all()) {
            for (int opset : new int[] {17, 18, 20, 21}) {
                tests.add(DynamicTest.dynamicTest(c.name() + " @ opset " + opset, () -> check(c, opset)));
            }
        }
        return tests;
    }

    private static void check(ExportModels.Case c, int opset) throws Exception {
        Torch.manualSeed(7);
        Module m = c.model().get();
        m.eval();
        ExportOptions options = ExportOptions.builder().opset(opset).inputNames("x").outputNames("y")
                .dynamicAxes(Map.of("x", c.axes())).build();
        byte[] bytes = Onnx.toBytes(m, new Tensor[] {c.input().apply(2)}, options);
        for (boolean optimize : new boolean[] {true, false}) {
            try (Ort ort = new Ort(bytes, optimize)) {
                for (int n : SIZES) {
                    Tensor x = c.input().apply(n);
                    Tensor want;
                    try (GradMode ignored = Torch.noGrad()) {
                        want = m.forward(x);
                    }
                    Tensor got = ort.run(Map.of("x", x));
                    assertArrayEquals(want.shape(), got.shape(), c.name() + " at size " + n + ": shape");
                    double err = Compare.beyond(got, want, 1e-4, c.name() + " at size " + n);
                    assertTrue(err <= 1e-5, c.name() + " @ opset " + opset + (optimize ? "" : " (no optimisation)") + " at size " + n
                            + ": max |ORT - Kindling| beyond atol 1e-5 + rtol 1e-4 by " + err + " (shape " + Arrays.toString(x.shape()) + ")");
                }
            }
        }
    }
}
