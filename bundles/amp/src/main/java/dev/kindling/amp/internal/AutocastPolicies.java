package dev.kindling.amp.internal;

import java.util.Collections;
import java.util.HashMap;
import java.util.Map;

/**
 * The autocast policy table, per device type, beside the op table and the derivatives table: Kindling op name to
 * cast policy, from PyTorch 2.x's lists (aten/src/ATen/autocast_mode.cpp and .h; not Debian 1.13's, which are
 * older). An op that is not listed runs in whatever dtype its inputs have. PyTorch ops with no Kindling counterpart
 * are left out; Kindling's fused or functional forms of listed ops take their place (lstm_layer for the CPU's
 * mkldnn_rnn_layer).
 */
final class AutocastPolicies {
    private AutocastPolicies() {}

    private static final Map<String, Map<String, CastPolicy>> BY_DEVICE;

    static {
        Map<String, CastPolicy> cpu = new HashMap<>();
        put(cpu, CastPolicy.LOWER_PRECISION, "conv1d", "conv2d", "bmm", "mm", "baddbmm", "addmm", "linear", "matmul", "lstm_layer");
        put(cpu, CastPolicy.FP32, "mse_loss", "nll_loss", "l1_loss", "smooth_l1_loss", "huber_loss", "cross_entropy_loss", "binary_cross_entropy",
                "binary_cross_entropy_with_logits", "kl_div", "triplet_margin_loss", "cosine_embedding_loss", "prod", "trace", "inverse", "det", "linalg_det", "linalg_solve", "linalg_cholesky",
                "linalg_qr", "linalg_svd", "linalg_vector_norm", "linalg_matrix_norm");
        put(cpu, CastPolicy.PROMOTE, "stack", "cat");

        Map<String, CastPolicy> cuda = new HashMap<>();
        put(cuda, CastPolicy.LOWER_PRECISION, "conv1d", "conv2d", "addmm", "matmul", "einsum", "mm", "linear", "baddbmm", "bmm");
        put(cuda, CastPolicy.FP32, "acos", "asin", "cosh", "sinh", "tan", "exp", "expm1", "log", "log10", "log2", "log1p", "reciprocal",
                "rsqrt", "pow", "layer_norm", "nll_loss", "mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss", "binary_cross_entropy_with_logits",
                "kl_div", "triplet_margin_loss", "cosine_embedding_loss", "logsumexp", "norm");
        // PyTorch refuses it on CUDA: float16 cannot hold log(p) near 0 and 1 (use binary_cross_entropy_with_logits).
        put(cuda, CastPolicy.BANNED, "binary_cross_entropy");
        put(cuda, CastPolicy.FP32_SET_OPT_DTYPE, "prod", "softmax", "log_softmax", "cumprod", "cumsum", "linalg_vector_norm",
                "linalg_matrix_norm", "sum");
        put(cuda, CastPolicy.PROMOTE, "atan2", "dot", "scatter_add");

        BY_DEVICE = Map.of("cpu", Collections.unmodifiableMap(cpu), "cuda", Collections.unmodifiableMap(cuda));
    }

    private static void put(Map<String, CastPolicy> table, CastPolicy policy, String... ops) {
        for (String op : ops) {
            if (table.put(op, policy) != null) throw new IllegalStateException("autocast policy for '" + op + "' given twice");
        }
    }

    /** The policy for {@code op} on {@code deviceType}, or null when autocast leaves it alone. */
    static CastPolicy of(String deviceType, String op) {
        Map<String, CastPolicy> table = BY_DEVICE.get(deviceType);
        return table == null ? null : table.get(op);
    }

    /** The table of {@code deviceType} (for tests and {@code kindling:info}). */
    static Map<String, CastPolicy> table(String deviceType) { return BY_DEVICE.getOrDefault(deviceType, Map.of()); }
}
