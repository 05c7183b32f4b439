package dev.kindling.onnx.internal.export;

import dev.kindling.api.DType;
import dev.kindling.jit.Graph;
import dev.kindling.jit.SymInt;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static dev.kindling.onnx.internal.export.ElementwiseEmitters.arg;
import static dev.kindling.onnx.internal.export.ElementwiseEmitters.out;
import static dev.kindling.onnx.internal.export.GraphWriter.attr;
import static dev.kindling.onnx.internal.export.GraphWriter.ints;

/**
 * Views, copies and indexing. Sizes that follow a dynamic axis are kept symbolic: Reshape copies a dim in place (0)
 * or infers one (-1) where it can, and otherwise reads the sizes from the inputs' shapes at run time.
 */
final class ShapeEmitters {
    private ShapeEmitters() {}

    static void register(Map<String, Emitter> t) {
        t.put("view", ShapeEmitters::reshape);
        t.put("reshape", ShapeEmitters::reshape);
        t.put("flatten", (n, w) -> {
            Graph.Value x = n.inputs().get(0);
            int rank = x.rank();
            if (rank == 0) { w.result("Reshape", List.of(w.in(x), w.int64s(1))); return; }
            int s = axis(((Number) n.attrs().get("start_dim")).intValue(), rank), e = axis(((Number) n.attrs().get("end_dim")).intValue(), rank);
            if (s == 1 && e == rank - 1) { w.result("Flatten", List.of(w.in(x)), attr("axis", 1)); return; }
            // Leading dims copied in place (0), the merged run inferred (-1), trailing dims by size.
            Object[] shape = new Object[rank - (e - s)];
            for (int i = 0; i < s; i++) shape[i] = 0L;
            shape[s] = -1L;
            for (int i = e + 1; i < rank; i++) shape[s + 1 + i - e - 1] = x.shape().get(i);
            w.result("Reshape", List.of(w.in(x), w.sizes(shape)));
        });
        t.put("expand", (n, w) -> {
            Object[] shape = entries(n.attrs().get("shape"));
            int lead = shape.length - n.inputs().get(0).rank();
            for (int i = 0; i < shape.length; i++) {
                // PyTorch's -1 keeps a dim; ONNX's Expand broadcasts, and 1 keeps it.
                if (shape[i] instanceof Long && (Long) shape[i] == -1) {
                    if (i < lead) throw w.unsupported("expand with -1 for a new leading dim " + i);
                    shape[i] = 1L;
                }
            }
            w.result("Expand", List.of(w.in(n.inputs().get(0)), w.sizes(shape)));
        });
        t.put("permute", (n, w) -> {
            int rank = n.inputs().get(0).rank();
            int[] perm = ((int[]) n.attrs().get("dims")).clone();
            for (int i = 0; i < perm.length; i++) if (perm[i] < 0) perm[i] += rank;
            w.result("Transpose", List.of(w.in(n.inputs().get(0))), ints("perm", perm));
        });
        t.put("transpose", (n, w) -> {
            int rank = n.inputs().get(0).rank();
            int a = axis(((Number) n.attrs().get("dim0")).intValue(), rank), b = axis(((Number) n.attrs().get("dim1")).intValue(), rank);
            int[] perm = new int[rank];
            for (int i = 0; i < rank; i++) perm[i] = i;
            perm[a] = b;
            perm[b] = a;
            w.result("Transpose", List.of(w.in(n.inputs().get(0))), ints("perm", perm));
        });
        t.put("t", (n, w) -> {
            if (n.inputs().get(0).rank() < 2) w.result("Identity", List.of(w.in(n.inputs().get(0))));
            else w.result("Transpose", List.of(w.in(n.inputs().get(0))), ints("perm", 1, 0));
        });
        t.put("squeeze", (n, w) -> {
            Graph.Value x = n.inputs().get(0);
            Object dim = n.attrs().get("dim");
            List<Long> axes = new ArrayList<>();
            for (int d = 0; d < x.rank(); d++) {
                boolean wanted = dim == null || axis(((Number) dim).intValue(), x.rank()) == d;
                if (wanted && Long.valueOf(1).equals(x.shape().get(d))) axes.add((long) d);
            }
            if (axes.isEmpty()) w.result("Identity", List.of(w.in(x))); // PyTorch: squeezing a dim that is not 1 is a no-op
            else w.result("Squeeze", List.of(w.in(x), w.int64s(axes.stream().mapToLong(Long::longValue).toArray())));
        });
        t.put("unsqueeze", (n, w) -> w.result("Unsqueeze", List.of(w.in(n.inputs().get(0)), w.int64s(((Number) n.attrs().get("dim")).longValue()))));
        t.put("select", (n, w) -> w.result("Gather", List.of(w.in(n.inputs().get(0)), w.int64Scalar(((Number) n.attrs().get("index")).longValue())),
                attr("axis", ((Number) n.attrs().get("dim")).longValue())));
        t.put("slice", (n, w) -> w.result("Slice", List.of(w.in(n.inputs().get(0)), w.sizes(new Object[] {n.attrs().get("start")}),
                w.sizes(new Object[] {n.attrs().get("end")}), w.int64s(((Number) n.attrs().get("dim")).longValue()),
                w.sizes(new Object[] {n.attrs().get("step")}))));
        t.put("flip", (n, w) -> {
            int[] dims = (int[]) n.attrs().get("dims");
            long[] starts = new long[dims.length], ends = new long[dims.length], steps = new long[dims.length];
            Arrays.fill(starts, -1);
            Arrays.fill(ends, Long.MIN_VALUE);
            Arrays.fill(steps, -1);
            w.result("Slice", List.of(w.in(n.inputs().get(0)), w.int64s(starts), w.int64s(ends),
                    w.int64s(Arrays.stream(dims).asLongStream().toArray()), w.int64s(steps)));
        });
        t.put("constant_pad_nd", (n, w) -> {
            Graph.Value x = n.inputs().get(0);
            long[] pad = (long[]) n.attrs().get("padding");
            if (pad.length % 2 != 0 || pad.length / 2 > x.rank()) throw w.unsupported("padding " + Arrays.toString(pad) + " for rank " + x.rank());
            long[] pads = new long[2 * x.rank()];
            for (int i = 0; i < pad.length / 2; i++) { // PyTorch pads the last dim first
                int d = x.rank() - 1 - i;
                pads[d] = pad[2 * i];
                pads[x.rank() + d] = pad[2 * i + 1];
            }
            w.result("Pad", List.of(w.in(x), w.int64s(pads), w.scalar(((Number) n.attrs().get("value")).doubleValue(), x.dtype())), attr("mode", "constant"));
        });
        t.put("clone", (n, w) -> w.result("Identity", List.of(w.in(n.inputs().get(0)))));
        t.put("_to_copy", (n, w) -> {
            DType to = out(n);
            if (to == n.inputs().get(0).dtype()) w.result("Identity", List.of(w.in(n.inputs().get(0))));
            else w.result("Cast", List.of(w.in(n.inputs().get(0))), attr("to", TensorProtos.elemType(to)));
        });
        t.put("cat", (n, w) -> {
            List<String> parts = new ArrayList<>();
            for (int i = 0; i < n.inputs().size(); i++) parts.add(arg(n, w, i));
            w.result("Concat", parts, attr("axis", ((Number) n.attrs().get("dim")).longValue()));
        });
        t.put("stack", (n, w) -> {
            long dim = ((Number) n.attrs().get("dim")).longValue();
            List<String> parts = new ArrayList<>();
            for (int i = 0; i < n.inputs().size(); i++) parts.add(w.op("Unsqueeze", List.of(arg(n, w, i), w.int64s(dim))));
            w.result("Concat", parts, attr("axis", dim));
        });
        t.put("repeat", (n, w) -> {
            Graph.Value x = n.inputs().get(0);
            long[] repeats = (long[]) n.attrs().get("repeats");
            String in = w.in(x);
            if (repeats.length > x.rank()) { // PyTorch prepends dims of size 1
                long[] lead = new long[repeats.length - x.rank()];
                for (int i = 0; i < lead.length; i++) lead[i] = i;
                in = w.op("Unsqueeze", List.of(in, w.int64s(lead)));
            }
            w.result("Tile", List.of(in, w.int64s(repeats)));
        });
        t.put("copy_", (n, w) -> w.result("Expand", List.of(w.as(n.inputs().get(1), n.inputs().get(0).dtype()), w.sizes(n.inputs().get(0).shape().toArray()))));
        t.put("fill_", (n, w) -> w.result("Expand", List.of(w.scalar(((Number) n.attrs().get("value")).doubleValue(), n.inputs().get(0).dtype()),
                w.sizes(n.inputs().get(0).shape().toArray()))));
        t.put("index_select", (n, w) -> w.result("Gather", List.of(w.in(n.inputs().get(0)), w.in(n.inputs().get(1))),
                attr("axis", ((Number) n.attrs().get("dim")).longValue())));
        t.put("gather", (n, w) -> w.result("GatherElements", List.of(w.in(n.inputs().get(0)), w.in(n.inputs().get(1))),
                attr("axis", ((Number) n.attrs().get("dim")).longValue())));
        t.put("scatter", (n, w) -> w.result("ScatterElements", List.of(w.in(n.inputs().get(0)), w.in(n.inputs().get(1)), arg(n, w, 2)),
                attr("axis", ((Number) n.attrs().get("dim")).longValue())));
        t.put("scatter_add", (n, w) -> w.result("ScatterElements", List.of(w.in(n.inputs().get(0)), w.in(n.inputs().get(1)), arg(n, w, 2)),
                attr("axis", ((Number) n.attrs().get("dim")).longValue()), attr("reduction", "add")));
    }

    static int axis(int d, int rank) { return d < 0 ? d + rank : d; }

    /** An int[]/long[]/mixed attribute as Long and SymInt entries. */
    static Object[] entries(Object v) {
        if (v instanceof Object[]) return ((Object[]) v).clone();
        if (v instanceof long[]) return Arrays.stream((long[]) v).boxed().toArray();
        if (v instanceof int[]) return Arrays.stream((int[]) v).asLongStream().boxed().toArray();
        throw new IllegalArgumentException("not a size list: " + v);
    }

    private static void reshape(Graph.Node n, GraphWriter w) {
        Graph.Value x = n.inputs().get(0);
        Object[] shape = entries(n.attrs().get("shape"));
        boolean inferred = Arrays.stream(shape).anyMatch(e -> e instanceof Long && (Long) e == -1);
        // A symbolic entry equal to the input's dim at the same place is ONNX's 0 (copy); one other may be -1 (infer).
        if (Arrays.stream(shape).anyMatch(e -> e instanceof Long && (Long) e == 0)) {
            throw w.unsupported("a reshape to a size-0 dim (ONNX's Reshape reads 0 as 'copy the dim')");
        }
        for (int i = 0; i < shape.length; i++) {
            if (shape[i] instanceof SymInt && i < x.rank() && shape[i].equals(x.shape().get(i))) shape[i] = 0L;
        }
        long symbolic = Arrays.stream(shape).filter(e -> e instanceof SymInt).count();
        if (symbolic == 1 && !inferred) {
            for (int i = 0; i < shape.length; i++) if (shape[i] instanceof SymInt) shape[i] = -1L;
        }
        w.result("Reshape", List.of(w.in(x), w.sizes(shape)));
    }
}
