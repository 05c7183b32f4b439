package dev.kindling.optim.internal;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.Collection;
import java.util.Iterator;
import java.util.Map;

/** Python-style text for values in messages and {@code toString()}, so they read as PyTorch prints them. */
public final class Py {
    private Py() {}

    /** Python's {@code repr(float)}: the shortest digits that round-trip, {@code 0.001}, {@code 1e-08}, {@code 1.0}. */
    public static String repr(double x) {
        if (Double.isNaN(x)) return "nan";
        if (Double.isInfinite(x)) return x > 0 ? "inf" : "-inf";
        if (x == 0) return (1 / x < 0) ? "-0.0" : "0.0";
        BigDecimal shortest = null;
        for (int p = 1; p <= 17; p++) {
            BigDecimal d = new BigDecimal(x).round(new MathContext(p));
            if (d.doubleValue() == x) {
                shortest = d;
                break;
            }
        }
        if (shortest == null) shortest = new BigDecimal(x).round(new MathContext(17));
        BigDecimal stripped = shortest.stripTrailingZeros();
        String digits = stripped.unscaledValue().abs().toString();
        int exp10 = digits.length() - 1 - stripped.scale(); // exponent of the leading digit
        String sign = x < 0 ? "-" : "";
        if (exp10 >= -4 && exp10 < 16) {
            String plain = stripped.abs().toPlainString();
            if (!plain.contains(".")) plain = plain + ".0";
            return sign + plain;
        }
        String mantissa = digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
        String e = String.format("%02d", Math.abs(exp10));
        return sign + mantissa + "e" + (exp10 < 0 ? "-" : "+") + e;
    }

    /** Python's repr of a plain value: {@code True}, {@code None}, {@code 'min'}, floats as {@link #repr(double)}. */
    public static String repr(Object v) {
        if (v == null) return "None";
        if (v instanceof Boolean b) return b ? "True" : "False";
        if (v instanceof Double || v instanceof Float) return repr(((Number) v).doubleValue());
        if (v instanceof Number) return v.toString();
        if (v instanceof CharSequence) return "'" + v + "'";
        if (v instanceof Collection<?> c) {
            StringBuilder sb = new StringBuilder("(");
            Iterator<?> it = c.iterator();
            while (it.hasNext()) {
                sb.append(repr(it.next()));
                if (it.hasNext()) sb.append(", ");
            }
            if (c.size() == 1) sb.append(',');
            return sb.append(')').toString();
        }
        if (v instanceof Map<?, ?> m) {
            StringBuilder sb = new StringBuilder("{");
            Iterator<? extends Map.Entry<?, ?>> it = m.entrySet().iterator();
            while (it.hasNext()) {
                Map.Entry<?, ?> e = it.next();
                sb.append(repr(e.getKey())).append(": ").append(repr(e.getValue()));
                if (it.hasNext()) sb.append(", ");
            }
            return sb.append('}').toString();
        }
        return String.valueOf(v);
    }

    /** A short type name for error messages: {@code Tensor}, {@code String}, {@code null}. */
    public static String typeName(Object v) {
        if (v == null) return "null";
        if (v instanceof dev.kindling.api.Tensor) return "Tensor";
        return v.getClass().getSimpleName().isEmpty() ? v.getClass().getName() : v.getClass().getSimpleName();
    }
}
