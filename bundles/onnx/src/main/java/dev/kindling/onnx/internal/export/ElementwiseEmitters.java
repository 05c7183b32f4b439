package dev.kindling.onnx.internal.export;

import dev.kindling.api.DType;
import dev.kindling.jit.Graph;
import dev.kindling.kernel.ops.Promotion;

import java.util.List;
import java.util.Map;

import static dev.kindling.onnx.internal.export.GraphWriter.attr;

/** Elementwise ops: unary math, arithmetic with PyTorch's type promotion made explicit (Cast), comparisons, where, clamp. */
final class ElementwiseEmitters {
    private ElementwiseEmitters() {}

    static void register(Map<String, Emitter> t) {
        String[][] direct = {
            {"neg", "Neg"}, {"abs", "Abs"}, {"sign", "Sign"}, {"exp", "Exp"}, {"log", "Log"}, {"sqrt", "Sqrt"}, {"sin", "Sin"},
            {"cos", "Cos"}, {"tan", "Tan"}, {"asin", "Asin"}, {"acos", "Acos"}, {"atan", "Atan"}, {"sinh", "Sinh"}, {"cosh", "Cosh"},
            {"tanh", "Tanh"}, {"sigmoid", "Sigmoid"}, {"relu", "Relu"}, {"erf", "Erf"}, {"floor", "Floor"}, {"ceil", "Ceil"},
            {"round", "Round"}, {"reciprocal", "Reciprocal"},
        };
        for (String[] d : direct) t.put(d[0], (n, w) -> w.result(d[1], List.of(arg(n, w, 0))));
        t.put("exp2", (n, w) -> w.result("Pow", List.of(w.scalar(2, out(n)), arg(n, w, 0))));
        t.put("expm1", (n, w) -> w.result("Sub", List.of(w.op("Exp", List.of(arg(n, w, 0))), w.scalar(1, out(n)))));
        t.put("log2", (n, w) -> w.result("Div", List.of(w.op("Log", List.of(arg(n, w, 0))), w.scalar(Math.log(2), out(n)))));
        t.put("log10", (n, w) -> w.result("Div", List.of(w.op("Log", List.of(arg(n, w, 0))), w.scalar(Math.log(10), out(n)))));
        t.put("log1p", (n, w) -> w.result("Log", List.of(w.op("Add", List.of(arg(n, w, 0), w.scalar(1, out(n)))))));
        t.put("rsqrt", (n, w) -> w.result("Reciprocal", List.of(w.op("Sqrt", List.of(arg(n, w, 0))))));
        t.put("square", (n, w) -> { String x = arg(n, w, 0); w.result("Mul", List.of(x, x)); });
        t.put("trunc", (n, w) -> {
            String x = arg(n, w, 0);
            if (!out(n).isFloatingPoint()) { w.result("Identity", List.of(x)); return; }
            w.result("Mul", List.of(w.op("Sign", List.of(x)), w.op("Floor", List.of(w.op("Abs", List.of(x))))));
        });
        t.put("logical_not", (n, w) -> w.result("Not", List.of(w.as(n.inputs().get(0), DType.BOOL))));
        t.put("isnan", (n, w) -> w.result("IsNaN", List.of(w.in(n.inputs().get(0)))));
        t.put("isinf", (n, w) -> w.result("IsInf", List.of(w.in(n.inputs().get(0)))));
        t.put("isfinite", (n, w) -> {
            String x = w.in(n.inputs().get(0));
            w.result("Not", List.of(w.op("Or", List.of(w.op("IsInf", List.of(x)), w.op("IsNaN", List.of(x))))));
        });

        t.put("add", (n, w) -> w.result("Add", List.of(arg(n, w, 0), scaled(n, w))));
        t.put("sub", (n, w) -> w.result("Sub", List.of(arg(n, w, 0), scaled(n, w))));
        t.put("mul", (n, w) -> w.result("Mul", List.of(arg(n, w, 0), arg(n, w, 1))));
        t.put("div", (n, w) -> w.result("Div", List.of(arg(n, w, 0), arg(n, w, 1))));
        t.put("pow", (n, w) -> w.result("Pow", List.of(arg(n, w, 0), arg(n, w, 1))));
        t.put("maximum", (n, w) -> w.result("Max", List.of(arg(n, w, 0), arg(n, w, 1))));
        t.put("minimum", (n, w) -> w.result("Min", List.of(arg(n, w, 0), arg(n, w, 1))));
        t.put("remainder", (n, w) -> {
            String a = arg(n, w, 0), b = arg(n, w, 1);
            if (!out(n).isFloatingPoint()) { w.result("Mod", List.of(a, b), attr("fmod", 0)); return; }
            // Python's remainder (the divisor's sign): a - floor(a / b) * b; ONNX's float Mod is C's fmod.
            w.result("Sub", List.of(a, w.op("Mul", List.of(w.op("Floor", List.of(w.op("Div", List.of(a, b)))), b))));
        });
        t.put("native_dropout", (n, w) -> w.result("Mul", List.of(arg(n, w, 0), arg(n, w, 1))));

        String[][] compare = {{"eq", "Equal"}, {"lt", "Less"}, {"le", "LessOrEqual"}, {"gt", "Greater"}, {"ge", "GreaterOrEqual"}};
        for (String[] c : compare) t.put(c[0], (n, w) -> comparison(n, w, c[1], false));
        t.put("ne", (n, w) -> comparison(n, w, "Equal", true));
        String[][] logical = {{"logical_and", "And"}, {"logical_or", "Or"}, {"logical_xor", "Xor"}};
        for (String[] l : logical) {
            t.put(l[0], (n, w) -> w.result(l[1], List.of(w.as(n.inputs().get(0), DType.BOOL), w.as(n.inputs().get(1), DType.BOOL))));
        }
        t.put("where", (n, w) -> w.result("Where", List.of(w.as(n.inputs().get(0), DType.BOOL), arg(n, w, 1), arg(n, w, 2))));
        t.put("masked_fill", (n, w) -> w.result("Where", List.of(w.as(n.inputs().get(1), DType.BOOL),
                w.scalar(((Number) n.attrs().get("value")).doubleValue(), out(n)), arg(n, w, 0))));
        t.put("clamp", (n, w) -> {
            double min = ((Number) n.attrs().get("min")).doubleValue(), max = ((Number) n.attrs().get("max")).doubleValue();
            String lo = Double.isInfinite(min) && min < 0 ? "" : w.scalar(min, out(n));
            String hi = Double.isInfinite(max) && max > 0 ? "" : w.scalar(max, out(n));
            w.result("Clip", List.of(arg(n, w, 0), lo, hi));
        });
    }

    static DType out(Graph.Node n) { return n.outputs().get(0).dtype(); }

    /** Input {@code i} in the result's dtype: PyTorch promotes implicitly, ONNX wants equal types. */
    static String arg(Graph.Node n, GraphWriter w, int i) { return w.as(n.inputs().get(i), out(n)); }

    /** {@code other * alpha} for add/sub. */
    private static String scaled(Graph.Node n, GraphWriter w) {
        double alpha = ((Number) n.attrs().get("alpha")).doubleValue();
        String other = arg(n, w, 1);
        return alpha == 1 ? other : w.op("Mul", List.of(other, w.scalar(alpha, out(n))));
    }

    private static void comparison(Graph.Node n, GraphWriter w, String op, boolean negate) {
        Graph.Value a = n.inputs().get(0), b = n.inputs().get(1);
        DType common = common(a, b);
        List<String> ins = List.of(w.as(a, common), w.as(b, common));
        if (negate) w.result("Not", List.of(w.op(op, ins)));
        else w.result(op, ins);
    }

    /** PyTorch's result_type of two operands (the kernel's rule); a traced 0-dim value counts as a 0-dim tensor. */
    static DType common(Graph.Value a, Graph.Value b) {
        return Promotion.resultType(new DType[] {a.dtype(), b.dtype()}, new Promotion.Category[] {category(a), category(b)});
    }

    private static Promotion.Category category(Graph.Value v) {
        return v.rank() == 0 ? Promotion.Category.ZERO_DIM : Promotion.Category.DIMENSIONED;
    }
}
