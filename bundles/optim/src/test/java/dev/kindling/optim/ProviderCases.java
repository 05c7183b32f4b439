package dev.kindling.optim;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kindling.api.Tensor;

import java.util.function.BiFunction;

/** Lets tests in other packages run a fixture case with an optimizer of their making. */
public final class ProviderCases {
    private ProviderCases() {}

    public static void check(JsonNode c, BiFunction<Tensor, Tensor, Optimizer> factory) {
        OptimizerConformanceTest.check(c, factory);
    }
}
