package dev.kindling.nn.internal;

import java.math.BigDecimal;
import java.util.Arrays;
import java.util.stream.Collectors;

/** Python's spelling of values, for {@code extra_repr} strings that print as PyTorch's. */
public final class Py {
    private Py() {}

    /** {@code repr(float)}: shortest round-trip digits, exponent form below 1e-4 and from 1e16 ({@code 1e-05}, {@code 0.1}). */
    public static String repr(double v) {
        if (Double.isNaN(v)) return "nan";
        if (Double.isInfinite(v)) return v > 0 ? "inf" : "-inf";
        if (v == 0) return (1 / v < 0) ? "-0.0" : "0.0";
        BigDecimal d = new BigDecimal(Double.toString(v)).stripTrailingZeros();
        String digits = d.unscaledValue().abs().toString();
        int decpt = digits.length() - d.scale(); // value = 0.digits * 10^decpt
        String sign = v < 0 ? "-" : "";
        if (decpt > -4 && decpt <= 16) {
            if (decpt <= 0) return sign + "0." + "0".repeat(-decpt) + digits;
            if (decpt >= digits.length()) return sign + digits + "0".repeat(decpt - digits.length()) + ".0";
            return sign + digits.substring(0, decpt) + "." + digits.substring(decpt);
        }
        int exp = decpt - 1;
        String mantissa = digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
        return sign + mantissa + "e" + (exp < 0 ? "-" : "+") + (Math.abs(exp) < 10 ? "0" : "") + Math.abs(exp);
    }

    /** {@code True} / {@code False}. */
    public static String repr(boolean b) { return b ? "True" : "False"; }

    /** A string as Python's repr: {@code 'none'}. */
    public static String repr(String s) { return s == null ? "None" : "'" + s + "'"; }

    /** A tuple: {@code (3, 3)}, {@code (3,)}. */
    public static String tuple(int... values) {
        if (values.length == 1) return "(" + values[0] + ",)";
        return Arrays.stream(values).mapToObj(Integer::toString).collect(Collectors.joining(", ", "(", ")"));
    }

    public static String tuple(long... values) {
        if (values.length == 1) return "(" + values[0] + ",)";
        return Arrays.stream(values).mapToObj(Long::toString).collect(Collectors.joining(", ", "(", ")"));
    }

    /** {@code torch.Size([3, 4])}. */
    public static String size(long[] shape) {
        return Arrays.stream(shape).mapToObj(Long::toString).collect(Collectors.joining(", ", "torch.Size([", "])"));
    }
}
