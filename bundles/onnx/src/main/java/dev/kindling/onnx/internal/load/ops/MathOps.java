package dev.kindling.onnx.internal.load.ops;

import dev.kindling.api.Tensor;
import dev.kindling.api.Torch;
import dev.kindling.onnx.internal.load.OpContext;
import dev.kindling.onnx.internal.load.OpTable;

import java.util.function.BiFunction;

import static dev.kindling.onnx.internal.load.ops.Util.one;

/** Matrix products, Einsum, Softmax-like normalisations, cumulative sums, triangles. */
public final class MathOps {
    private MathOps() {}

    public static void register(OpTable t) {
        t.put("MatMul", c -> one(c.in(0).matmul(c.in(1))));
        t.put("Gemm", MathOps::gemm);
        t.put("Einsum", c -> {
            Tensor[] ops = c.all();
            return one(Torch.einsum(expandEllipsis(c, c.s("equation", "").replace(" ", ""), ops), ops));
        });
        t.put("Det", c -> one(c.in(0).det()));
        t.put("Trilu", c -> {
            long k = c.opt(1) == null ? 0 : (long) c.scalar(1, 0);
            return one(c.i("upper", 1) != 0 ? c.in(0).triu(k) : c.in(0).tril(k));
        });
        t.put("CumSum", c -> cumulative(c, false));
        t.put("CumProd", c -> cumulative(c, true));
        t.put("Softmax", c -> one(softmaxLike(c, Tensor::softmax)));
        t.put("LogSoftmax", c -> one(softmaxLike(c, Tensor::logSoftmax)));
        t.put("Hardmax", c -> one(softmaxLike(c, (x, d) -> {
            Tensor idx = x.argmax(d, true);
            return Torch.zerosLike(x).scatter(d, idx, 1.0);
        })));
    }

    /**
     * Kindling's einsum takes letters only: each {@code ...} becomes fresh letters, as many as that operand's
     * broadcast dims (right-aligned, numpy style); an implicit output is the ellipsis then the letters seen once.
     */
    static String expandEllipsis(OpContext c, String eq, Tensor[] ops) {
        if (!eq.contains(".")) return eq;
        int arrow = eq.indexOf("->");
        String lhs = arrow < 0 ? eq : eq.substring(0, arrow), rhs = arrow < 0 ? null : eq.substring(arrow + 2);
        String[] terms = lhs.split(",", -1);
        if (terms.length != ops.length) throw c.error("equation '" + eq + "' has " + terms.length + " operands, the node " + ops.length);
        int max = 0;
        int[] count = new int[terms.length];
        for (int i = 0; i < terms.length; i++) {
            if (!terms[i].contains("...")) continue;
            count[i] = ops[i].dim() - terms[i].replace("...", "").length();
            if (count[i] < 0) throw c.error("operand " + i + " of rank " + ops[i].dim() + " has fewer dims than '" + terms[i] + "' names");
            max = Math.max(max, count[i]);
        }
        StringBuilder fresh = new StringBuilder();
        for (char ch = 'A'; fresh.length() < max && ch <= 'z'; ch++) {
            if (Character.isLetter(ch) && eq.indexOf(ch) < 0) fresh.append(ch);
        }
        if (fresh.length() < max) throw c.error("equation '" + eq + "' leaves too few letters for its ellipsis");
        String ell = fresh.toString();
        java.util.Map<Character, Integer> seen = new java.util.TreeMap<>();
        for (int i = 0; i < terms.length; i++) {
            for (char ch : terms[i].replace("...", "").toCharArray()) seen.merge(ch, 1, Integer::sum);
            terms[i] = terms[i].replace("...", ell.substring(max - count[i]));
        }
        if (rhs == null) {
            StringBuilder implicit = new StringBuilder(ell);
            seen.forEach((ch, n) -> { if (n == 1) implicit.append(ch); });
            rhs = implicit.toString();
        } else {
            rhs = rhs.replace("...", ell);
        }
        return String.join(",", terms) + "->" + rhs;
    }

    private static Tensor[] gemm(OpContext c) {
        Tensor a = c.in(0), b = c.in(1);
        if (c.i("transA", 0) != 0) a = a.t();
        if (c.i("transB", 0) != 0) b = b.t();
        Tensor y = a.mm(b);
        double alpha = c.f("alpha", 1f), beta = c.f("beta", 1f);
        if (alpha != 1) y = y.mul(alpha);
        Tensor bias = c.opt(2);
        if (bias != null && beta != 0) y = y.add(beta == 1 ? bias : bias.mul(beta));
        return one(y);
    }

    /**
     * Softmax, LogSoftmax, Hardmax: from opset 13 along one axis (default -1); before, the input is coerced to 2-D
     * at {@code axis} (default 1) and normalised over the whole second part.
     */
    private static Tensor softmaxLike(OpContext c, BiFunction<Tensor, Integer, Tensor> f) {
        Tensor x = c.in(0);
        int rank = x.dim();
        if (c.opset() >= 13) return f.apply(x, rank == 0 ? 0 : c.axis(c.i("axis", -1), rank));
        int axis = c.axis(c.i("axis", 1), rank);
        long[] shape = x.shape();
        Tensor flat = x.reshape(Util.prod(shape, 0, axis), Util.prod(shape, axis, rank));
        return f.apply(flat, 1).reshape(shape);
    }

    private static Tensor[] cumulative(OpContext c, boolean product) {
        Tensor x = c.in(0);
        int axis = c.axis((long) c.scalar(1, 0), x.dim());
        boolean reverse = c.i("reverse", 0) != 0, exclusive = c.i("exclusive", 0) != 0;
        Tensor y = reverse ? x.flip(axis) : x;
        Tensor s = (product ? y.cumprod(axis) : y.cumsum(axis)).to(x.dtype());
        if (exclusive) {
            // shift by one along the axis, starting from the identity
            long n = x.size(axis);
            s = Util.padDim(s.narrow(axis, 0, Math.max(n - 1, 0)), axis, n > 0 ? 1 : 0, 0, product ? 1.0 : 0.0);
        }
        return one(reverse ? s.flip(axis) : s);
    }
}
