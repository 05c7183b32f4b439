package dev.kindling.onnx.internal.load.ops;

import dev.kindling.api.DType;
import dev.kindling.api.Tensor;
import dev.kindling.api.Torch;
import dev.kindling.onnx.internal.load.OpContext;
import dev.kindling.onnx.internal.load.OpTable;
import dev.kindling.onnx.internal.load.Values;

import java.util.ArrayList;
import java.util.List;

import static dev.kindling.onnx.internal.load.ops.Util.one;

/** Sequence and optional ops: building, indexing, splitting and joining sequences of tensors, and SequenceMap. */
public final class SequenceOps {
    private SequenceOps() {}

    public static void register(OpTable t) {
        t.put("SequenceEmpty", c -> new Object[] {new Values.Sequence(List.of(), Util.dtype(c, c.i("dtype", 1)))});
        t.put("SequenceConstruct", c -> {
            Tensor[] xs = c.all();
            if (xs.length == 0) throw c.error("needs at least one tensor");
            for (Tensor x : xs) if (x.dtype() != xs[0].dtype()) throw c.error("tensors of one sequence must share a type");
            return new Object[] {new Values.Sequence(List.of(xs), xs[0].dtype())};
        });
        t.put("SequenceLength", c -> one(OpContext.longsLike(new long[] {c.seq(0).items().size()}, null, new long[0])));
        t.put("SequenceAt", c -> {
            List<Tensor> items = c.seq(0).items();
            return one(items.get(position(c, 1, items.size(), false)));
        });
        t.put("SequenceInsert", c -> {
            Values.Sequence s = c.seq(0);
            Tensor x = c.in(1);
            if (s.elemType() != null && x.dtype() != s.elemType()) throw c.error("cannot insert " + x.dtype().torchName() + " into a sequence of " + s.elemType().torchName());
            List<Tensor> items = new ArrayList<>(s.items());
            items.add(c.opt(2) == null ? items.size() : position(c, 2, items.size(), true), x);
            return new Object[] {new Values.Sequence(items, x.dtype())};
        });
        t.put("SequenceErase", c -> {
            Values.Sequence s = c.seq(0);
            List<Tensor> items = new ArrayList<>(s.items());
            if (items.isEmpty()) throw c.error("cannot erase from an empty sequence");
            items.remove(c.opt(1) == null ? items.size() - 1 : position(c, 1, items.size(), false));
            return new Object[] {new Values.Sequence(items, s.elemType())};
        });
        t.put("ConcatFromSequence", c -> {
            List<Tensor> items = c.seq(0).items();
            if (items.isEmpty()) throw c.error("cannot concatenate an empty sequence");
            boolean newAxis = c.i("new_axis", 0) != 0;
            int axis = c.axis(c.i("axis", 0), items.get(0).dim() + (newAxis ? 1 : 0));
            return one(newAxis ? Torch.stack(items, axis) : Torch.cat(items, axis));
        });
        t.put("SplitToSequence", c -> {
            Tensor x = c.in(0), split = c.opt(1);
            int axis = c.axis(c.i("axis", 0), x.dim());
            long len = x.size(axis);
            List<Tensor> parts = new ArrayList<>();
            if (split == null) {
                // one slice per element of the axis, squeezed unless keepdims
                boolean keep = c.i("keepdims", 1) != 0;
                for (long i = 0; i < len; i++) parts.add(keep ? x.narrow(axis, i, 1) : x.select(axis, i));
            } else if (split.dim() == 0) {
                long size = split.toLongArray()[0];
                if (size <= 0) throw c.error("split size " + size + " must be positive");
                for (long at = 0; at < len; at += size) parts.add(x.narrow(axis, at, Math.min(size, len - at)));
            } else {
                long at = 0;
                for (long size : split.toLongArray()) {
                    if (size < 0 || at + size > len) throw c.error("split sizes do not fit an axis of " + len);
                    parts.add(x.narrow(axis, at, size));
                    at += size;
                }
                if (at != len) throw c.error("split sizes add up to " + at + ", the axis has " + len);
            }
            return new Object[] {new Values.Sequence(parts, x.dtype())};
        });
        t.put("SequenceMap", SequenceOps::sequenceMap);
        t.put("Optional", c -> {
            Object v = c.raw(0);
            return new Object[] {new Values.Optional(v instanceof Values.Optional o ? o.value() : v)};
        });
        t.put("OptionalHasElement", c -> {
            Object v = c.raw(0);
            boolean has = v instanceof Values.Optional o ? o.present() : v != null;
            return one(Torch.tensor(has));
        });
        t.put("OptionalGetElement", c -> {
            Object v = c.raw(0);
            Object inner = v instanceof Values.Optional o ? o.value() : v;
            if (inner == null) throw c.error("the optional is empty");
            return new Object[] {inner};
        });
    }

    /** A position input (negative counts from the end); {@code insert} allows the end itself. */
    private static int position(OpContext c, int input, int size, boolean insert) {
        long p = (long) c.scalar(input, 0);
        if (p < 0) p += size;
        if (p < 0 || p > size || (!insert && p == size)) throw c.error("position " + (long) c.scalar(input, 0) + " is out of range for a sequence of " + size);
        return (int) p;
    }

    /** Runs the body once per sequence position: sequences give their i-th tensor, tensors are passed whole. */
    private static Object[] sequenceMap(OpContext c) {
        int n = -1;
        for (int i = 0; i < c.inputCount(); i++) {
            if (c.raw(i) instanceof Values.Sequence s) {
                if (n >= 0 && s.items().size() != n) throw c.error("input sequences have different lengths");
                n = s.items().size();
            }
        }
        if (!(c.raw(0) instanceof Values.Sequence)) throw c.error("input 0 must be a sequence");
        List<List<Tensor>> outs = new ArrayList<>();
        for (int o = 0; o < c.outputCount(); o++) outs.add(new ArrayList<>());
        for (int k = 0; k < n; k++) {
            Object[] args = new Object[c.inputCount()];
            for (int i = 0; i < args.length; i++) args[i] = c.raw(i) instanceof Values.Sequence s ? s.items().get(k) : c.raw(i);
            Object[] r = c.runGraph("body", args);
            if (r.length != outs.size()) throw c.error("the body gives " + r.length + " outputs, the node " + outs.size());
            for (int o = 0; o < r.length; o++) {
                if (!(r[o] instanceof Tensor t)) throw c.error("body output " + o + " must be a tensor");
                outs.get(o).add(t);
            }
        }
        Object[] result = new Object[outs.size()];
        for (int o = 0; o < result.length; o++) {
            List<Tensor> items = outs.get(o);
            result[o] = new Values.Sequence(items, items.isEmpty() ? DType.FLOAT32 : items.get(0).dtype());
        }
        return result;
    }
}
