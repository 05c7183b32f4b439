package dev.kindling.jit;

import java.util.List;
import java.util.Map;

/**
 * A size that follows the dynamic axes of a trace: {@code coefficient} times the product of the named symbolic sizes
 * ({@code batch}, {@code 4·batch}, {@code batch·seq}). Found by tracing twice at different sizes; stands in a graph
 * wherever the traced program used a size of a dynamic axis (a shape given to view/reshape, an output's dim).
 */
public record SymInt(long coefficient, List<String> symbols) {
    public SymInt {
        if (symbols.isEmpty()) throw new IllegalArgumentException("a symbolic size needs at least one symbol");
        symbols = List.copyOf(symbols);
    }

    public static SymInt of(String symbol) { return new SymInt(1, List.of(symbol)); }

    /** The value for the given sizes of the symbols. */
    public long eval(Map<String, Long> sizes) {
        long v = coefficient;
        for (String s : symbols) {
            Long n = sizes.get(s);
            if (n == null) throw new IllegalStateException("no size for the symbolic dimension '" + s + "'");
            v *= n;
        }
        return v;
    }

    /** Whether this is one symbol, unscaled: a plain {@code dim_param}. */
    public boolean isSymbol() { return coefficient == 1 && symbols.size() == 1; }

    @Override
    public String toString() {
        String prod = String.join("*", symbols);
        return coefficient == 1 ? prod : coefficient + "*" + prod;
    }
}
