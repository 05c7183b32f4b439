package dev.kindling.backend.cuda;

import jcuda.Pointer;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The parameter lists of the PTX's kernels, read from the PTX text. A launch whose Java arguments do not match the
 * kernel's parameters in number, size and kind would read garbage on the device; checking every launch against the
 * PTX turns that into an exception that names the kernel and the argument.
 */
final class PtxSignatures {
    /** One kernel parameter: its PTX type ({@code u64}, {@code u32}, {@code f64}, or {@code b8} for structs) and size. */
    record Param(String type, int bytes) {}

    private static final Pattern ENTRY = Pattern.compile("\\.visible\\s+\\.entry\\s+(\\w+)\\s*\\(([^)]*)\\)");
    private static final Pattern PARAM = Pattern.compile("\\.param\\s+(?:\\.align\\s+\\d+\\s+)?\\.(\\w+)(?:\\s+\\.ptr[^\\s]*)*(?:\\s+\\.\\w+\\s+\\d+)?\\s+\\w+(?:\\[(\\d+)])?");

    private final Map<String, List<Param>> kernels;

    private PtxSignatures(Map<String, List<Param>> kernels) { this.kernels = kernels; }

    static PtxSignatures parse(byte[] ptx) {
        String text = new String(ptx, StandardCharsets.US_ASCII);
        Map<String, List<Param>> out = new HashMap<>();
        Matcher e = ENTRY.matcher(text);
        while (e.find()) {
            List<Param> params = new ArrayList<>();
            for (String p : e.group(2).split(",")) {
                if (p.isBlank()) continue;
                Matcher m = PARAM.matcher(p.trim());
                if (!m.find()) throw new IllegalStateException("unreadable parameter of kernel " + e.group(1) + ": " + p.trim());
                String type = m.group(1);
                int bytes = m.group(2) != null ? Integer.parseInt(m.group(2)) : Integer.parseInt(type.substring(1)) / 8;
                params.add(new Param(type, bytes));
            }
            out.put(e.group(1), List.copyOf(params));
        }
        return new PtxSignatures(out);
    }

    boolean has(String kernel) { return kernels.containsKey(kernel); }

    List<Param> params(String kernel) { return kernels.get(kernel); }

    java.util.Set<String> names() { return kernels.keySet(); }

    /** Throws if {@code args} cannot be the arguments of {@code kernel}. */
    void check(String kernel, Object[] args) {
        List<Param> ps = kernels.get(kernel);
        if (ps == null) throw new IllegalStateException("the PTX has no kernel " + kernel);
        if (ps.size() != args.length) {
            throw new IllegalStateException("kernel " + kernel + " takes " + ps.size() + " parameters, launched with " + args.length);
        }
        for (int i = 0; i < args.length; i++) {
            Param p = ps.get(i);
            Object a = args[i];
            String kind;
            int bytes;
            if (a instanceof long[]) { kind = "b8"; bytes = ((long[]) a).length * 8; }
            else if (a instanceof int[]) { kind = "b8"; bytes = ((int[]) a).length * 4; }
            else if (a instanceof Long || a instanceof Pointer) { kind = "u64"; bytes = 8; }
            else if (a instanceof Integer) { kind = "u32"; bytes = 4; }
            else if (a instanceof Double) { kind = "f64"; bytes = 8; }
            else throw new IllegalStateException("kernel " + kernel + ": unsupported argument " + i + " of type " + (a == null ? "null" : a.getClass().getName()));
            String want = p.type().equals("s64") || p.type().equals("b64") ? "u64" : p.type().equals("s32") || p.type().equals("b32") ? "u32" : p.type();
            if (!want.equals(kind) || p.bytes() != bytes) {
                throw new IllegalStateException("kernel " + kernel + ": argument " + i + " is " + kind + " (" + bytes + " bytes), the PTX expects "
                        + p.type() + " (" + p.bytes() + " bytes)");
            }
        }
    }
}
