package dev.kindling.onnx.internal.load.ops;

import dev.kindling.api.DType;
import dev.kindling.api.Tensor;
import dev.kindling.api.Torch;
import dev.kindling.onnx.internal.load.OpContext;
import dev.kindling.onnx.internal.load.OpTable;

import java.util.Arrays;

import static dev.kindling.onnx.internal.load.ops.Util.one;

/** The transformer ops of opset 23+: Attention (with masks, causal/sliding windows, KV cache, GQA) and RotaryEmbedding. */
public final class AttentionOps {
    private AttentionOps() {}

    public static void register(OpTable t) {
        t.put("Attention", AttentionOps::attention);
        t.put("RotaryEmbedding", AttentionOps::rotary);
    }

    /** [B, S, heads * D] to [B, heads, S, D]. */
    private static Tensor heads(OpContext c, Tensor x, long heads, String what) {
        if (heads <= 0 || x.size(2) % heads != 0) throw c.error(what + " of width " + x.size(2) + " does not split into " + heads + " heads");
        return x.reshape(x.size(0), x.size(1), heads, x.size(2) / heads).transpose(1, 2);
    }

    private static Tensor[] attention(OpContext c) {
        Tensor q = c.in(0), k = c.in(1), v = c.in(2), mask = c.opt(3), pastK = c.opt(4), pastV = c.opt(5), nonpad = c.opt(6);
        boolean flat = q.dim() == 3;
        if (q.dim() != k.dim() || q.dim() != v.dim() || (q.dim() != 3 && q.dim() != 4)) throw c.error("Q, K and V must all be 3-D or all 4-D");
        if ((pastK == null) != (pastV == null)) throw c.error("past_key and past_value come together");
        if (flat) {
            q = heads(c, q, c.i("q_num_heads", 0), "Q");
            k = heads(c, k, c.i("kv_num_heads", 0), "K");
            v = heads(c, v, c.i("kv_num_heads", 0), "V");
        }
        double scale = c.has("scale") ? c.f("scale", 1f) : 1 / Math.sqrt(q.size(3));
        Tensor presentK = pastK == null ? k : Torch.cat(2, pastK, k), presentV = pastV == null ? v : Torch.cat(2, pastV, v);
        long sq = q.size(2), skv = presentK.size(2), batch = q.size(0);
        DType dt = q.dtype();

        // the additive bias: 0 where a query may attend a key, -inf where not
        Tensor bias = Torch.zeros(new long[] {sq, skv}, dt, q.device());
        if (mask != null) {
            long missing = skv - mask.size(mask.dim() - 1);
            if (missing > 0) mask = Util.padDim(mask, mask.dim() - 1, 0, missing, mask.dtype().isBool() ? 0 : Double.NEGATIVE_INFINITY);
            if (mask.dtype().isBool()) mask = Torch.zeros(mask.shape(), dt, q.device()).where(mask, Double.NEGATIVE_INFINITY);
            bias = bias.add(mask.to(dt));
        }
        // the causal/window frontier is aligned bottom-right: query i sits at key position i + offset
        Tensor offset = nonpad != null && pastK == null
                ? nonpad.toLong().reshape(-1, 1, 1).sub(sq)
                : OpContext.longsLike(new long[] {pastK == null ? 0 : pastK.size(2)}, q, 1, 1, 1);
        Tensor i = Torch.arange(sq).reshape(1, sq, 1).to(q.device()), j = Torch.arange(skv).reshape(1, 1, skv).to(q.device());
        Tensor diff = i.add(offset).sub(j); // [b or 1, sq, skv]
        Tensor allowed = null;
        if (c.i("is_causal", 0) != 0) allowed = diff.ge(0.0);
        long left = c.i("left_window_size", -1), right = c.i("right_window_size", -1);
        if (left >= 0) allowed = and(allowed, diff.le((double) left));
        if (right >= 0) allowed = and(allowed, diff.neg().le((double) right));
        if (allowed != null) bias = bias.add(block(allowed, dt).unsqueeze(1));
        if (nonpad != null) {
            Tensor keep = Torch.arange(skv).reshape(1, skv).to(q.device()).lt(nonpad.toLong().reshape(-1, 1));
            bias = bias.add(block(keep, dt).reshape(batch, 1, 1, skv));
        }

        long qh = q.size(1), kh = presentK.size(1);
        Tensor kk = presentK, vv = presentV;
        if (qh != kh) {
            // grouped-query attention: each K/V head serves qh / kh query heads
            if (qh % kh != 0) throw c.error(qh + " query heads cannot share " + kh + " key/value heads");
            kk = repeatHeads(kk, qh / kh);
            vv = repeatHeads(vv, qh / kh);
        }
        Tensor qk = q.matmul(kk.transpose(2, 3)).mul(scale);
        double softcap = c.f("softcap", 0f);
        if (softcap > 0) qk = qk.div(softcap).tanh().mul(softcap);
        Tensor withBias = qk.add(bias);
        long mode = c.i("qk_matmul_output_mode", 0);
        Tensor scores = c.has("softmax_precision") ? withBias.to(Util.dtype(c, c.i("softmax_precision", 1))) : withBias;
        Tensor probs = safeSoftmax(scores, bias);
        Tensor qkOut = mode == 2 ? withBias : mode == 3 ? probs : qk;
        Tensor y = probs.to(dt).matmul(vv);
        if (flat) y = y.transpose(1, 2).reshape(batch, sq, -1);
        return new Tensor[] {y, presentK, presentV, qkOut.to(dt)};
    }

    private static Tensor and(Tensor a, Tensor b) { return a == null ? b : a.logicalAnd(b); }

    /** 0 where {@code allowed}, -inf elsewhere. */
    private static Tensor block(Tensor allowed, DType dt) {
        return Torch.zeros(allowed.shape(), dt, allowed.device()).where(allowed, Double.NEGATIVE_INFINITY);
    }

    private static Tensor repeatHeads(Tensor x, long reps) {
        long b = x.size(0), h = x.size(1), s = x.size(2), d = x.size(3);
        return x.unsqueeze(2).expand(b, h, reps, s, d).reshape(b, h * reps, s, d);
    }

    /** Softmax over the last axis where a row masked everywhere gives zeros, not NaN. */
    private static Tensor safeSoftmax(Tensor x, Tensor bias) {
        Tensor m = x.amax(new int[] {-1}, true).detach();
        Tensor rowMax = m.where(m.isfinite(), 0.0);
        Tensor e = x.sub(rowMax).exp();
        Tensor s = e.sum(new int[] {-1}, true);
        Tensor p = e.div(s.where(s.ne(0.0), 1.0));
        Tensor biasMax = bias.amax(new int[] {-1}, true);
        Tensor masked = biasMax.isinf().logicalAnd(biasMax.lt(0.0));
        return p.where(masked.logicalNot(), 0.0);
    }

    private static Tensor[] rotary(OpContext c) {
        Tensor x = c.in(0), cos = c.in(1), sin = c.in(2), pos = c.opt(3);
        long[] shape = x.shape();
        Tensor h; // [B, S, heads, D]
        if (x.dim() == 4) {
            h = x.transpose(1, 2);
        } else if (x.dim() == 3) {
            long heads = c.i("num_heads", 0);
            if (heads <= 0 || shape[2] % heads != 0) throw c.error("num_heads " + heads + " does not divide the hidden size " + shape[2]);
            h = x.reshape(shape[0], shape[1], heads, shape[2] / heads);
        } else {
            throw c.error("input must be 3-D or 4-D, got " + Arrays.toString(shape));
        }
        long d = h.size(3), rot = c.i("rotary_embedding_dim", 0);
        if (rot == 0) rot = d;
        if (rot > d || rot % 2 != 0) throw c.error("rotary_embedding_dim " + rot + " must be even and at most the head size " + d);
        if (pos != null) {
            Tensor p = IndexOps.positive(c, pos, cos.size(0));
            long[] ps = p.shape();
            cos = cos.indexSelect(0, p.reshape(-1)).reshape(ps[0], ps[1], -1);
            sin = sin.indexSelect(0, p.reshape(-1)).reshape(ps[0], ps[1], -1);
        }
        if (cos.size(cos.dim() - 1) != rot / 2 || sin.size(sin.dim() - 1) != rot / 2) throw c.error("the caches' last dim must be rotary_embedding_dim / 2 = " + rot / 2);
        cos = cos.unsqueeze(cos.dim() - 1);
        sin = sin.unsqueeze(sin.dim() - 1);
        Tensor part = h.narrow(3, 0, rot), rest = h.narrow(3, rot, d - rot);
        boolean interleaved = c.i("interleaved", 0) != 0;
        Tensor x1 = interleaved ? part.slice(3, 0, rot, 2) : part.narrow(3, 0, rot / 2);
        Tensor x2 = interleaved ? part.slice(3, 1, rot, 2) : part.narrow(3, rot / 2, rot / 2);
        Tensor re = cos.mul(x1).sub(sin.mul(x2)), im = sin.mul(x1).add(cos.mul(x2));
        Tensor rotated = interleaved ? Torch.stack(4, re, im).reshape(part.shape()) : Torch.cat(3, re, im);
        Tensor out = Torch.cat(3, rotated, rest);
        return one(x.dim() == 4 ? out.transpose(1, 2) : out.reshape(shape));
    }
}
