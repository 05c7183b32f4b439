package dev.kindling.onnx.internal.load.ops;

import dev.kindling.api.DType;
import dev.kindling.api.Tensor;
import dev.kindling.api.Torch;
import dev.kindling.onnx.internal.load.OpContext;
import dev.kindling.onnx.internal.load.OpTable;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * If, Loop and Scan over tensor values (sequence and optional values are not supported). The bodies run as
 * subgraphs with the enclosing scope visible; gradients flow through them like through any other ops.
 */
public final class ControlFlowOps {
    /** Loop without a trip count stops on its condition; a body that never clears it is cut off here. */
    static final long MAX_ITERATIONS = 100_000;

    private ControlFlowOps() {}

    public static void register(OpTable t) {
        t.put("If", c -> {
            Tensor cond = c.in(0);
            if (cond.numel() != 1) throw c.error("cond must hold one value, has shape " + Arrays.toString(cond.shape()));
            Object[] out = c.runGraph(cond.toBooleanArray()[0] ? "then_branch" : "else_branch");
            if (out.length != c.outputCount()) throw c.error("the branch has " + out.length + " outputs, the node " + c.outputCount());
            return out;
        });
        t.put("Loop", ControlFlowOps::loop);
        t.put("Scan", ControlFlowOps::scan);
    }

    private static Object[] loop(OpContext c) {
        Tensor m = c.opt(0), condIn = c.opt(1);
        long trips = m == null ? Long.MAX_VALUE : (long) c.scalar(0, 0);
        boolean cond = condIn == null || condIn.toBooleanArray()[0];
        int carriedCount = c.inputCount() - 2, bodyInputs = c.graphInputs("body");
        if (bodyInputs != carriedCount + 2) throw c.error("the body takes " + bodyInputs + " inputs, the loop carries " + carriedCount + " values (+2)");
        Object[] carried = new Object[carriedCount];
        for (int i = 0; i < carriedCount; i++) carried[i] = c.raw(i + 2); // tensors or sequences
        int scans = c.outputCount() - carriedCount;
        if (scans < 0) throw c.error("has fewer outputs than loop-carried values");
        List<List<Tensor>> scanned = new ArrayList<>();
        for (int k = 0; k < scans; k++) scanned.add(new ArrayList<>());
        Tensor like = c.opt(0) != null ? c.opt(0) : c.opt(1);
        for (long i = 0; i < trips && cond; i++) {
            if (i >= MAX_ITERATIONS) throw c.error("ran " + MAX_ITERATIONS + " iterations without stopping");
            Object[] args = new Object[carriedCount + 2];
            Tensor iter = Torch.tensor(i), condT = Torch.tensor(cond);
            args[0] = like == null ? iter : iter.to(like.device());
            args[1] = like == null ? condT : condT.to(like.device());
            System.arraycopy(carried, 0, args, 2, carriedCount);
            Object[] out = c.runGraph("body", args);
            if (out.length != 1 + carriedCount + scans) throw c.error("the body gives " + out.length + " outputs, expected " + (1 + carriedCount + scans));
            cond = tensor(c, out[0], "the body's condition").toBooleanArray()[0];
            System.arraycopy(out, 1, carried, 0, carriedCount);
            for (int k = 0; k < scans; k++) scanned.get(k).add(tensor(c, out[1 + carriedCount + k], "scan output " + k));
        }
        Object[] result = new Object[c.outputCount()];
        System.arraycopy(carried, 0, result, 0, carriedCount);
        for (int k = 0; k < scans; k++) {
            List<Tensor> s = scanned.get(k);
            // with no iteration there is nothing to take the element shape from: an empty float tensor stands in
            result[carriedCount + k] = s.isEmpty() ? Torch.zeros(DType.FLOAT32, 0) : Torch.stack(s, 0);
        }
        return result;
    }

    private static Object[] scan(OpContext c) {
        int first = c.opset() < 9 ? 1 : 0; // Scan-8 starts with sequence_lens and has a leading batch axis
        int m = (int) c.i("num_scan_inputs", -1);
        int n = c.inputCount() - first - m;
        if (m <= 0 || n < 0) throw c.error("num_scan_inputs " + m + " does not fit " + c.inputCount() + " inputs");
        int k = c.outputCount() - n;
        if (k < 0) throw c.error("has fewer outputs than state values");
        long[] inAxes = orZeros(c.ints("scan_input_axes"), m), inDirs = orZeros(c.ints(first == 1 ? "directions" : "scan_input_directions"), m);
        long[] outAxes = orZeros(c.ints("scan_output_axes"), k), outDirs = orZeros(c.ints("scan_output_directions"), k);
        if (inAxes.length != m || inDirs.length != m || outAxes.length != k || outDirs.length != k) throw c.error("scan axes/directions do not match the scan inputs/outputs");
        Object[] state = new Object[n];
        for (int i = 0; i < n; i++) state[i] = c.in(first + i);
        Tensor[] xs = new Tensor[m];
        for (int j = 0; j < m; j++) xs[j] = c.in(first + n + j);
        if (first == 0) return scanOnce(c, state, xs, inAxes, inDirs, outAxes, outDirs, k);
        // Scan-8: each batch entry is its own scan over axis 0 of its slice
        long batch = xs[0].size(0);
        Tensor lens = c.opt(0);
        if (lens != null) {
            for (long l : lens.toLongArray()) if (l != xs[0].size(1)) throw c.error("sequence_lens shorter than the sequence axis are not supported");
        }
        List<Object[]> per = new ArrayList<>();
        for (long b = 0; b < batch; b++) {
            Object[] sb = new Object[n];
            Tensor[] xb = new Tensor[m];
            for (int i = 0; i < n; i++) sb[i] = ((Tensor) state[i]).select(0, b);
            for (int j = 0; j < m; j++) xb[j] = xs[j].select(0, b);
            per.add(scanOnce(c, sb, xb, new long[m], inDirs, new long[k], new long[k], k));
        }
        Tensor[] result = new Tensor[n + k];
        for (int o = 0; o < n + k; o++) {
            List<Tensor> parts = new ArrayList<>();
            for (Object[] r : per) parts.add(tensor(c, r[o], "output " + o));
            result[o] = Torch.stack(parts, 0);
        }
        return result;
    }

    private static Object[] scanOnce(OpContext c, Object[] state, Tensor[] xs, long[] inAxes, long[] inDirs, long[] outAxes, long[] outDirs, int k) {
        int n = state.length, m = xs.length;
        state = state.clone();
        int[] axes = new int[m];
        long steps = -1;
        for (int j = 0; j < m; j++) {
            axes[j] = c.axis(inAxes[j], xs[j].dim());
            long len = xs[j].size(axes[j]);
            if (steps >= 0 && len != steps) throw c.error("scan inputs have different lengths (" + steps + " and " + len + ")");
            steps = len;
        }
        List<List<Tensor>> scanned = new ArrayList<>();
        for (int o = 0; o < k; o++) scanned.add(new ArrayList<>());
        for (long t = 0; t < steps; t++) {
            Object[] args = new Object[n + m];
            System.arraycopy(state, 0, args, 0, n);
            for (int j = 0; j < m; j++) args[n + j] = xs[j].select(axes[j], inDirs[j] != 0 ? steps - 1 - t : t);
            Object[] out = c.runGraph("body", args);
            if (out.length != n + k) throw c.error("the body gives " + out.length + " outputs, expected " + (n + k));
            System.arraycopy(out, 0, state, 0, n);
            for (int o = 0; o < k; o++) scanned.get(o).add(tensor(c, out[n + o], "scan output " + o));
        }
        Object[] result = new Object[n + k];
        System.arraycopy(state, 0, result, 0, n);
        for (int o = 0; o < k; o++) {
            List<Tensor> s = new ArrayList<>(scanned.get(o));
            if (s.isEmpty()) throw c.error("a scan of length 0 has no output to stack");
            if (outDirs[o] != 0) java.util.Collections.reverse(s);
            result[n + o] = Torch.stack(s, c.axis(outAxes[o], s.get(0).dim() + 1));
        }
        return result;
    }

    private static Tensor tensor(OpContext c, Object v, String what) {
        if (v instanceof Tensor t) return t;
        throw c.error(what + " of the body must be a tensor");
    }

    private static long[] orZeros(long[] v, int n) { return v == null ? new long[n] : v; }
}
