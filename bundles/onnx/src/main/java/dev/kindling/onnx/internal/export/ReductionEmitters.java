package dev.kindling.onnx.internal.export;

import ai.onnx.proto.OnnxMl.AttributeProto;
import dev.kindling.api.DType;
import dev.kindling.jit.Graph;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static dev.kindling.onnx.internal.export.ElementwiseEmitters.arg;
import static dev.kindling.onnx.internal.export.ElementwiseEmitters.out;
import static dev.kindling.onnx.internal.export.GraphWriter.attr;
import static dev.kindling.onnx.internal.export.GraphWriter.ints;

/** Reductions, softmax, arg/top-k and scans. ReduceSum takes its axes as an input from opset 13, the others from 18. */
final class ReductionEmitters {
    private ReductionEmitters() {}

    static void register(Map<String, Emitter> t) {
        t.put("sum", (n, w) -> reduce(n, w, "ReduceSum", arg(n, w, 0), dims(n, "dims"), keep(n)));
        t.put("mean", (n, w) -> reduce(n, w, "ReduceMean", arg(n, w, 0), dims(n, "dims"), keep(n)));
        t.put("prod", (n, w) -> reduce(n, w, "ReduceProd", arg(n, w, 0), dims(n, "dims"), keep(n)));
        t.put("amax", (n, w) -> reduce(n, w, "ReduceMax", arg(n, w, 0), dims(n, "dims"), keep(n)));
        t.put("amin", (n, w) -> reduce(n, w, "ReduceMin", arg(n, w, 0), dims(n, "dims"), keep(n)));
        t.put("logsumexp", (n, w) -> reduce(n, w, "ReduceLogSumExp", arg(n, w, 0), dims(n, "dims"), keep(n)));
        t.put("max", (n, w) -> reduce(n, w, "ReduceMax", arg(n, w, 0), null, false));
        t.put("min", (n, w) -> reduce(n, w, "ReduceMin", arg(n, w, 0), null, false));
        t.put("norm", (n, w) -> norm(n, w, ((Number) n.attrs().get("p")).doubleValue(), dims(n, "dims"), keep(n)));
        t.put("linalg_vector_norm", (n, w) -> norm(n, w, ((Number) n.attrs().get("ord")).doubleValue(), dims(n, "dim"), keep(n)));
        t.put("all", (n, w) -> boolReduce(n, w, "ReduceMin"));
        t.put("any", (n, w) -> boolReduce(n, w, "ReduceMax"));
        t.put("var", (n, w) -> variance(n, w, false));
        t.put("std", (n, w) -> variance(n, w, true));
        t.put("max_dim", (n, w) -> extremeDim(n, w, "ReduceMax", "ArgMax"));
        t.put("min_dim", (n, w) -> extremeDim(n, w, "ReduceMin", "ArgMin"));
        t.put("argmax", (n, w) -> argExtreme(n, w, "ArgMax"));
        t.put("argmin", (n, w) -> argExtreme(n, w, "ArgMin"));
        t.put("softmax", (n, w) -> w.result("Softmax", List.of(arg(n, w, 0)), attr("axis", ((Number) n.attrs().get("dim")).longValue())));
        t.put("log_softmax", (n, w) -> w.result("LogSoftmax", List.of(arg(n, w, 0)), attr("axis", ((Number) n.attrs().get("dim")).longValue())));
        t.put("cumsum", (n, w) -> w.result("CumSum", List.of(arg(n, w, 0), w.int64Scalar(((Number) n.attrs().get("dim")).longValue()))));
        t.put("topk", (n, w) -> w.node("TopK", List.of(w.in(n.inputs().get(0)), w.int64s(((Number) n.attrs().get("k")).longValue())),
                List.of(w.out(0), w.out(1)), attr("axis", ((Number) n.attrs().get("dim")).longValue()),
                attr("largest", (Boolean) n.attrs().get("largest") ? 1 : 0), attr("sorted", (Boolean) n.attrs().get("sorted") ? 1 : 0)));
        t.put("sort", (n, w) -> sort(n, w, List.of(w.out(0), w.out(1))));
        t.put("argsort", (n, w) -> sort(n, w, List.of(w.fresh("values"), w.out(0))));
        t.put("tril", (n, w) -> w.result("Trilu", List.of(w.in(n.inputs().get(0)), w.int64Scalar(((Number) n.attrs().get("diagonal")).longValue())), attr("upper", 0)));
        t.put("triu", (n, w) -> w.result("Trilu", List.of(w.in(n.inputs().get(0)), w.int64Scalar(((Number) n.attrs().get("diagonal")).longValue())), attr("upper", 1)));
    }

    private static boolean keep(Graph.Node n) { return (Boolean) n.attrs().get("keepdim"); }

    private static long[] dims(Graph.Node n, String attr) {
        Object v = n.attrs().get(attr);
        if (v == null) return null;
        long[] d = Arrays.stream((int[]) v).asLongStream().toArray();
        return d.length == 0 ? null : d; // PyTorch: an empty dim list reduces everything
    }

    /** {@code op} over {@code axes} (null: all), to the node's result 0. */
    static String reduce(Graph.Node n, GraphWriter w, String op, String x, long[] axes, boolean keepdims) {
        return reduceTo(n, w, op, x, axes, keepdims, w.out(0));
    }

    static String reduceTo(Graph.Node n, GraphWriter w, String op, String x, long[] axes, boolean keepdims, String result) {
        boolean axesAsInput = op.equals("ReduceSum") || w.opset >= 18;
        List<String> ins = new ArrayList<>(List.of(x));
        List<AttributeProto> attrs = new ArrayList<>(List.of(attr("keepdims", keepdims ? 1 : 0)));
        if (axes != null) {
            if (axesAsInput) ins.add(w.int64s(axes));
            else attrs.add(ints("axes", axes));
        }
        return w.node(op, ins, List.of(result), attrs.toArray(new AttributeProto[0]));
    }

    private static void norm(Graph.Node n, GraphWriter w, double p, long[] dims, boolean keepdim) {
        if (p == 2) reduce(n, w, "ReduceL2", arg(n, w, 0), dims, keepdim);
        else if (p == 1) reduce(n, w, "ReduceL1", arg(n, w, 0), dims, keepdim);
        else throw w.unsupported("only the 1- and 2-norms have ONNX reductions (ReduceL1, ReduceL2), got p=" + p);
    }

    private static void boolReduce(Graph.Node n, GraphWriter w, String op) {
        // Min/Max over int32: ONNX's Reduce ops take bool only from opset 20.
        String r = reduceTo(n, w, op, w.as(n.inputs().get(0), DType.INT32), null, false, w.fresh(op));
        w.result("Cast", List.of(r), attr("to", TensorProtos.elemType(DType.BOOL)));
    }

    private static void variance(Graph.Node n, GraphWriter w, boolean sqrt) {
        Graph.Value x = n.inputs().get(0);
        long[] dims = dims(n, "dims");
        long count = 1;
        for (int d = 0; d < x.rank(); d++) {
            boolean reduced = dims == null;
            if (dims != null) for (long r : dims) reduced |= (r < 0 ? r + x.rank() : r) == d;
            if (!reduced) continue;
            Object size = x.shape().get(d);
            if (!(size instanceof Long)) throw w.unsupported("var/std over the dynamic dim " + d + " (" + size + ") needs its size as a constant");
            count *= (Long) size;
        }
        long correction = ((Number) n.attrs().get("correction")).longValue();
        String xs = arg(n, w, 0);
        String mean = reduceTo(n, w, "ReduceMean", xs, dims, true, w.fresh("mean"));
        String ss = reduceTo(n, w, "ReduceSumSquare", w.op("Sub", List.of(xs, mean)), dims, keep(n), w.fresh("sumsq"));
        String var = w.op("Div", List.of(ss, w.scalar(Math.max(0, count - correction), out(n))));
        w.result(sqrt ? "Sqrt" : "Identity", List.of(var));
    }

    private static void extremeDim(Graph.Node n, GraphWriter w, String reduce, String arg) {
        long dim = ((Number) n.attrs().get("dim")).longValue();
        boolean keepdim = keep(n);
        String x = w.in(n.inputs().get(0));
        reduceTo(n, w, reduce, x, new long[] {dim}, keepdim, w.out(0));
        w.node(arg, List.of(x), List.of(w.out(1)), attr("axis", dim), attr("keepdims", keepdim ? 1 : 0));
    }

    private static void argExtreme(Graph.Node n, GraphWriter w, String op) {
        Object dim = n.attrs().get("dim");
        boolean keepdim = keep(n);
        String x = w.in(n.inputs().get(0));
        if (dim != null) {
            w.result(op, List.of(x), attr("axis", ((Number) dim).longValue()), attr("keepdims", keepdim ? 1 : 0));
            return;
        }
        String flat = w.op("Reshape", List.of(x, w.int64s(-1)));
        if (!keepdim) {
            w.result(op, List.of(flat), attr("axis", 0), attr("keepdims", 0));
        } else {
            long[] ones = new long[n.inputs().get(0).rank()];
            Arrays.fill(ones, 1);
            w.result("Reshape", List.of(w.op(op, List.of(flat), attr("axis", 0), attr("keepdims", 1)), w.int64s(ones)));
        }
    }

    private static void sort(Graph.Node n, GraphWriter w, List<String> outs) {
        Graph.Value x = n.inputs().get(0);
        long dim = ((Number) n.attrs().get("dim")).longValue();
        int d = (int) (dim < 0 ? dim + x.rank() : dim);
        String k = w.sizes(new Object[] {x.shape().get(d)});
        w.node("TopK", List.of(w.in(x), k), outs, attr("axis", dim), attr("largest", (Boolean) n.attrs().get("descending") ? 1 : 0), attr("sorted", 1));
    }
}
