package dev.kindling.kernel.ops;

import dev.kindling.api.Tensor;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * torch.einsum as a composite of dispatched ops (so autograd records its parts): operands are contracted left to
 * right, two at a time, each pair as one batched matrix product after summing out the labels no later operand and
 * not the output needs, as PyTorch's implementation does. Labels are letters; a label repeated within one operand
 * takes that operand's diagonal. Ellipsis ("...") is not supported yet and says so.
 */
final class Einsum {
    private Einsum() {}

    /** An operand with one label per dimension. */
    private record Term(Tensor t, List<Character> labels) {}

    static Tensor einsum(String equation, Tensor[] operands) {
        String eq = equation.replace(" ", "");
        if (eq.contains(".")) throw new IllegalArgumentException("einsum(): ellipsis (...) is not supported yet in '" + equation + "'");
        int arrow = eq.indexOf("->");
        String lhs = arrow < 0 ? eq : eq.substring(0, arrow);
        String[] inputs = lhs.split(",", -1);
        if (inputs.length < operands.length) throw new IllegalArgumentException("einsum(): more operands were provided than specified in the equation");
        if (inputs.length > operands.length) throw new IllegalArgumentException("einsum(): fewer operands were provided than specified in the equation");
        Map<Character, Integer> counts = new LinkedHashMap<>();
        List<Term> terms = new ArrayList<>();
        for (int i = 0; i < inputs.length; i++) {
            List<Character> labels = labels(inputs[i], equation);
            if (labels.size() != operands[i].dim()) {
                throw new IllegalArgumentException("einsum(): the number of subscripts in the equation (" + labels.size()
                        + ") does not match the number of dimensions (" + operands[i].dim() + ") for operand " + i
                        + " and no ellipsis was given");
            }
            for (char c : labels) counts.merge(c, 1, Integer::sum);
            terms.add(diagonals(new Term(operands[i], labels)));
        }
        List<Character> output = new ArrayList<>();
        if (arrow >= 0) {
            output = labels(eq.substring(arrow + 2), equation);
            for (char c : output) {
                if (!counts.containsKey(c)) {
                    throw new IllegalArgumentException("einsum(): output subscript " + c + " does not appear in the equation for any input operand");
                }
                if (output.indexOf(c) != output.lastIndexOf(c)) {
                    throw new IllegalArgumentException("einsum(): output subscript " + c + " appears more than once in the output");
                }
            }
        } else {
            for (Map.Entry<Character, Integer> e : counts.entrySet()) if (e.getValue() == 1) output.add(e.getKey());
            output.sort(null);
        }
        Term acc = terms.get(0);
        for (int i = 1; i < terms.size(); i++) acc = contract(acc, terms.get(i), needed(terms, i + 1, output));
        acc = sumOut(acc, output);
        int[] perm = new int[output.size()];
        for (int i = 0; i < perm.length; i++) perm[i] = acc.labels().indexOf(output.get(i));
        return perm.length == 0 ? acc.t() : Ops.permute(acc.t(), perm);
    }

    private static List<Character> labels(String s, String equation) {
        List<Character> out = new ArrayList<>();
        for (char c : s.toCharArray()) {
            if (!Character.isLetter(c) || c > 'z') {
                throw new IllegalArgumentException("einsum(): invalid subscript given at index " + equation.indexOf(c)
                        + " in the equation string, subscripts must be in [a-zA-Z]");
            }
            out.add(c);
        }
        return out;
    }

    /** Labels used by the terms from {@code from} on, or by the output. */
    private static List<Character> needed(List<Term> terms, int from, List<Character> output) {
        List<Character> out = new ArrayList<>(output);
        for (int i = from; i < terms.size(); i++) for (char c : terms.get(i).labels()) if (!out.contains(c)) out.add(c);
        return out;
    }

    /** A label repeated within one operand ("ii"): that operand's diagonal over those dims. */
    private static Term diagonals(Term term) {
        List<Character> labels = new ArrayList<>(term.labels());
        Tensor t = term.t();
        for (int i = 0; i < labels.size(); i++) {
            int j = labels.lastIndexOf(labels.get(i));
            if (j == i) continue;
            long n = t.size(i);
            if (t.size(j) != n) {
                throw new IllegalArgumentException("einsum(): subscript " + labels.get(i) + " is repeated for operand but the sizes don't match, "
                        + n + " != " + t.size(j));
            }
            // Move the two dims last, flatten them and pick every (n + 1)-th element: the diagonal, as a new last dim.
            int[] perm = new int[labels.size()];
            int k = 0;
            for (int d = 0; d < labels.size(); d++) if (d != i && d != j) perm[k++] = d;
            perm[k++] = i;
            perm[k] = j;
            Tensor moved = Ops.permute(t, perm);
            long[] shape = moved.shape();
            long[] flat = java.util.Arrays.copyOf(shape, shape.length - 1);
            flat[flat.length - 1] = n * n;
            Tensor rows = Ops.slice(Ops.reshape(moved, flat), flat.length - 1, 0, n * n, n + 1);
            List<Character> next = new ArrayList<>();
            for (int d : java.util.Arrays.copyOf(perm, perm.length - 2)) next.add(labels.get(d));
            next.add(labels.get(i));
            return diagonals(new Term(rows, next));
        }
        return new Term(t, labels);
    }

    /** Sums out the dims whose labels are not in {@code keep}. */
    private static Term sumOut(Term term, List<Character> keep) {
        List<Integer> dims = new ArrayList<>();
        List<Character> rest = new ArrayList<>();
        for (int d = 0; d < term.labels().size(); d++) {
            if (keep.contains(term.labels().get(d))) rest.add(term.labels().get(d));
            else dims.add(d);
        }
        if (dims.isEmpty()) return term;
        return new Term(Ops.sum(term.t(), dims.stream().mapToInt(Integer::intValue).toArray(), false), rest);
    }

    /** {@code a} times {@code b}, keeping the labels in {@code keep}: one bmm over [batch, left, contracted] x [batch, contracted, right]. */
    private static Term contract(Term a, Term b, List<Character> keep) {
        List<Character> needA = new ArrayList<>(keep);
        needA.addAll(b.labels());
        List<Character> needB = new ArrayList<>(keep);
        needB.addAll(a.labels());
        a = sumOut(a, needA);
        b = sumOut(b, needB);
        List<Character> batch = new ArrayList<>(), left = new ArrayList<>(), right = new ArrayList<>(), contracted = new ArrayList<>();
        for (char c : a.labels()) {
            if (b.labels().contains(c)) (keep.contains(c) ? batch : contracted).add(c);
            else left.add(c);
        }
        for (char c : b.labels()) if (!a.labels().contains(c)) right.add(c);
        Map<Character, Long> size = new LinkedHashMap<>();
        for (Term t : List.of(a, b)) {
            for (int d = 0; d < t.labels().size(); d++) {
                char c = t.labels().get(d);
                long n = t.t().size(d);
                Long seen = size.get(c);
                if (seen != null && seen != n && seen != 1 && n != 1) {
                    throw new IllegalArgumentException("einsum(): operands do not broadcast with remapped shapes (original->remapped): subscript "
                            + c + " has sizes " + seen + " and " + n);
                }
                size.put(c, seen == null || seen == 1 ? n : seen);
            }
        }
        Tensor ta = arrange(a, batch, left, contracted, size);
        Tensor tb = arrange(b, batch, contracted, right, size);
        long nb = product(batch, size), nl = product(left, size), nc = product(contracted, size), nr = product(right, size);
        Tensor r = Ops.bmm(Ops.reshape(ta, new long[] {nb, nl, nc}), Ops.reshape(tb, new long[] {nb, nc, nr}));
        List<Character> labels = new ArrayList<>(batch);
        labels.addAll(left);
        labels.addAll(right);
        long[] shape = new long[labels.size()];
        for (int i = 0; i < shape.length; i++) shape[i] = size.get(labels.get(i));
        return new Term(Ops.reshape(r, shape), labels);
    }

    /** The term's dims in the order g1 + g2 + g3, each expanded to the label's full size (broadcast dims of 1). */
    private static Tensor arrange(Term t, List<Character> g1, List<Character> g2, List<Character> g3, Map<Character, Long> size) {
        List<Character> order = new ArrayList<>(g1);
        order.addAll(g2);
        order.addAll(g3);
        int[] perm = new int[order.size()];
        long[] shape = new long[order.size()];
        for (int i = 0; i < perm.length; i++) {
            perm[i] = t.labels().indexOf(order.get(i));
            shape[i] = size.get(order.get(i));
        }
        return Ops.expand(Ops.permute(t.t(), perm), shape);
    }

    private static long product(List<Character> labels, Map<Character, Long> size) {
        long n = 1;
        for (char c : labels) n *= size.get(c);
        return n;
    }
}
