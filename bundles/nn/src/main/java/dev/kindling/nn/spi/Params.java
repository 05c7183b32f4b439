package dev.kindling.nn.spi;

import dev.kindling.api.Tensor;
import dev.kindling.api.Torch;
import dev.kindling.kernel.spi.ParameterSpec;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/**
 * A provider's parameters after checking: unknown and missing required ones are rejected by name, defaults are filled
 * in, and the getters convert what JSON, Java callers and the shell pass (numbers, strings such as {@code "3"} or
 * {@code "3,3"}, lists, arrays) and name the provider and the parameter when a value does not fit.
 */
public final class Params {
    private final String owner;
    private final Map<String, Object> values;

    private Params(String owner, Map<String, Object> values) {
        this.owner = owner;
        this.values = values;
    }

    /**
     * Checks {@code given} against {@code specs} and fills in defaults.
     *
     * @param owner how errors name the provider, e.g. {@code layer 'conv2d'}
     */
    public static Params check(String owner, List<ParameterSpec> specs, Map<String, ?> given) {
        Map<String, ?> in = given == null ? Map.of() : given;
        Map<String, ParameterSpec> byName = new LinkedHashMap<>();
        for (ParameterSpec p : specs) byName.put(p.name(), p);
        TreeSet<String> unknown = new TreeSet<>(in.keySet());
        unknown.removeAll(byName.keySet());
        List<String> missing = new ArrayList<>();
        for (ParameterSpec p : specs) if (p.required() && in.get(p.name()) == null) missing.add(p.name());
        if (!unknown.isEmpty() || !missing.isEmpty()) {
            StringBuilder sb = new StringBuilder(owner).append(": ");
            if (!unknown.isEmpty()) sb.append("unknown parameter").append(unknown.size() > 1 ? "s " : " ").append(String.join(", ", quote(unknown)));
            if (!missing.isEmpty()) {
                if (!unknown.isEmpty()) sb.append("; ");
                sb.append("missing required parameter").append(missing.size() > 1 ? "s " : " ").append(String.join(", ", quote(missing)));
            }
            sb.append(specs.isEmpty() ? " (it takes no parameters)" : " (accepted: " + specs + ")");
            throw new IllegalArgumentException(sb.toString());
        }
        Map<String, Object> values = new LinkedHashMap<>();
        for (ParameterSpec p : specs) values.put(p.name(), in.containsKey(p.name()) ? in.get(p.name()) : p.defaultValue());
        return new Params(owner, values);
    }

    private static List<String> quote(Collection<String> names) {
        List<String> out = new ArrayList<>();
        for (String n : names) out.add("'" + n + "'");
        return out;
    }

    /** The value as given (or the default), unconverted. */
    public Object raw(String name) { return values.get(name); }

    /** Whether the parameter has a non-null value (given or default). */
    public boolean has(String name) { return values.get(name) != null && !isNone(values.get(name)); }

    public int integer(String name) {
        Object v = require(name);
        long l = toLong(name, v);
        if (l < Integer.MIN_VALUE || l > Integer.MAX_VALUE) throw bad(name, v, "an int");
        return (int) l;
    }

    /** An int, or null when absent/null/"none". */
    public Integer optInteger(String name) { return has(name) ? integer(name) : null; }

    public long longValue(String name) { return toLong(name, require(name)); }

    public double number(String name) {
        Object v = require(name);
        if (v instanceof Number) return ((Number) v).doubleValue();
        try {
            return Double.parseDouble(v.toString().trim());
        } catch (NumberFormatException e) {
            throw bad(name, v, "a number");
        }
    }

    /** A number, or null when absent/null/"none". */
    public Double optNumber(String name) { return has(name) ? number(name) : null; }

    public boolean bool(String name) {
        Object v = require(name);
        if (v instanceof Boolean) return (Boolean) v;
        switch (v.toString().trim().toLowerCase(Locale.ROOT)) {
            case "true": return true;
            case "false": return false;
            default: throw bad(name, v, "true or false");
        }
    }

    public String string(String name) { return has(name) ? values.get(name).toString() : null; }

    /** A string that must be one of {@code allowed}. */
    public String choice(String name, String... allowed) {
        String s = string(name);
        for (String a : allowed) if (a.equals(s)) return s;
        throw bad(name, values.get(name), "one of " + String.join(", ", allowed));
    }

    /**
     * An int or a list of ints, as given: {@code 3} gives {@code {3}}, {@code [3, 5]} and {@code "3,5"} give
     * {@code {3, 5}}.
     */
    public int[] ints(String name) {
        List<Object> items = items(name);
        int[] out = new int[items.size()];
        for (int i = 0; i < out.length; i++) {
            long l = toLong(name, items.get(i));
            out[i] = (int) l;
        }
        if (out.length == 0) throw bad(name, values.get(name), "an int or a list of ints");
        return out;
    }

    /** {@link #ints(String)} of exactly 1 or {@code n} values. */
    public int[] ints(String name, int n) {
        int[] v = ints(name);
        if (v.length != 1 && v.length != n) throw bad(name, values.get(name), "an int or a list of " + n + " ints");
        return v;
    }

    public long[] longs(String name) {
        int[] v = ints(name);
        long[] out = new long[v.length];
        for (int i = 0; i < v.length; i++) out[i] = v[i];
        return out;
    }

    /** A FLOAT32 tensor from a Tensor, a list or array of numbers, or {@code "1,2,3"}; null when absent. */
    public Tensor tensor(String name) {
        if (!has(name)) return null;
        Object v = values.get(name);
        if (v instanceof Tensor) return (Tensor) v;
        List<Object> items = items(name);
        double[] d = new double[items.size()];
        for (int i = 0; i < d.length; i++) {
            Object o = items.get(i);
            try {
                d[i] = o instanceof Number ? ((Number) o).doubleValue() : Double.parseDouble(o.toString().trim());
            } catch (NumberFormatException e) {
                throw bad(name, v, "a list of numbers");
            }
        }
        return Torch.tensor(d, d.length).toFloat();
    }

    /** A list of JSON-like objects (maps), e.g. the layers of a sequential. */
    @SuppressWarnings("unchecked")
    public List<Map<String, Object>> objects(String name) {
        Object v = require(name);
        if (!(v instanceof Collection)) throw bad(name, v, "a list of objects");
        List<Map<String, Object>> out = new ArrayList<>();
        for (Object o : (Collection<?>) v) {
            if (!(o instanceof Map)) throw bad(name, v, "a list of objects");
            out.add((Map<String, Object>) o);
        }
        return out;
    }

    private List<Object> items(String name) {
        Object v = require(name);
        List<Object> out = new ArrayList<>();
        if (v instanceof Collection) {
            out.addAll((Collection<?>) v);
        } else if (v instanceof int[]) {
            for (int i : (int[]) v) out.add(i);
        } else if (v instanceof long[]) {
            for (long i : (long[]) v) out.add(i);
        } else if (v instanceof double[]) {
            for (double i : (double[]) v) out.add(i);
        } else if (v instanceof float[]) {
            for (float i : (float[]) v) out.add(i);
        } else if (v instanceof Object[]) {
            out.addAll(List.of((Object[]) v));
        } else if (v instanceof Number) {
            out.add(v);
        } else {
            String s = v.toString().trim();
            if (s.startsWith("[") && s.endsWith("]")) s = s.substring(1, s.length() - 1);
            if (s.startsWith("(") && s.endsWith(")")) s = s.substring(1, s.length() - 1);
            for (String part : s.split(",")) if (!part.isBlank()) out.add(part.trim());
        }
        return out;
    }

    private Object require(String name) {
        if (!values.containsKey(name)) throw new IllegalStateException(owner + " reads parameter '" + name + "', which it does not declare");
        Object v = values.get(name);
        if (v == null || isNone(v)) throw new IllegalArgumentException(owner + ": parameter '" + name + "' needs a value");
        return v;
    }

    private static boolean isNone(Object v) {
        return v instanceof String && (((String) v).equalsIgnoreCase("none") || ((String) v).equalsIgnoreCase("null"));
    }

    private long toLong(String name, Object v) {
        if (v instanceof Number) {
            double d = ((Number) v).doubleValue();
            if (d != Math.rint(d) || Double.isInfinite(d)) throw bad(name, v, "an integer");
            return ((Number) v).longValue();
        }
        try {
            return Long.parseLong(v.toString().trim());
        } catch (NumberFormatException e) {
            throw bad(name, v, "an integer");
        }
    }

    private IllegalArgumentException bad(String name, Object v, String expected) {
        String shown = v instanceof String ? "\"" + v + "\"" : String.valueOf(v);
        if (v instanceof int[]) shown = java.util.Arrays.toString((int[]) v);
        return new IllegalArgumentException(owner + ": parameter '" + name + "' must be " + expected + ", got " + shown);
    }
}
