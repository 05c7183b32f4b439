package dev.kindling.onnx.internal.export;

import dev.kindling.api.DType;
import dev.kindling.jit.Graph;

import java.util.List;
import java.util.Map;

import static dev.kindling.onnx.internal.export.GraphWriter.attr;
import static dev.kindling.onnx.internal.export.GraphWriter.ints;

/**
 * Multi-head attention as the ops ONNX has at opsets 17-21 (Attention arrives only at 23; PyTorch's exporters write
 * the same pattern): the packed in-projection sliced into q/k/v MatMul+Add, heads split by Reshape/Transpose,
 * scaled scores, the masks made additive, Softmax, MatMul with v, heads merged, the output projection. Sizes of
 * dynamic axes are copied (Reshape 0) or inferred (-1), never baked in.
 */
final class AttentionEmitters {
    private AttentionEmitters() {}

    static void register(Map<String, Emitter> t) { t.put("multi_head_attention", AttentionEmitters::mha); }

    private static void mha(Graph.Node n, GraphWriter w) {
        List<Graph.Value> in = n.inputs();
        Graph.Value query = in.get(0), weight = in.get(3), bias = in.get(4), outW = in.get(5), outB = in.get(6), kpm = in.get(7), mask = in.get(8);
        Map<String, Object> a = n.attrs();
        if ((Boolean) a.get("training") && ((Number) a.get("dropout_p")).doubleValue() > 0) {
            throw w.unsupported("attention dropout in training mode: export the model in eval mode (model.eval())");
        }
        long heads = ((Number) a.get("num_heads")).longValue();
        long embed = (Long) weight.shape().get(1), headDim = embed / heads;
        boolean batched = query.rank() == 3, batchFirst = (Boolean) a.get("batch_first");
        DType dt = query.dtype();
        String q = seqFirst(w, w.in(query), batched, batchFirst), k = seqFirst(w, w.in(in.get(1)), batched, batchFirst),
                v = seqFirst(w, w.in(in.get(2)), batched, batchFirst);
        // [L, N, E] -> [N*heads, L, headDim]
        String qh = heads(w, project(w, q, w.in(weight), bias == null ? null : w.in(bias), 0, embed), headDim);
        String kh = heads(w, project(w, k, w.in(weight), bias == null ? null : w.in(bias), 1, embed), headDim);
        String vh = heads(w, project(w, v, w.in(weight), bias == null ? null : w.in(bias), 2, embed), headDim);
        String scores = w.op("MatMul", List.of(w.op("Div", List.of(qh, w.scalar(Math.sqrt(headDim), dt))), w.op("Transpose", List.of(kh), ints("perm", 0, 2, 1))));
        if (mask != null) scores = w.op("Add", List.of(scores, additive(w, mask, dt)));
        if (kpm != null) {
            // [N, S] -> [N, 1, 1, S] -> [N, heads, 1, S] -> [N*heads, 1, S]
            String m = additive(w, kpm, dt);
            if (!batched) m = w.op("Unsqueeze", List.of(m, w.int64s(0)));
            m = w.op("Expand", List.of(w.op("Unsqueeze", List.of(m, w.int64s(1, 2))), w.int64s(1, heads, 1, 1)));
            Object srcLen = kpm.shape().get(kpm.rank() - 1);
            scores = w.op("Add", List.of(scores, w.op("Reshape", List.of(m, w.sizes(new Object[] {-1L, 1L, srcLen})))));
        }
        String weights = w.op("Softmax", List.of(scores), attr("axis", -1));
        // [N*heads, L, headDim] -> [L, N*heads, headDim] -> [L, N, E]
        String merged = w.op("Reshape", List.of(w.op("Transpose", List.of(w.op("MatMul", List.of(weights, vh))), ints("perm", 1, 0, 2)), w.int64s(0, -1, embed)));
        String out = w.op("MatMul", List.of(merged, w.op("Transpose", List.of(w.in(outW)), ints("perm", 1, 0))));
        if (outB != null) out = w.op("Add", List.of(out, w.in(outB)));
        if (!batched) out = w.op("Squeeze", List.of(out, w.int64s(1)));
        else if (batchFirst) out = w.op("Transpose", List.of(out), ints("perm", 1, 0, 2));
        w.node("Identity", List.of(out), List.of(w.out(0)));
        if (n.outputs().get(1) == null) return;
        // weights [N*heads, L, S] -> [N, heads, L, S], averaged over heads when asked; unbatched drops N
        Graph.Value wv = n.outputs().get(1);
        Object tgt = batched || !(Boolean) a.get("average_attn_weights") ? wv.shape().get(wv.rank() - 2) : wv.shape().get(0);
        Object src = wv.shape().get(wv.rank() - 1);
        String perHead = w.op("Reshape", List.of(weights, w.sizes(new Object[] {-1L, heads, tgt, src})));
        String result = (Boolean) a.get("average_attn_weights")
                ? ReductionEmitters.reduceTo(n, w, "ReduceMean", perHead, new long[] {1}, false, w.fresh("mean")) : perHead;
        if (!batched) result = w.op("Squeeze", List.of(result, w.int64s(0)));
        w.node("Identity", List.of(result), List.of(w.out(1)));
    }

    /** [L, N, E] from a batch-first or unbatched input. */
    private static String seqFirst(GraphWriter w, String x, boolean batched, boolean batchFirst) {
        if (!batched) return w.op("Unsqueeze", List.of(x, w.int64s(1)));
        return batchFirst ? w.op("Transpose", List.of(x), ints("perm", 1, 0, 2)) : x;
    }

    /** x·W_partᵀ + b_part, part 0/1/2 of the packed [3E, E] projection. */
    private static String project(GraphWriter w, String x, String weight, String bias, int part, long embed) {
        String wp = w.op("Slice", List.of(weight, w.int64s(part * embed), w.int64s((part + 1) * embed), w.int64s(0)));
        String y = w.op("MatMul", List.of(x, w.op("Transpose", List.of(wp), ints("perm", 1, 0))));
        if (bias == null) return y;
        return w.op("Add", List.of(y, w.op("Slice", List.of(bias, w.int64s(part * embed), w.int64s((part + 1) * embed), w.int64s(0)))));
    }

    /** [L, N, E] -> [N*heads, L, headDim]. */
    private static String heads(GraphWriter w, String x, long headDim) {
        return w.op("Transpose", List.of(w.op("Reshape", List.of(x, w.int64s(0, -1, headDim)))), ints("perm", 1, 0, 2));
    }

    /** A boolean mask (true = masked) as -inf/0, a float mask as it is. */
    private static String additive(GraphWriter w, Graph.Value mask, DType dt) {
        if (mask.dtype() == DType.BOOL) {
            return w.op("Where", List.of(w.in(mask), w.scalar(Double.NEGATIVE_INFINITY, dt), w.scalar(0, dt)));
        }
        return w.as(mask, dt);
    }
}
