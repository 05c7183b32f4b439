package dev.kindling.nn.functional;

import dev.kindling.api.Tensor;
import dev.kindling.kernel.ops.OpDef;
import dev.kindling.kernel.ops.Ops;

/**
 * nn's functionals as ops of the schema (tagged {@code functional} in native_functions.schema): each binds its name
 * to the family class that computes it, and {@link F} calls through them, so that dispatch layers see one
 * {@code conv2d} rather than its im2col and matmul (the tracer records one node; autograd records the ops inside).
 */
final class Functionals {
    private Functionals() {}

    static final OpDef LINEAR = Ops.functional("linear", (in, a) -> one(Convolutions.linear(in[0], in[1], in[2])));
    static final OpDef CONV1D = Ops.functional("conv1d", (in, a) -> one(Convolutions.conv1d(in[0], in[1], in[2],
            single(a.ints("stride"), "stride"), single(a.ints("padding"), "padding"), single(a.ints("dilation"), "dilation"), a.i("groups"))));
    static final OpDef CONV2D = Ops.functional("conv2d", (in, a) -> one(Convolutions.conv2d(in[0], in[1], in[2],
            a.ints("stride"), a.ints("padding"), a.ints("dilation"), a.i("groups"))));
    static final OpDef MAX_POOL2D = Ops.functional("max_pool2d", (in, a) -> one(Pooling.maxPool2d(in[0],
            a.ints("kernel_size"), a.ints("stride"), a.ints("padding"), a.ints("dilation"), a.b("ceil_mode"))));
    static final OpDef AVG_POOL2D = Ops.functional("avg_pool2d", (in, a) -> one(Pooling.avgPool2d(in[0],
            a.ints("kernel_size"), a.ints("stride"), a.ints("padding"), a.b("ceil_mode"), a.b("count_include_pad"),
            (Integer) a.get("divisor_override"))));
    static final OpDef ADAPTIVE_AVG_POOL2D = Ops.functional("adaptive_avg_pool2d",
            (in, a) -> one(Pooling.adaptiveAvgPool2d(in[0], a.ints("output_size"))));
    static final OpDef BATCH_NORM = Ops.functional("batch_norm", (in, a) -> one(Normalization.batchNorm(in[0], in[3], in[4], in[1], in[2],
            a.b("training"), a.d("momentum"), a.d("eps"))));
    static final OpDef LAYER_NORM = Ops.functional("layer_norm", (in, a) -> one(Normalization.layerNorm(in[0],
            a.longs("normalized_shape"), in[1], in[2], a.d("eps"))));
    static final OpDef DROPOUT = Ops.functional("dropout", (in, a) -> one(Normalization.dropout(in[0], a.d("p"), a.b("train"), null)));
    static final OpDef EMBEDDING = Ops.functional("embedding", (in, a) -> one(Embeddings.embedding(in[1], in[0], (Long) a.get("padding_idx"))));
    static final OpDef GELU = Ops.functional("gelu", (in, a) -> one(Activations.gelu(in[0], a.s("approximate"))));
    static final OpDef LEAKY_RELU = Ops.functional("leaky_relu", (in, a) -> one(Activations.leakyRelu(in[0], a.d("negative_slope"))));

    static final OpDef LSTM_LAYER = Ops.functional("lstm_layer", (in, a) -> Recurrent.layer(
            (gi, st, w, b) -> Recurrent.lstmStep(gi, st[0], st[1], w, b), in[0], new Tensor[] {in[1], in[2]}, Recurrent.weights(in, 3), Recurrent.weights(in, 7)));
    static final OpDef GRU_LAYER = Ops.functional("gru_layer", (in, a) -> Recurrent.layer(
            (gi, st, w, b) -> new Tensor[] {Recurrent.gruStep(gi, st[0], w, b)}, in[0], new Tensor[] {in[1]}, Recurrent.weights(in, 2), Recurrent.weights(in, 6)));
    static final OpDef RNN_LAYER = Ops.functional("rnn_layer", (in, a) -> {
        String nonlinearity = a.s("nonlinearity");
        return Recurrent.layer((gi, st, w, b) -> new Tensor[] {Recurrent.rnnStep(gi, st[0], w, b, nonlinearity)}, in[0], new Tensor[] {in[1]},
                Recurrent.weights(in, 2), Recurrent.weights(in, 6));
    });

    static final OpDef L1_LOSS = Ops.functional("l1_loss", (in, a) -> one(Losses.l1Loss(in[0], in[1], a.s("reduction"))));
    static final OpDef SMOOTH_L1_LOSS = Ops.functional("smooth_l1_loss", (in, a) -> one(Losses.smoothL1Loss(in[0], in[1], a.s("reduction"), a.d("beta"))));
    static final OpDef HUBER_LOSS = Ops.functional("huber_loss", (in, a) -> one(Losses.huberLoss(in[0], in[1], a.s("reduction"), a.d("delta"))));
    static final OpDef CROSS_ENTROPY_LOSS = Ops.functional("cross_entropy_loss", (in, a) -> one(Losses.crossEntropy(in[0], in[1], in[2],
            a.l("ignore_index"), a.s("reduction"), a.d("label_smoothing"))));
    static final OpDef BINARY_CROSS_ENTROPY = Ops.functional("binary_cross_entropy", (in, a) -> one(Losses.binaryCrossEntropy(in[0], in[1], in[2], a.s("reduction"))));
    static final OpDef BINARY_CROSS_ENTROPY_WITH_LOGITS = Ops.functional("binary_cross_entropy_with_logits",
            (in, a) -> one(Losses.binaryCrossEntropyWithLogits(in[0], in[1], in[2], a.s("reduction"), in[3])));
    static final OpDef KL_DIV = Ops.functional("kl_div", (in, a) -> one(Losses.klDiv(in[0], in[1], a.s("reduction"), a.b("log_target"))));
    static final OpDef TRIPLET_MARGIN_LOSS = Ops.functional("triplet_margin_loss", (in, a) -> one(Losses.tripletMarginLoss(in[0], in[1], in[2],
            a.d("margin"), a.d("p"), a.d("eps"), a.b("swap"), a.s("reduction"))));
    static final OpDef COSINE_EMBEDDING_LOSS = Ops.functional("cosine_embedding_loss", (in, a) -> one(Losses.cosineEmbeddingLoss(in[0], in[1], in[2],
            a.d("margin"), a.s("reduction"))));

    static final OpDef MULTI_HEAD_ATTENTION = Ops.functional("multi_head_attention", (in, a) -> Attention.multiHeadAttention(in[0], in[1], in[2],
            in[3], in[4], in[5], in[6], in[7], in[8], a.i("num_heads"), a.d("dropout_p"), a.b("training"), a.b("need_weights"),
            a.b("average_attn_weights"), a.b("batch_first")));

    /** Runs {@code op} on {@code inputs} (null for an absent optional tensor) with attributes in schema order. */
    static Tensor call(OpDef op, Tensor[] inputs, Object... attributes) { return op.call1(op.attrs(attributes), inputs); }

    /** Runs an op with several results. */
    static Tensor[] callAll(OpDef op, Tensor[] inputs, Object... attributes) { return op.call(inputs, op.attrs(attributes)); }

    private static Tensor[] one(Tensor t) { return new Tensor[] {t}; }

    private static int single(int[] values, String name) {
        if (values.length != 1) throw new IllegalArgumentException("conv1d " + name + " takes one value, got " + values.length);
        return values[0];
    }
}
