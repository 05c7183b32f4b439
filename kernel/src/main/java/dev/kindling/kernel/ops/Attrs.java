package dev.kindling.kernel.ops;

import dev.kindling.api.DType;
import dev.kindling.api.Device;
import dev.kindling.api.schema.Argument;
import dev.kindling.kernel.spi.Window2d;

import java.util.Arrays;
import java.util.List;

/**
 * The non-tensor arguments of one op call (dims, scalars, flags), in the order of the op's schema. Attrs made with
 * {@link #of} are checked against the op's schema when the op is called ({@link OpDef#bind}): their number, and each
 * value's type, so a wrong call fails naming the op and the attribute. Bound attrs are read by name
 * ({@code a.i("dim")}); an attribute the call left out reads as its schema default.
 */
public final class Attrs {
    public static final Attrs NONE = new Attrs(null, new Object[0]);
    private final OpDef op;
    private final Object[] values;

    private Attrs(OpDef op, Object[] values) {
        this.op = op;
        this.values = values;
    }

    /** Attributes for a call, positional in schema order; checked when the call binds them to its op. */
    public static Attrs of(Object... values) { return values.length == 0 ? NONE : new Attrs(null, values); }

    /** The values themselves (not a copy), for binding. */
    Object[] values() { return values; }

    /** The op these attrs were checked against, or null while unbound. */
    OpDef op() { return op; }

    /** Bound without checks: for values the op itself made (its empty attrs). */
    static Attrs unchecked(OpDef op, Object[] values) { return new Attrs(op, values); }

    /** Checks {@code values} against {@code op}'s attribute schema and binds them to it. */
    static Attrs bind(OpDef op, Object[] values) {
        int n = op.attrNames.length;
        if (values.length > n) {
            throw new IllegalArgumentException(op.name() + "() takes " + n + " attribute(s) " + op.attributes() + " but got "
                    + values.length + ": " + Arrays.deepToString(values));
        }
        for (int i = 0; i < n; i++) {
            if (i >= values.length) {
                if (!op.attrHasDefault[i]) {
                    throw new IllegalArgumentException(op.name() + "() missing attribute '" + op.attrNames[i] + "' (" + op.attributes().get(i) + ")");
                }
                continue;
            }
            Object v = values[i];
            if (v == null ? !op.attrNullable[i] : !op.attrClasses[i].isInstance(v)) {
                Argument a = op.attributes().get(i);
                throw new IllegalArgumentException(op.name() + "(): attribute '" + a.name() + "' must be " + a.type()
                        + (a.nullable() ? " or null" : "") + ", got " + (v == null ? "null" : v.getClass().getSimpleName() + " " + str(v)));
            }
        }
        return new Attrs(op, values);
    }

    /** The Java class a schema type's values are instances of. */
    static Class<?> javaClass(String type) {
        switch (type) {
            case "int": case "long": case "double": return Number.class;
            case "boolean": return Boolean.class;
            case "int[]": return int[].class;
            case "long[]": return long[].class;
            case "str": return String.class;
            case "DType": return DType.class;
            case "Device": return Device.class;
            case "Window2d": return Window2d.class;
            default: throw new IllegalStateException("schema type without a Java class: " + type);
        }
    }

    public int size() { return values.length; }

    // ---- by name (bound attrs) ----
    private int index(String name) {
        if (op == null) throw new IllegalStateException("attributes " + this + " are not bound to an op: read them by position");
        String[] names = op.attrNames;
        for (int i = 0; i < names.length; i++) {
            if (names[i] == name) return i; // literals and the interned schema names: the usual case
        }
        for (int i = 0; i < names.length; i++) {
            if (names[i].equals(name)) return i;
        }
        throw new IllegalArgumentException(op.name() + "() has no attribute '" + name + "' (its attributes: " + op.attributes() + ")");
    }

    /** The named attribute's value, or its schema default when the call left it out. */
    public Object get(String name) {
        int i = index(name);
        return i < values.length ? values[i] : op.attrDefaults[i];
    }

    public int i(String name) { return ((Number) get(name)).intValue(); }

    public long l(String name) { return ((Number) get(name)).longValue(); }

    public double d(String name) { return ((Number) get(name)).doubleValue(); }

    public boolean b(String name) { return (Boolean) get(name); }

    public int[] ints(String name) { return (int[]) get(name); }

    public long[] longs(String name) { return (long[]) get(name); }

    public String s(String name) { return (String) get(name); }

    static Object defaultValue(Argument a) {
        String d = a.defaultValue();
        if (d.equals("None")) return null;
        switch (a.type()) {
            case "int": return Integer.valueOf(d);
            case "long": return Long.valueOf(d);
            case "double": return Double.valueOf(d);
            case "boolean": return Boolean.valueOf(d);
            case "str": return d.substring(1, d.length() - 1); // 'reduced'
            default: throw new IllegalStateException("no default literal for " + a.type() + " (" + a + ")");
        }
    }

    // ---- by position (schema order) ----
    /** The attribute at {@code i}; one the call left out reads as its schema default once bound. */
    public Object get(int i) {
        if (i < values.length || op == null) return values[i];
        return op.attrDefaults[i];
    }

    public int i(int i) { return ((Number) get(i)).intValue(); }

    public long l(int i) { return ((Number) get(i)).longValue(); }

    public double d(int i) { return ((Number) get(i)).doubleValue(); }

    public boolean b(int i) { return (Boolean) get(i); }

    public int[] ints(int i) { return (int[]) get(i); }

    public long[] longs(int i) { return (long[]) get(i); }

    private static String str(Object v) {
        return v instanceof int[] ? Arrays.toString((int[]) v) : v instanceof long[] ? Arrays.toString((long[]) v) : String.valueOf(v);
    }

    @Override
    public String toString() { return Arrays.deepToString(values); }
}
