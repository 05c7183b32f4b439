package dev.kindling.onnx.internal.export;

import ai.onnx.proto.OnnxMl.AttributeProto;
import dev.kindling.api.DType;
import dev.kindling.api.Torch;
import dev.kindling.jit.Graph;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static dev.kindling.onnx.internal.export.ElementwiseEmitters.arg;
import static dev.kindling.onnx.internal.export.ElementwiseEmitters.out;
import static dev.kindling.onnx.internal.export.GraphWriter.attr;
import static dev.kindling.onnx.internal.export.GraphWriter.ints;

/** nn's functionals (one ONNX node each where ONNX has one) and the matrix products. */
final class NnEmitters {
    private NnEmitters() {}

    static void register(Map<String, Emitter> t) {
        t.put("linear", NnEmitters::linear);
        t.put("_autocast_linear", NnEmitters::autocastLinear);
        t.put("conv1d", NnEmitters::conv);
        t.put("conv2d", NnEmitters::conv);
        t.put("max_pool2d", (n, w) -> pool(n, w, "MaxPool", attr("ceil_mode", bool(n, "ceil_mode")), ints("dilations", (int[]) n.attrs().get("dilation"))));
        t.put("avg_pool2d", (n, w) -> {
            if (n.attrs().get("divisor_override") != null) throw w.unsupported("avg_pool2d's divisor_override has no ONNX form");
            pool(n, w, "AveragePool", attr("ceil_mode", bool(n, "ceil_mode")), attr("count_include_pad", bool(n, "count_include_pad")));
        });
        t.put("adaptive_avg_pool2d", NnEmitters::adaptiveAvgPool);
        t.put("batch_norm", NnEmitters::batchNorm);
        t.put("layer_norm", NnEmitters::layerNorm);
        t.put("dropout", (n, w) -> {
            if (!(Boolean) n.attrs().get("train")) { w.result("Identity", List.of(w.in(n.inputs().get(0)))); return; }
            w.node("Dropout", List.of(w.in(n.inputs().get(0)), w.scalar(((Number) n.attrs().get("p")).doubleValue(), n.inputs().get(0).dtype()),
                    w.scalar(1, DType.BOOL)), List.of(w.out(0)));
        });
        t.put("embedding", (n, w) -> w.result("Gather", List.of(w.in(n.inputs().get(0)), w.in(n.inputs().get(1))), attr("axis", 0)));
        t.put("gelu", NnEmitters::gelu);
        t.put("leaky_relu", (n, w) -> w.result("LeakyRelu", List.of(w.in(n.inputs().get(0))), attr("alpha", ((Number) n.attrs().get("negative_slope")).doubleValue())));

        for (String mm : new String[] {"mm", "bmm", "matmul", "dot"}) t.put(mm, (n, w) -> w.result("MatMul", List.of(arg(n, w, 0), arg(n, w, 1))));
        t.put("addmm", (n, w) -> w.result("Gemm", List.of(arg(n, w, 1), arg(n, w, 2), arg(n, w, 0)),
                attr("alpha", ((Number) n.attrs().get("alpha")).doubleValue()), attr("beta", ((Number) n.attrs().get("beta")).doubleValue())));
        t.put("baddbmm", (n, w) -> {
            String prod = w.op("Mul", List.of(w.op("MatMul", List.of(arg(n, w, 1), arg(n, w, 2))), w.scalar(((Number) n.attrs().get("alpha")).doubleValue(), out(n))));
            String self = w.op("Mul", List.of(arg(n, w, 0), w.scalar(((Number) n.attrs().get("beta")).doubleValue(), out(n))));
            w.result("Add", List.of(self, prod));
        });
        t.put("outer", (n, w) -> w.result("Mul", List.of(w.op("Unsqueeze", List.of(arg(n, w, 0), w.int64s(1))), w.op("Unsqueeze", List.of(arg(n, w, 1), w.int64s(0))))));
        t.put("einsum", (n, w) -> {
            List<String> ins = new ArrayList<>();
            for (int i = 0; i < n.inputs().size(); i++) ins.add(arg(n, w, i));
            w.result("Einsum", ins, attr("equation", (String) n.attrs().get("equation")));
        });
    }

    private static long bool(Graph.Node n, String name) { return (Boolean) n.attrs().get(name) ? 1 : 0; }

    private static void linear(Graph.Node n, GraphWriter w) {
        Graph.Value x = n.inputs().get(0), bias = n.inputs().get(2);
        if (x.rank() == 2) {
            List<String> ins = new ArrayList<>(List.of(w.in(x), w.in(n.inputs().get(1))));
            if (bias != null) ins.add(w.in(bias));
            w.result("Gemm", ins, attr("transB", 1));
            return;
        }
        String y = w.op("MatMul", List.of(w.in(x), w.op("Transpose", List.of(w.in(n.inputs().get(1))), ints("perm", 1, 0))));
        if (bias == null) w.result("Identity", List.of(y));
        else w.result("Add", List.of(y, w.in(bias)));
    }

    /** Autocast's fused linear, as the casts and the Gemm it stands for. */
    private static void autocastLinear(Graph.Node n, GraphWriter w) {
        DType to = out(n);
        List<String> ins = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Graph.Value v = n.inputs().get(i);
            if (v == null) continue;
            ins.add(v.dtype() == to ? w.in(v) : w.op("Cast", List.of(w.in(v)), attr("to", TensorProtos.elemType(to))));
        }
        w.result("Gemm", ins, attr("transB", 1));
    }

    /** Conv over an unbatched input gets a batch dim around it, as PyTorch's conv does. */
    private static void conv(Graph.Node n, GraphWriter w) {
        Graph.Value x = n.inputs().get(0), weight = n.inputs().get(1), bias = n.inputs().get(2);
        int spatial = weight.rank() - 2;
        boolean unbatched = x.rank() == spatial + 1;
        long[] kernel = new long[spatial];
        for (int i = 0; i < spatial; i++) {
            Object k = weight.shape().get(2 + i);
            kernel[i] = (Long) k;
        }
        int[] padding = (int[]) n.attrs().get("padding");
        int[] pads = new int[2 * spatial];
        for (int i = 0; i < spatial; i++) { pads[i] = padding[i]; pads[spatial + i] = padding[i]; }
        List<String> ins = new ArrayList<>(List.of(unbatched ? w.op("Unsqueeze", List.of(w.in(x), w.int64s(0))) : w.in(x), w.in(weight)));
        if (bias != null) ins.add(w.in(bias));
        AttributeProto[] attrs = {ints("kernel_shape", kernel), ints("strides", (int[]) n.attrs().get("stride")), ints("pads", pads),
            ints("dilations", (int[]) n.attrs().get("dilation")), attr("group", ((Number) n.attrs().get("groups")).longValue())};
        if (!unbatched) { w.result("Conv", ins, attrs); return; }
        w.result("Squeeze", List.of(w.op("Conv", ins, attrs), w.int64s(0)));
    }

    private static void pool(Graph.Node n, GraphWriter w, String op, AttributeProto... extra) {
        Graph.Value x = n.inputs().get(0);
        int[] kernel = (int[]) n.attrs().get("kernel_size");
        int[] stride = (int[]) n.attrs().get("stride");
        if (stride.length == 0) stride = kernel;
        int[] padding = (int[]) n.attrs().get("padding");
        int[] pads = {padding[0], padding[1], padding[0], padding[1]};
        List<AttributeProto> attrs = new ArrayList<>(List.of(ints("kernel_shape", kernel), ints("strides", stride), ints("pads", pads)));
        attrs.addAll(List.of(extra));
        AttributeProto[] a = attrs.toArray(new AttributeProto[0]);
        if (x.rank() == 4) { w.result(op, List.of(w.in(x)), a); return; }
        w.result("Squeeze", List.of(w.op(op, List.of(w.op("Unsqueeze", List.of(w.in(x), w.int64s(0)))), a), w.int64s(0)));
    }

    private static void adaptiveAvgPool(Graph.Node n, GraphWriter w) {
        Graph.Value x = n.inputs().get(0);
        int[] size = (int[]) n.attrs().get("output_size");
        if (x.rank() != 4) throw w.unsupported("adaptive_avg_pool2d is exported for batched [N, C, H, W] input, got rank " + x.rank());
        if (size[0] == 1 && size[1] == 1) { w.result("GlobalAveragePool", List.of(w.in(x))); return; }
        Object h = x.shape().get(2), wd = x.shape().get(3);
        if (!(h instanceof Long) || !(wd instanceof Long) || (Long) h % size[0] != 0 || (Long) wd % size[1] != 0) {
            throw w.unsupported("adaptive_avg_pool2d to " + size[0] + "x" + size[1] + " from " + h + "x" + wd
                    + ": ONNX has it only as GlobalAveragePool (output 1x1) or as AveragePool when the input size divides evenly");
        }
        long kh = (Long) h / size[0], kw = (Long) wd / size[1];
        w.result("AveragePool", List.of(w.in(x)), ints("kernel_shape", kh, kw), ints("strides", kh, kw));
    }

    private static void batchNorm(Graph.Node n, GraphWriter w) {
        Graph.Value x = n.inputs().get(0), weight = n.inputs().get(1), bias = n.inputs().get(2), mean = n.inputs().get(3), var = n.inputs().get(4);
        if ((Boolean) n.attrs().get("training")) {
            throw w.unsupported("batch_norm in training mode: export the model in eval mode (model.eval()), which uses its running statistics");
        }
        if (mean == null || var == null) throw w.unsupported("batch_norm without running statistics (track_running_stats=false) uses batch statistics even in eval mode");
        long channels = (Long) mean.shape().get(0);
        String scale = weight != null ? w.in(weight) : w.constant(TensorProtos.of("", Torch.ones(x.dtype(), channels)));
        String shift = bias != null ? w.in(bias) : w.constant(TensorProtos.of("", Torch.zeros(x.dtype(), channels)));
        double momentum = ((Number) n.attrs().get("momentum")).doubleValue();
        w.result("BatchNormalization", List.of(w.in(x), scale, shift, w.in(mean), w.in(var)),
                attr("epsilon", ((Number) n.attrs().get("eps")).doubleValue()), attr("momentum", 1 - momentum));
    }

    private static void layerNorm(Graph.Node n, GraphWriter w) {
        Graph.Value x = n.inputs().get(0), weight = n.inputs().get(1), bias = n.inputs().get(2);
        long[] shape = (long[]) n.attrs().get("normalized_shape");
        List<String> ins = new ArrayList<>(List.of(w.in(x), weight != null ? w.in(weight) : w.constant(TensorProtos.of("", Torch.ones(x.dtype(), shape)))));
        if (bias != null) ins.add(w.in(bias));
        w.result("LayerNormalization", ins, attr("axis", -shape.length), attr("epsilon", ((Number) n.attrs().get("eps")).doubleValue()));
    }

    private static void gelu(Graph.Node n, GraphWriter w) {
        String approximate = (String) n.attrs().get("approximate");
        String x = w.in(n.inputs().get(0));
        DType dt = n.inputs().get(0).dtype();
        if (w.opset >= 20) { w.result("Gelu", List.of(x), attr("approximate", approximate)); return; }
        String inner;
        if (approximate.equals("tanh")) { // 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))
            String cube = w.op("Mul", List.of(w.op("Mul", List.of(x, x)), x));
            String poly = w.op("Add", List.of(x, w.op("Mul", List.of(cube, w.scalar(0.044715, dt)))));
            inner = w.op("Tanh", List.of(w.op("Mul", List.of(poly, w.scalar(Math.sqrt(2 / Math.PI), dt)))));
        } else { // 0.5·x·(1 + erf(x / √2))
            inner = w.op("Erf", List.of(w.op("Div", List.of(x, w.scalar(Math.sqrt(2), dt)))));
        }
        String half = w.op("Mul", List.of(x, w.scalar(0.5, dt)));
        w.result("Mul", List.of(half, w.op("Add", List.of(inner, w.scalar(1, dt)))));
    }
}
