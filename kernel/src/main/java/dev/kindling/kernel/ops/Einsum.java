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
 * takes that operand's diagonal; "..." stands for the broadcast dims, aligned to the right.
 */
final class Einsum {
    private Einsum() {}

    /** An operand with one label per dimension. */
    private record Term(Tensor t, List<Character> labels) {}

    /** Stands for the ellipsis while parsing; replaced by one placeholder label per broadcast dim. */
    private static final char ELLIPSIS = '.';
    /** Placeholder labels for the ellipsis dims, outside [a-zA-Z]: the k-th from the right is ELLIPSIS_BASE - k. */
    private static final char ELLIPSIS_BASE = '\u2fff';

    static Tensor einsum(String equation, Tensor[] operands) {
        String eq = equation.replace(" ", "");
        int arrow = eq.indexOf("->");
        String lhs = arrow < 0 ? eq : eq.substring(0, arrow);
        String[] inputs = lhs.split(",", -1);
        if (inputs.length < operands.length) throw new IllegalArgumentException("einsum(): more operands were provided than specified in the equation");
        if (inputs.length > operands.length) throw new IllegalArgumentException("einsum(): fewer operands were provided than specified in the equation");
        // Each operand's ellipsis covers its dims beyond the explicit labels, aligned to the right as broadcasting is.
        int ellipsisRank = 0;
        List<List<Character>> parsed = new ArrayList<>();
        for (int i = 0; i < inputs.length; i++) {
            List<Character> labels = labels(inputs[i], equation);
            int explicit = explicitCount(labels);
            boolean hasEllipsis = labels.contains(ELLIPSIS);
            if (hasEllipsis ? explicit > operands[i].dim() : explicit != operands[i].dim()) {
                throw new IllegalArgumentException("einsum(): the number of subscripts in the equation (" + explicit
                        + ") " + (hasEllipsis ? "is more than" : "does not match") + " the number of dimensions ("
                        + operands[i].dim() + ") for operand " + i + (hasEllipsis ? "" : " and no ellipsis was given"));
            }
            if (hasEllipsis) ellipsisRank = Math.max(ellipsisRank, operands[i].dim() - explicit);
            parsed.add(labels);
        }
        Map<Character, Integer> counts = new LinkedHashMap<>();
        List<Term> terms = new ArrayList<>();
        for (int i = 0; i < inputs.length; i++) {
            List<Character> labels = expand(parsed.get(i), operands[i].dim() - explicitCount(parsed.get(i)));
            for (char c : labels) counts.merge(c, 1, Integer::sum);
            terms.add(diagonals(new Term(operands[i], labels)));
        }
        List<Character> output = new ArrayList<>();
        if (arrow >= 0) {
            List<Character> declared = labels(eq.substring(arrow + 2), equation);
            output = declared.contains(ELLIPSIS) ? expand(declared, ellipsisRank) : declared;
            for (char c : output) {
                if (!counts.containsKey(c)) {
                    throw new IllegalArgumentException("einsum(): output subscript " + c + " does not appear in the equation for any input operand");
                }
                if (output.indexOf(c) != output.lastIndexOf(c)) {
                    throw new IllegalArgumentException("einsum(): output subscript " + c + " appears more than once in the output");
                }
            }
        } else {
            // Implicit output: the ellipsis dims, then the labels used once, in alphabetical order.
            output.addAll(expand(List.of(ELLIPSIS), ellipsisRank));
            List<Character> singles = new ArrayList<>();
            for (Map.Entry<Character, Integer> e : counts.entrySet()) {
                if (e.getValue() == 1 && Character.isLetter(e.getKey()) && e.getKey() <= 'z') singles.add(e.getKey());
            }
            singles.sort(null);
            output.addAll(singles);
        }
        Term acc = terms.get(0);
        for (int i = 1; i < terms.size(); i++) acc = contract(acc, terms.get(i), needed(terms, i + 1, output));
        acc = sumOut(acc, output);
        int[] perm = new int[output.size()];
        for (int i = 0; i < perm.length; i++) perm[i] = acc.labels().indexOf(output.get(i));
        return perm.length == 0 ? acc.t() : Ops.permute(acc.t(), perm);
    }

    private static int explicitCount(List<Character> labels) {
        int n = 0;
        for (char c : labels) if (c != ELLIPSIS) n++;
        return n;
    }

    /** The ellipsis replaced by {@code count} placeholder labels, the last one ELLIPSIS_BASE. */
    private static List<Character> expand(List<Character> labels, int count) {
        List<Character> out = new ArrayList<>();
        for (char c : labels) {
            if (c != ELLIPSIS) {
                out.add(c);
                continue;
            }
            for (int k = count - 1; k >= 0; k--) out.add((char) (ELLIPSIS_BASE - k));
        }
        return out;
    }

    /** Letters, and at most one "..." (read as ELLIPSIS). */
    private static List<Character> labels(String s, String equation) {
        List<Character> out = new ArrayList<>();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '.' && s.startsWith("...", i)) {
                if (out.contains(ELLIPSIS)) {
                    throw new IllegalArgumentException("einsum(): found more than one ellipsis (\"...\") in a subscript of '" + equation + "'");
                }
                out.add(ELLIPSIS);
                i += 2;
                continue;
            }
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
