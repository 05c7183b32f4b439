package dev.kindling.optim.internal;

import dev.kindling.api.Tensor;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * Conversions of plain values (as they come from Java code, JSON parsers or state dicts: any {@link Number},
 * numeric strings, lists and arrays) to the types the optimizers and schedulers compute with.
 */
public final class Values {
    private Values() {}

    /** The form names are compared in: case and underscores ignored, so {@code weight_decay} equals {@code weightDecay}. */
    public static String normalize(String name) {
        return name.replace("_", "").toLowerCase(Locale.ROOT);
    }

    public static boolean isNumber(Object v) {
        return v instanceof Number || (v instanceof Tensor t && t.numel() == 1);
    }

    public static double toDouble(Object v, String what) {
        if (v instanceof Number n) return n.doubleValue();
        if (v instanceof Tensor t && t.numel() == 1) return t.item();
        if (v instanceof String s) {
            try {
                return Double.parseDouble(s.trim());
            } catch (NumberFormatException e) {
                // fall through to the error below
            }
        }
        throw new IllegalArgumentException(what + " must be a number, but got " + describe(v));
    }

    public static long toLong(Object v, String what) {
        double d;
        if (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte) return ((Number) v).longValue();
        d = toDouble(v, what);
        if (d != Math.rint(d) || Double.isInfinite(d)) {
            throw new IllegalArgumentException(what + " must be an integer, but got " + describe(v));
        }
        return (long) d;
    }

    public static int toInt(Object v, String what) {
        long l = toLong(v, what);
        if (l != (int) l) throw new IllegalArgumentException(what + " is out of range: " + l);
        return (int) l;
    }

    public static boolean toBoolean(Object v, String what) {
        if (v instanceof Boolean b) return b;
        if (v instanceof String s) {
            if (s.equalsIgnoreCase("true")) return true;
            if (s.equalsIgnoreCase("false")) return false;
        }
        throw new IllegalArgumentException(what + " must be a boolean, but got " + describe(v));
    }

    public static String toStr(Object v, String what) {
        if (v instanceof CharSequence s) return s.toString();
        throw new IllegalArgumentException(what + " must be a string, but got " + describe(v));
    }

    /** A list of numbers from a {@code double[]}, {@code float[]}, {@code int[]}, {@code long[]}, an Iterable or a number. */
    public static double[] toDoubles(Object v, String what) {
        if (v instanceof double[] a) return a.clone();
        if (v instanceof float[] a) {
            double[] r = new double[a.length];
            for (int i = 0; i < a.length; i++) r[i] = a[i];
            return r;
        }
        if (v instanceof int[] a) {
            double[] r = new double[a.length];
            for (int i = 0; i < a.length; i++) r[i] = a[i];
            return r;
        }
        if (v instanceof long[] a) {
            double[] r = new double[a.length];
            for (int i = 0; i < a.length; i++) r[i] = a[i];
            return r;
        }
        if (v instanceof Iterable<?> it) {
            List<Double> l = new ArrayList<>();
            int i = 0;
            for (Object o : it) l.add(toDouble(o, what + "[" + i++ + "]"));
            double[] r = new double[l.size()];
            for (int j = 0; j < r.length; j++) r[j] = l.get(j);
            return r;
        }
        if (v instanceof Tensor t) return t.toDoubleArray();
        if (isNumber(v)) return new double[] {toDouble(v, what)};
        throw new IllegalArgumentException(what + " must be a list of numbers, but got " + describe(v));
    }

    public static int[] toInts(Object v, String what) {
        if (v instanceof int[] a) return a.clone();
        if (v instanceof Iterable<?> it) {
            List<Integer> l = new ArrayList<>();
            int i = 0;
            for (Object o : it) l.add(toInt(o, what + "[" + i++ + "]"));
            return l.stream().mapToInt(Integer::intValue).toArray();
        }
        if (v instanceof long[] a) {
            int[] r = new int[a.length];
            for (int i = 0; i < a.length; i++) r[i] = toInt(a[i], what + "[" + i + "]");
            return r;
        }
        if (v instanceof Number) return new int[] {toInt(v, what)};
        throw new IllegalArgumentException(what + " must be a list of integers, but got " + describe(v));
    }

    public static List<Double> list(double... values) {
        List<Double> l = new ArrayList<>(values.length);
        for (double d : values) l.add(d);
        return Collections.unmodifiableList(l);
    }

    public static List<Integer> list(int... values) {
        List<Integer> l = new ArrayList<>(values.length);
        for (int d : values) l.add(d);
        return Collections.unmodifiableList(l);
    }

    /** Arrays become unmodifiable lists; lists are copied (unmodifiable); other values are kept. */
    public static Object plain(Object v) {
        if (v instanceof double[] a) return list(a);
        if (v instanceof float[] || v instanceof long[]) return list(toDoubles(v, "value"));
        if (v instanceof int[] a) return list(a);
        if (v instanceof List<?> l) return Collections.unmodifiableList(new ArrayList<>(l));
        return v;
    }

    public static String describe(Object v) {
        if (v == null) return "null";
        if (v instanceof CharSequence s) return "'" + s + "' (String)";
        if (v instanceof Tensor t) return "a Tensor of shape " + java.util.Arrays.toString(t.shape());
        return Py.repr(v) + " (" + Py.typeName(v) + ")";
    }
}
