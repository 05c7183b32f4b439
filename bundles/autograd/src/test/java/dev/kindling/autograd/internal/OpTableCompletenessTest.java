package dev.kindling.autograd.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kindling.autograd.OpFixtures;
import dev.kindling.kernel.ops.OpDef;
import dev.kindling.kernel.ops.Ops;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

/**
 * Every op of the table has what PyTorch's OpInfo and derivatives.yaml give each of its ops: a derivative row (when
 * differentiable) and values checked against PyTorch. (The gradcheck case is enforced by GradcheckAllOpsTest, the
 * schema declaration by the kernel's OpTableTest.)
 */
class OpTableCompletenessTest {
    /**
     * Fixture vocabulary (the Tensor method a case calls) -> the table ops that call exercises, where the names differ
     * beyond camelCase vs snake_case.
     */
    private static final Map<String, List<String>> FIXTURE_ALIASES = Map.ofEntries(
            Map.entry("max", List.of("max", "max_dim")),
            Map.entry("min", List.of("min", "min_dim")),
            Map.entry("clampMin", List.of("clamp")),
            Map.entry("clampMax", List.of("clamp")),
            Map.entry("to", List.of("_to_copy")),
            Map.entry("halfRoundTrip", List.of("_to_copy")),
            Map.entry("pad", List.of("constant_pad_nd")),
            Map.entry("narrow", List.of("slice")),
            Map.entry("get", List.of("select")),
            Map.entry("index", List.of("select", "slice", "unsqueeze")),
            Map.entry("indexTensor", List.of("index_select", "masked_select")),
            Map.entry("indexPut", List.of("copy_", "fill_")),
            Map.entry("flatten", List.of("reshape", "view")),
            Map.entry("split", List.of("slice")),
            Map.entry("chunk", List.of("slice")),
            Map.entry("contiguous", List.of("clone")),
            Map.entry("std", List.of("std", "var")),
            Map.entry("square", List.of("square", "pow")));

    /** Ops whose PyTorch values are checked elsewhere, with where. */
    private static final Map<String, String> CHECKED_ELSEWHERE = Map.ofEntries(
            Map.entry("im2col", "bundles/nn NnConformanceTest (conv1d/conv2d, F.unfold) and FoldUnfoldTest"),
            Map.entry("col2im", "bundles/nn NnConformanceTest (conv2d input gradients) and FoldUnfoldTest (F.fold)"),
            Map.entry("_amp_foreach_non_finite_check_and_unscale_", "bundles/amp UnscaleFixtureTest (PyTorch 2.x's CPU kernel, bit for bit)"),
            Map.entry("max_pool2d_with_indices", "bundles/nn NnConformanceTest (max_pool2d values and gradients)"),
            Map.entry("_conv2d_im2col", "bundles/nn NnConformanceTest (conv1d/conv2d values and gradients) and backends/cpu ConvColumnsTest"),
            Map.entry("_conv2d_backward_input", "bundles/nn NnConformanceTest (conv2d gradients), ConvGradientPathsTest and backends/cpu ConvColumnsTest"),
            Map.entry("_conv2d_columns_backward_weight", "bundles/nn NnConformanceTest (conv2d gradients), ConvGradientPathsTest and backends/cpu ConvColumnsTest"),
            Map.entry("max_pool2d_with_indices_backward", "bundles/nn NnConformanceTest (max_pool2d gradients) and FoldUnfoldTest (its own gradient)"),
            Map.entry("_autocast_linear", "bundles/amp AutocastPolicyTest (linear under autocast, PyTorch 2.x's values and dtypes) and AutocastFusionTest (bit for bit the casts and linear it fuses)"),
            Map.entry("_mm_at", "bundles/amp AutocastFusionTest (the gradients of _autocast_linear) and backends/cpu MatMulAtTest"),
            Map.entry("_fused_sgd_", "bundles/optim FusedStepsTest (bit for bit the ops it replaces) and OptimizerConformanceTest (SGD against PyTorch)"),
            Map.entry("_fused_adam_", "bundles/optim FusedStepsTest (bit for bit the ops it replaces) and OptimizerConformanceTest (Adam against PyTorch)"));

    @Test
    void everyDifferentiableOpHasADerivativeRow() {
        List<String> missing = new ArrayList<>();
        for (OpDef op : Ops.table().values()) {
            if (op.kind() == OpDef.Kind.DIFFERENTIABLE && Derivatives.get(op) == null) missing.add(op.name());
        }
        assertEquals(List.of(), missing, "differentiable ops without a row in Derivatives");
    }

    @Test
    void everyOpIsCheckedAgainstPyTorch() {
        Set<String> covered = new HashSet<>();
        for (OpFixtures.Case c : OpFixtures.all()) {
            covered.add(c.op());
            covered.add(snake(c.op()));
            covered.addAll(FIXTURE_ALIASES.getOrDefault(c.op(), List.of()));
        }
        List<String> missing = new ArrayList<>();
        for (OpDef op : Ops.table().values()) {
            String n = op.name();
            String base = op.isInPlace() && n.endsWith("_") ? n.substring(0, n.length() - 1) : n;
            boolean sharesBase = op.isInPlace() && Ops.table().containsKey(base);
            if (!covered.contains(n) && !(sharesBase && covered.contains(base)) && !CHECKED_ELSEWHERE.containsKey(n)) missing.add(n);
        }
        assertEquals(List.of(), missing, "ops with no PyTorch fixture: add their cases to generate_fixtures.py "
                + "(SCHEMA_OPS and gen_schema_ops) and regenerate ops.json");
    }

    private static String snake(String camel) { return camel.replaceAll("([a-z0-9])([A-Z])", "$1_$2").toLowerCase(java.util.Locale.ROOT); }
}
