package dev.kindling.kernel.ops;

import java.util.Arrays;

/** The non-tensor arguments of one op call (dims, scalars, flags), positional as in the op's declaration. */
public final class Attrs {
    public static final Attrs NONE = new Attrs();
    private final Object[] values;

    private Attrs(Object... values) { this.values = values; }

    public static Attrs of(Object... values) { return values.length == 0 ? NONE : new Attrs(values); }

    public int size() { return values.length; }

    public Object get(int i) { return values[i]; }

    public int i(int i) { return ((Number) values[i]).intValue(); }

    public long l(int i) { return ((Number) values[i]).longValue(); }

    public double d(int i) { return ((Number) values[i]).doubleValue(); }

    public boolean b(int i) { return (Boolean) values[i]; }

    public int[] ints(int i) { return (int[]) values[i]; }

    public long[] longs(int i) { return (long[]) values[i]; }

    public String s(int i) { return (String) values[i]; }

    @Override
    public String toString() { return Arrays.deepToString(values); }
}
