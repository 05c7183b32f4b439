package dev.kindling.kernel.ops;

import dev.kindling.api.Tensor;

import java.util.ArrayList;
import java.util.List;

/**
 * A parsed NumPy/PyTorch basic index: integers, slices {@code start:stop:step} (each part optional, negatives from
 * the end), {@code ...} and {@code None}, separated by commas. Applying it gives a view.
 */
public final class IndexSpec {
    private enum Kind { INT, SLICE, ELLIPSIS, NONE }

    private record Item(Kind kind, long a, long b, long step, boolean hasA, boolean hasB) {}

    private final List<Item> items;
    private final String text;

    private IndexSpec(String text, List<Item> items) {
        this.text = text;
        this.items = items;
    }

    public static IndexSpec parse(String spec) {
        if (spec == null) throw new IllegalArgumentException("index string is null");
        List<Item> items = new ArrayList<>();
        String trimmed = spec.trim();
        if (trimmed.isEmpty()) return new IndexSpec(spec, items);
        boolean ellipsis = false;
        String[] parts = trimmed.split(",", -1);
        for (int p = 0; p < parts.length; p++) {
            String s = parts[p].trim();
            if (s.isEmpty()) {
                if (p == parts.length - 1 && p > 0) break; // trailing comma, as Python's t[1,]
                throw bad(spec, "empty index at position " + p);
            }
            if (s.equals("...")) {
                if (ellipsis) throw bad(spec, "an index can only have a single ellipsis ('...')");
                ellipsis = true;
                items.add(new Item(Kind.ELLIPSIS, 0, 0, 1, false, false));
            } else if (s.equals("None")) {
                items.add(new Item(Kind.NONE, 0, 0, 1, false, false));
            } else if (s.contains(":")) {
                String[] f = s.split(":", -1);
                if (f.length > 3) throw bad(spec, "too many ':' in '" + s + "'");
                Long a = num(spec, f[0]);
                Long b = num(spec, f[1]);
                Long step = f.length == 3 ? num(spec, f[2]) : null;
                if (step != null && step == 0) throw bad(spec, "slice step cannot be zero");
                if (step != null && step < 0) throw bad(spec, "step must be greater than zero (negative steps are not supported, as in PyTorch)");
                items.add(new Item(Kind.SLICE, a == null ? 0 : a, b == null ? 0 : b, step == null ? 1 : step, a != null, b != null));
            } else {
                Long v = num(spec, s);
                items.add(new Item(Kind.INT, v, 0, 1, true, false));
            }
        }
        return new IndexSpec(spec, items);
    }

    private static Long num(String spec, String s) {
        String t = s.trim();
        if (t.isEmpty()) return null;
        try {
            return Long.parseLong(t);
        } catch (NumberFormatException e) {
            throw bad(spec, "'" + t + "' is not an integer, slice, '...' or 'None'");
        }
    }

    private static IllegalArgumentException bad(String spec, String why) {
        return new IllegalArgumentException("invalid index \"" + spec + "\": " + why);
    }

    public Tensor apply(DenseTensor t) {
        int consumed = 0;
        for (Item it : items) if (it.kind == Kind.INT || it.kind == Kind.SLICE) consumed++;
        if (consumed > t.dim()) {
            throw new IndexOutOfBoundsException("too many indices for tensor of dimension " + t.dim() + " (index \"" + text + "\")");
        }
        Tensor r = t;
        int dim = 0;
        for (Item it : items) {
            switch (it.kind) {
                case ELLIPSIS:
                    dim += t.dim() - consumed;
                    break;
                case NONE:
                    r = Ops.unsqueeze(r, dim);
                    dim++;
                    break;
                case INT:
                    r = Ops.select(r, dim, it.a);
                    break;
                default:
                    r = Ops.slice(r, dim, it.hasA ? it.a : 0, it.hasB ? it.b : Long.MAX_VALUE, it.step);
                    dim++;
            }
        }
        return r == t ? t.asView(t.shapeRef(), t.stridesRef(), t.storageOffset()) : r;
    }
}
