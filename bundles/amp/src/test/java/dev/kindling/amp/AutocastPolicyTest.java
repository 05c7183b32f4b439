package dev.kindling.amp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kindling.api.AutocastMode;
import dev.kindling.api.DType;
import dev.kindling.api.Device;
import dev.kindling.api.Tensor;
import dev.kindling.api.Torch;
import dev.kindling.nn.functional.F;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Output dtypes under CPU autocast (bfloat16 and float16) equal PyTorch 2.13's for the ops of the policy table and
 * for unlisted ops that keep their input's dtype; values agree within one unit in the last place of the result's
 * dtype (made by src/test/python/generate_autocast_fixtures.py).
 */
class AutocastPolicyTest {
    /** The Kindling call for each fixture case: inputs as the fixture lists them; {@code low} the autocast dtype. */
    private static final Map<String, Function<Call, Tensor>> CALLS = Map.ofEntries(
            Map.entry("linear", c -> F.linear(c.in(0), c.in(1), c.in(2))),
            Map.entry("mm", c -> c.in(0).mm(c.in(1))),
            Map.entry("matmul", c -> c.in(0).matmul(c.in(1))),
            Map.entry("bmm", c -> c.in(0).bmm(c.in(1))),
            Map.entry("addmm", c -> c.in(0).addmm(c.in(1), c.in(2))),
            Map.entry("baddbmm", c -> c.in(0).baddbmm(c.in(1), c.in(2))),
            Map.entry("conv2d", c -> F.conv2d(c.in(0), c.in(1), null, 1, 1)),
            Map.entry("conv1d", c -> F.conv1d(c.in(0), c.in(1))),
            Map.entry("mse_loss", c -> F.mseLoss(c.low(0), c.in(1))),
            Map.entry("nll_loss", c -> F.nllLoss(c.in(0).logSoftmax(1).to(c.low), Torch.tensor(new long[] {1, 0, 4, 2}))),
            Map.entry("prod", c -> c.low(0).prod()),
            Map.entry("inverse", c -> c.low(0).inverse()),
            Map.entry("cat_promote", c -> Torch.cat(List.of(c.in(0), c.low(0)), 0)),
            Map.entry("stack_low", c -> Torch.stack(List.of(c.low(0), c.low(0)), 0)),
            Map.entry("relu_keeps", c -> c.low(0).relu()),
            Map.entry("softmax_keeps", c -> c.low(0).softmax(1)),
            Map.entry("sum_keeps", c -> c.low(0).sum()),
            Map.entry("exp_keeps", c -> c.low(0).exp()),
            Map.entry("layer_norm_keeps", c -> F.layerNorm(c.low(0), new long[] {5})),
            Map.entry("add_promotes_natively", c -> c.in(0).add(c.low(0))),
            Map.entry("mm_float64_untouched", c -> c.in(0).toDouble().mm(c.in(1).toDouble())),
            Map.entry("l1_loss", c -> F.l1Loss(c.low(0), c.in(1))),
            Map.entry("smooth_l1_loss", c -> F.smoothL1Loss(c.low(0), c.in(1))),
            Map.entry("cross_entropy", c -> F.crossEntropy(c.low(0), Torch.tensor(new long[] {1, 0, 4, 2}))),
            Map.entry("bce_with_logits", c -> F.binaryCrossEntropyWithLogits(c.low(0), Torch.ones(4, 5))),
            Map.entry("kl_div", c -> F.klDiv(c.in(0).logSoftmax(1).to(c.low), Torch.full(new long[] {4, 5}, 0.2), "batchmean", false)));

    private record Call(List<Tensor> inputs, DType low) {
        Tensor in(int i) { return inputs.get(i); }

        Tensor low(int i) { return inputs.get(i).to(low); }
    }

    private static Tensor tensor(JsonNode t) {
        long[] shape = new long[t.get("shape").size()];
        for (int i = 0; i < shape.length; i++) shape[i] = t.get("shape").get(i).asLong();
        float[] data = new float[t.get("data").size()];
        for (int i = 0; i < data.length; i++) data[i] = (float) t.get("data").get(i).asDouble();
        return Torch.tensor(data, shape);
    }

    /** One unit in the last place of {@code v} in {@code dtype}. */
    static double ulp(double v, DType dtype) {
        int mantissa = dtype == DType.BFLOAT16 ? 7 : dtype == DType.FLOAT16 ? 10 : dtype == DType.FLOAT32 ? 23 : 52;
        double a = Math.abs(v);
        int exp = a == 0 ? -126 : Math.getExponent(a);
        if (dtype == DType.FLOAT16) exp = Math.max(exp, -14);
        return Math.scalb(1.0, exp - mantissa);
    }

    @TestFactory
    List<DynamicTest> dtypesAndValuesMatchPyTorch2() throws IOException {
        JsonNode fx;
        try (InputStream in = AutocastPolicyTest.class.getResourceAsStream("/autocast_cpu.json")) {
            fx = new ObjectMapper().readTree(in);
        }
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode c : fx.get("cases")) {
            String name = c.get("name").asText();
            DType low = DType.valueOf(c.get("autocast_dtype").asText().toUpperCase(java.util.Locale.ROOT));
            tests.add(DynamicTest.dynamicTest(name + " under autocast(cpu, " + low.torchName() + ")", () -> {
                Function<Call, Tensor> call = CALLS.get(name);
                assertTrue(call != null, "no Kindling call for fixture case " + name);
                List<Tensor> inputs = new ArrayList<>();
                for (JsonNode t : c.get("inputs")) inputs.add(tensor(t));
                Tensor got;
                try (AutocastMode ac = Torch.autocast(Device.CPU, low)) {
                    got = call.apply(new Call(inputs, low));
                }
                JsonNode want = c.get("expected");
                DType wantType = DType.valueOf(want.get("dtype").asText().toUpperCase(java.util.Locale.ROOT));
                assertEquals(wantType, got.dtype(), name + ": dtype");
                Tensor expected = tensor(want);
                assertArrayEquals(expected.shape(), got.shape(), name + ": shape");
                float[] g = got.to(DType.FLOAT32).toFloatArray(), e = expected.toFloatArray();
                double worst = 0;
                for (int i = 0; i < g.length; i++) {
                    double units = Math.abs(g[i] - e[i]) / ulp(Math.max(Math.abs(g[i]), Math.abs(e[i])), wantType);
                    worst = Math.max(worst, units);
                }
                double allowed = wantType == DType.FLOAT32 || wantType == DType.FLOAT64 ? 64 : 1;
                assertTrue(worst <= allowed, name + ": " + worst + " units in the last place of " + wantType.torchName() + " from PyTorch (allowed " + allowed + ")");
            }));
        }
        return tests;
    }
}
