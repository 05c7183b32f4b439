package dev.kindling.amp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kindling.api.Tensor;
import dev.kindling.api.Torch;
import dev.kindling.optim.SGD;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** GradScaler against PyTorch 2.13's on a scripted run with injected inf, NaN and an overflowing scaled gradient. */
class GradScalerTest {
    private static JsonNode fixture() throws IOException {
        try (InputStream in = GradScalerTest.class.getResourceAsStream("/grad_scaler_run.json")) {
            return new ObjectMapper().readTree(in);
        }
    }

    private static float value(JsonNode v) {
        if (v.isNumber()) return (float) v.asDouble();
        switch (v.asText()) {
            case "inf": return Float.POSITIVE_INFINITY;
            case "-inf": return Float.NEGATIVE_INFINITY;
            case "nan": return Float.NaN;
            default: throw new IllegalArgumentException(v.toString());
        }
    }

    private static float[] floats(JsonNode a) {
        float[] f = new float[a.size()];
        for (int i = 0; i < f.length; i++) f[i] = value(a.get(i));
        return f;
    }

    @Test
    void scalesSkippedStepsAndParametersEqualPyTorchs() throws IOException {
        JsonNode fx = fixture();
        Tensor p = Torch.tensor(floats(fx.get("p0"))).requiresGrad_(true);
        SGD opt = new SGD(List.of(p), fx.get("lr").asDouble());
        GradScaler scaler = GradScaler.builder().initScale(fx.get("init_scale").asDouble()).growthFactor(fx.get("growth_factor").asDouble())
                .backoffFactor(fx.get("backoff_factor").asDouble()).growthInterval(fx.get("growth_interval").asInt()).build();
        int i = 0;
        for (JsonNode step : fx.get("steps")) {
            opt.zeroGrad();
            Tensor loss = p.mul(Torch.tensor(floats(step.get("x")))).sum();
            scaler.scale(loss).backward();
            scaler.step(opt);
            assertEquals(step.get("skipped").asBoolean(), scaler.stepSkipped(opt), "step " + i + " skipped");
            scaler.update();
            assertEquals(step.get("scale").asDouble(), scaler.getScale(), 0.0, "scale after step " + i);
            assertEquals(step.get("growth_tracker").asInt(), scaler.stateDict().get("_growth_tracker"), "growth tracker after step " + i);
            assertArrayEquals(floats(step.get("p")), p.toFloatArray(), 1e-6f, "parameters after step " + i);
            i++;
        }
        Map<String, Object> sd = scaler.stateDict();
        assertEquals(List.of("scale", "growth_factor", "backoff_factor", "growth_interval", "_growth_tracker"), List.copyOf(sd.keySet()));
        JsonNode want = fx.get("state_dict");
        for (String k : sd.keySet()) assertEquals(want.get(k).asDouble(), ((Number) sd.get(k)).doubleValue(), 0.0, k);
        GradScaler restored = new GradScaler();
        restored.loadStateDict(sd);
        assertEquals(sd, restored.stateDict());
    }

    @Test
    void stagesAreCheckedAsPyTorchChecksThem() {
        Tensor p = Torch.tensor(new float[] {1, 2}).requiresGrad_(true);
        SGD opt = new SGD(List.of(p), 0.1);
        GradScaler scaler = new GradScaler();
        scaler.scale(p.sum()).backward();
        scaler.unscale_(opt);
        assertArrayEquals(new float[] {1, 1}, p.grad().toFloatArray(), "gradients are unscaled in place");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> scaler.unscale_(opt));
        assertTrue(e.getMessage().contains("unscale_() has already been called on this optimizer since the last update()"));
        scaler.step(opt);
        assertThrows(IllegalStateException.class, () -> scaler.step(opt), "step() has already been called since the last update().");
        assertThrows(IllegalStateException.class, () -> scaler.unscale_(opt));
        scaler.update();
        assertThrows(IllegalStateException.class, scaler::update, "No inf checks were recorded prior to update.");
        GradScaler off = GradScaler.builder().enabled(false).build();
        assertEquals(Map.of(), off.stateDict());
        assertEquals(1.0, off.getScale());
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () -> new GradScaler().loadStateDict(Map.of()));
        assertTrue(bad.getMessage().contains("saved from a disabled instance"));
        assertThrows(IllegalArgumentException.class, () -> GradScaler.builder().growthFactor(1.0).build());
        assertThrows(IllegalArgumentException.class, () -> GradScaler.builder().backoffFactor(1.0).build());
    }
}
