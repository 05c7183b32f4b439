package dev.kindling.onnx.export;

import dev.kindling.api.Tensor;
import dev.kindling.api.Torch;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** How far {@code got} is from {@code want} beyond a relative tolerance; NaN compared as equal where both have it. */
final class Compare {
    private Compare() {}

    /** max(|got - want| - rtol·|want|); fails when the two have NaN at different places (a fully masked attention row has it in both). */
    static double beyond(Tensor got, Tensor want, double rtol, String what) {
        Tensor nan = want.isnan();
        assertTrue(nan.equal(got.isnan()), what + ": NaN at different places");
        Tensor w = Torch.where(nan, Torch.zeros(want.shape()), want), g = Torch.where(nan, Torch.zeros(got.shape()), got);
        return g.sub(w).abs().sub(w.abs().mul(rtol)).max().item();
    }
}
