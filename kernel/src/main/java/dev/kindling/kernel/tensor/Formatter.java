package dev.kindling.kernel.tensor;

import dev.kindling.api.DType;
import dev.kindling.api.Device;
import dev.kindling.api.autograd.GradFn;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code toString()} as PyTorch's {@code torch._tensor_str} with its default print options (precision 4, threshold
 * 1000, edgeitems 3, linewidth 80): the same int/fixed/scientific choice, alignment, summarisation and suffixes.
 * Numbers are rounded half-to-even on their exact binary value, as Python's format does.
 */
public final class Formatter {
    static final int PRECISION = 4;
    static final int THRESHOLD = 1000;
    static final int EDGEITEMS = 3;
    static final int LINEWIDTH = 80;

    private Formatter() {}

    /** PyTorch's {@code repr}: the elements, then device, dtype and the autograd suffix ({@code gradFn}, {@code requiresGrad}). */
    public static String format(TensorImpl t, GradFn fn, boolean requiresGrad) {
        String prefix = "tensor(";
        int indent = prefix.length();
        List<String> suffixes = new ArrayList<>();
        Device dev = t.device();
        if (!dev.isCpu()) suffixes.add("device='" + dev + "'");
        DType dt = t.dtype();
        boolean defaultDtype = dt == DType.FLOAT32 || dt == DType.INT64 || dt == DType.BOOL;
        String body;
        if (t.numel() == 0) {
            if (t.dim() != 1) suffixes.add("size=" + tupleStr(t.shapeRef()));
            if (dt != DType.FLOAT32) suffixes.add("dtype=" + dt);
            body = "[]";
        } else {
            if (!defaultDtype) suffixes.add("dtype=" + dt);
            body = tensorStr(t, indent);
        }
        if (fn != null) suffixes.add("grad_fn=<" + fn.name() + ">");
        else if (requiresGrad) suffixes.add("requires_grad=True");
        return addSuffixes(prefix + body, suffixes, indent);
    }

    private static String tupleStr(long[] shape) {
        StringBuilder sb = new StringBuilder("(");
        for (int i = 0; i < shape.length; i++) {
            if (i > 0) sb.append(", ");
            sb.append(shape[i]);
        }
        if (shape.length == 1) sb.append(',');
        return sb.append(')').toString();
    }

    private static String addSuffixes(String tensorStr, List<String> suffixes, int indent) {
        StringBuilder sb = new StringBuilder(tensorStr);
        int lastLineLen = tensorStr.length() - tensorStr.lastIndexOf('\n') + 1;
        for (String suffix : suffixes) {
            if (lastLineLen + suffix.length() + 2 > LINEWIDTH) {
                sb.append(",\n").append(" ".repeat(indent)).append(suffix);
                lastLineLen = indent + suffix.length();
            } else {
                sb.append(", ").append(suffix);
                lastLineLen += suffix.length() + 2;
            }
        }
        return sb.append(')').toString();
    }

    /** The elements on the host, as doubles (floats), longs (integers) or booleans, row-major. */
    private static final class Data {
        final long[] shape;
        final double[] f;
        final long[] l;
        final boolean[] b;
        final DType dtype;

        Data(TensorImpl t) {
            shape = t.shapeRef();
            dtype = t.dtype();
            Object raw = t.backend().toHost(t.view());
            if (dtype.isFloatingPoint()) {
                f = HostData.doubles(raw, dtype);
                l = null;
                b = null;
            } else if (dtype == DType.BOOL) {
                b = (boolean[]) raw;
                f = null;
                l = null;
            } else {
                l = HostData.longs(raw, dtype);
                f = null;
                b = null;
            }
        }
    }

    private static String tensorStr(TensorImpl t, int indent) {
        Data data = new Data(t);
        boolean summarize = t.numel() > THRESHOLD;
        List<Integer> sample = new ArrayList<>();
        collectSummarized(data.shape, 0, 0, summarize, sample);
        Fmt fmt = new Fmt(data, sample);
        StringBuilder sb = new StringBuilder();
        render(sb, data, fmt, 0, 0, indent, summarize);
        return sb.toString();
    }

    private static long[] suffixStrides(long[] shape) { return Shapes.contiguousStrides(shape); }

    /** Flat indices of the elements PyTorch's formatter looks at (all, or the summarised corners). */
    private static void collectSummarized(long[] shape, int dim, int base, boolean summarize, List<Integer> out) {
        if (shape.length == 0) {
            out.add(0);
            return;
        }
        long[] st = suffixStrides(shape);
        long n = shape[dim];
        for (long i = 0; i < n; i++) {
            if (summarize && n > 2 * EDGEITEMS && i == EDGEITEMS) i = n - EDGEITEMS;
            int idx = (int) (base + i * st[dim]);
            if (dim == shape.length - 1) out.add(idx);
            else collectSummarized(shape, dim + 1, idx, summarize, out);
        }
    }

    private static void render(StringBuilder sb, Data d, Fmt fmt, int dim, int base, int indent, boolean summarize) {
        long[] shape = d.shape;
        if (shape.length == 0) {
            sb.append(fmt.format(d, 0));
            return;
        }
        long[] st = suffixStrides(shape);
        long n = shape[dim];
        if (dim == shape.length - 1) {
            int elementLength = fmt.width + 2;
            int perLine = Math.max(1, (int) Math.floor((LINEWIDTH - indent) / (double) elementLength));
            List<String> items = new ArrayList<>();
            for (long i = 0; i < n; i++) {
                if (summarize && n > 2 * EDGEITEMS && i == EDGEITEMS) {
                    items.add(" ...");
                    i = n - EDGEITEMS;
                }
                items.add(fmt.format(d, (int) (base + i * st[dim])));
            }
            sb.append('[');
            for (int i = 0; i < items.size(); i++) {
                if (i > 0) {
                    if (i % perLine == 0) sb.append(",\n").append(" ".repeat(indent + 1));
                    else sb.append(", ");
                }
                sb.append(items.get(i));
            }
            sb.append(']');
            return;
        }
        int remaining = shape.length - dim;
        String sep = "," + "\n".repeat(remaining - 1) + " ".repeat(indent + 1);
        sb.append('[');
        boolean first = true;
        for (long i = 0; i < n; i++) {
            if (!first) sb.append(sep);
            first = false;
            if (summarize && n > 2 * EDGEITEMS && i == EDGEITEMS) {
                sb.append("...").append(sep);
                i = n - EDGEITEMS;
            }
            render(sb, d, fmt, dim + 1, (int) (base + i * st[dim]), indent + 1, summarize);
        }
        sb.append(']');
    }

    /** PyTorch's _Formatter: decides int/fixed/scientific mode and the column width. */
    private static final class Fmt {
        boolean floating;
        boolean intMode = true;
        boolean sciMode = false;
        int width = 1;

        Fmt(Data d, List<Integer> sample) {
            floating = d.dtype.isFloatingPoint();
            if (!floating) {
                for (int i : sample) width = Math.max(width, plain(d, i).length());
                return;
            }
            List<Double> vals = new ArrayList<>();
            for (int i : sample) {
                double v = d.f[i];
                if (Double.isFinite(v) && v != 0) vals.add(v);
            }
            if (vals.isEmpty()) return;
            double min = Double.MAX_VALUE;
            double max = 0;
            for (double v : vals) {
                min = Math.min(min, Math.abs(v));
                max = Math.max(max, Math.abs(v));
                if (v != Math.ceil(v)) intMode = false;
            }
            if (intMode) {
                if (max / min > 1000. || max > 1.e8) {
                    sciMode = true;
                    for (double v : vals) width = Math.max(width, sci(v).length());
                } else {
                    for (double v : vals) width = Math.max(width, fixed(v, 0).length() + 1);
                }
            } else {
                if (max / min > 1000. || max > 1.e8 || min < 1.e-4) {
                    sciMode = true;
                    for (double v : vals) width = Math.max(width, sci(v).length());
                } else {
                    for (double v : vals) width = Math.max(width, fixed(v, PRECISION).length());
                }
            }
        }

        String format(Data d, int i) {
            String ret;
            if (floating) {
                double v = d.f[i];
                if (sciMode) {
                    ret = sci(v);
                } else if (intMode) {
                    ret = fixed(v, 0);
                    if (Double.isFinite(v)) ret += ".";
                } else {
                    ret = fixed(v, PRECISION);
                }
            } else {
                ret = plain(d, i);
            }
            return ret.length() >= width ? ret : " ".repeat(width - ret.length()) + ret;
        }
    }

    private static String plain(Data d, int i) {
        if (d.b != null) return d.b[i] ? "True" : "False";
        return Long.toString(d.l[i]);
    }

    /** Python's {@code '{:.Nf}'.format(v)}. */
    static String fixed(double v, int digits) {
        if (Double.isNaN(v)) return "nan";
        if (Double.isInfinite(v)) return v > 0 ? "inf" : "-inf";
        String s = new BigDecimal(v).setScale(digits, RoundingMode.HALF_EVEN).toPlainString();
        if (v < 0 || (v == 0 && 1 / v < 0)) {
            if (!s.startsWith("-")) s = "-" + s;
        }
        return s;
    }

    /** Python's {@code '{:.4e}'.format(v)}. */
    static String sci(double v) {
        if (Double.isNaN(v)) return "nan";
        if (Double.isInfinite(v)) return v > 0 ? "inf" : "-inf";
        if (v == 0) return (1 / v < 0 ? "-" : "") + "0." + "0".repeat(PRECISION) + "e+00";
        BigDecimal bd = new BigDecimal(v).round(new MathContext(PRECISION + 1, RoundingMode.HALF_EVEN));
        String digits = bd.unscaledValue().abs().toString();
        int exp = digits.length() - 1 - bd.scale();
        while (digits.length() < PRECISION + 1) digits += "0";
        digits = digits.substring(0, PRECISION + 1);
        String mant = digits.charAt(0) + "." + digits.substring(1);
        String e = String.format("%s%02d", exp < 0 ? "-" : "+", Math.abs(exp));
        return (v < 0 ? "-" : "") + mant + "e" + e;
    }
}
