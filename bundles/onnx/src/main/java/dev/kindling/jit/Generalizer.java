package dev.kindling.jit;

import dev.kindling.api.Tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Merges two traces of one module, taken at different sizes of its dynamic axes, into one graph whose sizes that
 * changed with those axes are {@link SymInt}s. Both traces must have recorded the same ops in the same order: a
 * difference means the program's control flow depends on a size, and the trace is refused. A size that differs is
 * explained as {@code c·s} or {@code c·s·t} for symbols s, t and an integer c; a size no such product explains, or a
 * captured constant whose shape or value changed, is refused with the op and module it belongs to.
 */
final class Generalizer {
    private final Map<String, Long> sizesA;
    private final Map<String, Long> sizesB;
    private final String moduleName;
    private final Map<Graph.Value, Graph.Value> merged = new HashMap<>();

    Generalizer(Map<String, Long> sizesA, Map<String, Long> sizesB, String moduleName) {
        this.sizesA = sizesA;
        this.sizesB = sizesB;
        this.moduleName = moduleName;
    }

    Graph generalize(Graph a, Graph b, Map<String, Map<Integer, String>> inputAxes, List<String> inputNames) {
        if (a.nodes().size() != b.nodes().size()) {
            throw refused("records " + a.nodes().size() + " ops at sizes " + sizesA + " and " + b.nodes().size() + " at sizes " + sizesB
                    + ": its control flow depends on the size of a dynamic axis");
        }
        List<Graph.Value> inputs = new ArrayList<>();
        for (int i = 0; i < a.inputs().size(); i++) {
            Graph.Value va = a.inputs().get(i);
            List<Object> shape = new ArrayList<>(va.shape());
            Map<Integer, String> dyn = inputAxes.getOrDefault(inputNames.get(i), Map.of());
            dyn.forEach((axis, sym) -> shape.set(axis, SymInt.of(sym)));
            Graph.Value v = va.withShape(shape);
            merged.put(va, v);
            inputs.add(v);
        }
        List<Graph.Value> state = new ArrayList<>();
        for (int i = 0; i < a.stateValues().size(); i++) state.add(same(a.stateValues().get(i), b.stateValues().get(i), "parameter"));
        Map<Graph.Value, Tensor> constants = new LinkedHashMap<>();
        List<Map.Entry<Graph.Value, Tensor>> ca = new ArrayList<>(a.constants().entrySet());
        List<Map.Entry<Graph.Value, Tensor>> cb = new ArrayList<>(b.constants().entrySet());
        if (ca.size() != cb.size()) throw refused("captures " + ca.size() + " constants at sizes " + sizesA + " and " + cb.size() + " at " + sizesB);
        for (int i = 0; i < ca.size(); i++) {
            Tensor ta = ca.get(i).getValue(), tb = cb.get(i).getValue();
            if (!Arrays.equals(ta.shape(), tb.shape()) || !ta.equal(tb)) {
                throw refused("creates a tensor in its forward whose shape or values follow a dynamic axis (" + Arrays.toString(ta.shape()) + " at sizes "
                        + sizesA + ", " + Arrays.toString(tb.shape()) + " at " + sizesB + "), first used by " + firstUse(a, ca.get(i).getKey())
                        + ": build it from the input (zeros_like, new_zeros, arange over a size op) so the trace can follow it");
            }
            Graph.Value v = ca.get(i).getKey();
            merged.put(v, v);
            constants.put(v, ta);
        }
        List<Graph.Node> nodes = new ArrayList<>();
        for (int i = 0; i < a.nodes().size(); i++) {
            Graph.Node na = a.nodes().get(i), nb = b.nodes().get(i);
            String where = "op " + i + " (" + na.op() + (na.scope().isEmpty() ? "" : " in " + na.scope()) + ")";
            if (!na.op().equals(nb.op())) {
                throw refused("records " + na.op() + " as " + where + " at sizes " + sizesA + " but " + nb.op() + " at " + sizesB
                        + ": its control flow depends on the size of a dynamic axis");
            }
            List<Graph.Value> ins = new ArrayList<>();
            for (Graph.Value v : na.inputs()) ins.add(v == null ? null : mapped(v, where));
            Map<String, Object> attrs = new LinkedHashMap<>();
            for (Map.Entry<String, Object> e : na.attrs().entrySet()) {
                attrs.put(e.getKey(), attribute(e.getValue(), nb.attrs().get(e.getKey()), where + " attribute " + e.getKey()));
            }
            List<Graph.Value> outs = new ArrayList<>();
            for (int o = 0; o < na.outputs().size(); o++) {
                Graph.Value va = na.outputs().get(o), vb = nb.outputs().get(o);
                if (va == null || vb == null) {
                    if (va != vb) throw refused("gives " + where + " result " + o + " at one size and not at the other");
                    outs.add(null);
                    continue;
                }
                Graph.Value v = va.withShape(shape(va.shape(), vb.shape(), where + " result " + o));
                merged.put(va, v);
                outs.add(v);
            }
            nodes.add(na.with(ins, attrs, outs));
        }
        List<Graph.Value> outputs = new ArrayList<>();
        for (Graph.Value v : a.outputs()) outputs.add(mapped(v, "the output"));
        return new Graph(inputs, state, constants, nodes, outputs);
    }

    private Graph.Value same(Graph.Value va, Graph.Value vb, String what) {
        if (!va.name().equals(vb.name()) || !va.shape().equals(vb.shape())) {
            throw refused("reads " + what + " " + va.name() + va.shape() + " at sizes " + sizesA + " but " + vb.name() + vb.shape() + " at " + sizesB);
        }
        merged.put(va, va);
        return va;
    }

    private Graph.Value mapped(Graph.Value v, String where) {
        Graph.Value m = merged.get(v);
        if (m == null) throw new IllegalStateException(where + " reads a value the trace did not define: " + v);
        return m;
    }

    private List<Object> shape(List<Object> a, List<Object> b, String where) {
        if (a.size() != b.size()) throw refused("gives " + where + " rank " + a.size() + " at sizes " + sizesA + " and rank " + b.size() + " at " + sizesB);
        List<Object> out = new ArrayList<>(a.size());
        for (int i = 0; i < a.size(); i++) out.add(size((Long) a.get(i), (Long) b.get(i), where + " dim " + i));
        return out;
    }

    private Object attribute(Object a, Object b, String where) {
        if (Objects.deepEquals(a, b)) return a;
        if (a instanceof Number && b instanceof Number && !(a instanceof Double) && !(a instanceof Float)) {
            return size(((Number) a).longValue(), ((Number) b).longValue(), where);
        }
        long[] la = longs(a), lb = longs(b);
        if (la != null && lb != null && la.length == lb.length) {
            Object[] mixed = new Object[la.length];
            for (int i = 0; i < la.length; i++) mixed[i] = size(la[i], lb[i], where + "[" + i + "]");
            return mixed;
        }
        throw refused("gives " + where + " the value " + Graph.show(a) + " at sizes " + sizesA + " and " + Graph.show(b) + " at " + sizesB);
    }

    private static long[] longs(Object v) {
        if (v instanceof long[]) return (long[]) v;
        if (v instanceof int[]) return Arrays.stream((int[]) v).asLongStream().toArray();
        return null;
    }

    /** {@code a} (at sizes A) and {@code b} (at sizes B) as one size: fixed when equal, else the product that explains both. */
    private Object size(long a, long b, String where) {
        if (a == b) return a;
        List<String> syms = new ArrayList<>(sizesA.keySet());
        for (String s : syms) {
            SymInt m = explain(a, b, List.of(s));
            if (m != null) return m;
        }
        for (int i = 0; i < syms.size(); i++) {
            for (int j = i; j < syms.size(); j++) {
                SymInt m = explain(a, b, List.of(syms.get(i), syms.get(j)));
                if (m != null) return m;
            }
        }
        throw refused("gives " + where + " the size " + a + " at sizes " + sizesA + " and " + b + " at " + sizesB
                + ", which no multiple of the dynamic sizes explains");
    }

    private SymInt explain(long a, long b, List<String> symbols) {
        long pa = 1, pb = 1;
        for (String s : symbols) { pa *= sizesA.get(s); pb *= sizesB.get(s); }
        if (a % pa != 0) return null;
        long c = a / pa;
        return c != 0 && c * pb == b ? new SymInt(c, symbols) : null;
    }

    private static String firstUse(Graph g, Graph.Value v) {
        for (int i = 0; i < g.nodes().size(); i++) {
            Graph.Node n = g.nodes().get(i);
            if (n.inputs().contains(v)) return "op " + i + " (" + n.op() + (n.scope().isEmpty() ? "" : " in " + n.scope()) + ")";
        }
        return "no op";
    }

    private IllegalStateException refused(String what) {
        return new IllegalStateException("cannot keep the dynamic axes of " + moduleName + " symbolic: its forward " + what);
    }
}
