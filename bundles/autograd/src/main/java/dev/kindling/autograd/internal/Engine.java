package dev.kindling.autograd.internal;

import dev.kindling.api.DType;
import dev.kindling.api.Tensor;
import dev.kindling.kernel.ops.OpRuntime;
import dev.kindling.kernel.ops.DenseTensor;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs a backward pass: counts, for every node reachable from the roots, how many edges lead into it, then executes
 * nodes whose inputs are complete (Kahn's algorithm, with explicit stacks: a 100,000-op chain needs no deep recursion).
 * Everything it builds is local to the call, so threads run their own passes concurrently.
 */
final class Engine {
    private Engine() {}

    static IllegalStateException freedGraph() {
        return new IllegalStateException("Trying to backward through the graph a second time (or directly access saved tensors after "
                + "they have already been freed). Saved intermediate values of the graph are freed when you call .backward() or "
                + "autograd.grad(). Specify retain_graph=True if you need to backward through the graph a second time or if you "
                + "need to access saved tensors after calling backward.");
    }

    /** The edge through which a gradient for {@code t} enters the graph, or null if it does not require grad. */
    static Edge gradEdge(DenseTensor t) {
        Meta m = Meta.of(t);
        if (m == null) return null;
        if (m.gradFn != null) return new Edge(m.gradFn, m.outputNr);
        if (!m.requiresGrad) return null;
        synchronized (m) {
            if (m.accumulator == null) m.accumulator = new AccumulateGrad(t);
            return new Edge(m.accumulator, 0);
        }
    }

    /** Sums a gradient down to a broadcast input's shape and converts it to the input's dtype. */
    static Tensor fitTo(Tensor g, long[] shape, DType dtype) {
        Tensor r = sumTo(g, shape);
        if (r.dtype() != dtype && dtype.isFloatingPoint()) r = r.to(dtype);
        return r;
    }

    static Tensor sumTo(Tensor g, long[] shape) {
        long[] gs = g.shape();
        if (Arrays.equals(gs, shape)) return g;
        int lead = gs.length - shape.length;
        List<Integer> dims = new ArrayList<>();
        for (int i = 0; i < gs.length; i++) {
            if (i < lead) dims.add(i);
            else if (shape[i - lead] == 1 && gs[i] != 1) dims.add(i);
        }
        Tensor r = g;
        if (!dims.isEmpty()) r = r.sum(dims.stream().mapToInt(Integer::intValue).toArray(), true);
        return Arrays.equals(r.shape(), shape) ? r : r.reshape(shape);
    }

    /** A node's state during one pass: edges still to deliver into it, and the gradients delivered so far. */
    private static final class Task {
        int pending;
        Tensor[] grads;
    }

    /**
     * @param captures where {@code Autograd.grad} reads its results (null for {@code backward}, which accumulates
     *                 into leaves instead)
     */
    static Tensor[] run(OpRuntime kernel, Edge[] roots, Tensor[] rootGrads, boolean retainGraph, boolean createGraph, Edge[] captures) {
        // 1. dependencies (one map for counts and gradient buffers: a small graph's backward allocates little)
        Map<Node, Task> tasks = new IdentityHashMap<>();
        Deque<Node> stack = new ArrayDeque<>();
        for (Edge e : roots) {
            if (!tasks.containsKey(e.node())) {
                tasks.put(e.node(), new Task());
                stack.push(e.node());
            }
        }
        List<Node> order = captures != null ? new ArrayList<>() : null;
        while (!stack.isEmpty()) {
            Node n = stack.pop();
            if (order != null) order.add(n);
            for (Edge e : n.next) {
                if (e == null) continue;
                Task t = tasks.get(e.node());
                if (t == null) {
                    t = new Task();
                    tasks.put(e.node(), t);
                    stack.push(e.node());
                }
                t.pending++;
            }
        }
        // 2. for Autograd.grad, only nodes that lead to a captured input need to run
        Map<Node, Boolean> needed = null;
        Map<Node, List<int[]>> captureSlots = null;
        Tensor[] captured = null;
        if (captures != null) {
            captureSlots = new IdentityHashMap<>();
            captured = new Tensor[captures.length];
            for (int i = 0; i < captures.length; i++) {
                if (captures[i] == null) continue;
                captureSlots.computeIfAbsent(captures[i].node(), k -> new ArrayList<>()).add(new int[] {captures[i].inputNr(), i});
            }
            needed = new IdentityHashMap<>();
            // children before parents: visit in reverse discovery order, repeating until stable for DAG joins
            boolean changed = true;
            while (changed) {
                changed = false;
                for (int i = order.size() - 1; i >= 0; i--) {
                    Node n = order.get(i);
                    if (Boolean.TRUE.equals(needed.get(n))) continue;
                    boolean need = captureSlots.containsKey(n);
                    for (Edge e : n.next) if (e != null && Boolean.TRUE.equals(needed.get(e.node()))) need = true;
                    if (need) {
                        needed.put(n, true);
                        changed = true;
                    }
                }
            }
        }
        // 3. seed the roots and execute
        boolean prevMode = kernel.setGradEnabled(createGraph);
        try {
            for (int i = 0; i < roots.length; i++) addGrad(tasks.get(roots[i].node()), roots[i], rootGrads[i]);
            Deque<Node> ready = new ArrayDeque<>();
            for (Edge e : roots) {
                if (tasks.get(e.node()).pending == 0 && !ready.contains(e.node())) ready.add(e.node());
            }
            while (!ready.isEmpty()) {
                Node n = ready.pop();
                Task task = tasks.get(n);
                Tensor[] buf = task.grads;
                task.grads = null; // delivered: the gradients are dropped as the pass goes on
                if (buf == null) buf = new Tensor[n.numOutputs];
                boolean run = needed == null || Boolean.TRUE.equals(needed.get(n));
                Tensor[] out = null;
                if (run) {
                    for (int k = 0; k < buf.length; k++) buf[k] = n.applyPreHooks(k, buf[k]);
                    List<int[]> slots = captureSlots == null ? null : captureSlots.get(n);
                    if (n instanceof AccumulateGrad) {
                        AccumulateGrad acc = (AccumulateGrad) n;
                        Tensor gr = buf[0] == null ? null : acc.runHooks(buf[0]);
                        if (slots != null) {
                            for (int[] s : slots) captured[s[1]] = gr;
                        } else if (captures == null && gr != null) {
                            acc.accumulate(gr, createGraph);
                            acc.runPostAccumulateHooks();
                        }
                    } else {
                        if (slots != null) for (int[] s : slots) captured[s[1]] = buf[s[0]];
                        boolean any = false;
                        for (Tensor t : buf) any |= t != null;
                        if (any) out = n.apply(buf);
                        if (!retainGraph) n.release();
                    }
                }
                for (int k = 0; k < n.next.length; k++) {
                    Edge e = n.next[k];
                    if (e == null) continue;
                    Task t = tasks.get(e.node());
                    if (out != null && k < out.length && out[k] != null) addGrad(t, e, out[k]);
                    if (--t.pending == 0) ready.push(e.node());
                }
            }
        } finally {
            kernel.setGradEnabled(prevMode);
        }
        return captured;
    }

    private static void addGrad(Task task, Edge e, Tensor g) {
        if (task.grads == null) task.grads = new Tensor[e.node().numOutputs];
        Tensor[] buf = task.grads;
        int slot = e.inputNr();
        buf[slot] = buf[slot] == null ? g : buf[slot].add(g);
    }
}
