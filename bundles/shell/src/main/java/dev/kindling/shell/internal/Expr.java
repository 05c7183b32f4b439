package dev.kindling.shell.internal;

import dev.kindling.api.DType;
import dev.kindling.api.Device;
import dev.kindling.api.Tensor;
import dev.kindling.api.Torch;

import java.lang.reflect.Array;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * A tiny evaluator for {@code kindling:calc}: Java-API-style calls on tensors with Python-like operators.
 *
 * <pre>
 * expr    := term (('+' | '-') term)*
 * term    := unary (('*' | '/' | '@') unary)*
 * unary   := '-' unary | power
 * power   := postfix ('**' unary)?
 * postfix := primary ('.' name ['(' args ')'] | '[' slice spec ']')*
 * primary := number | 'string' | "string" | '[' args ']' | name ['(' args ')'] | '(' expr ')'
 * </pre>
 *
 * A call {@code name(args)} is a {@link Torch} static method ({@code ones(2,3)}, {@code arange(6)}, {@code eye(3)});
 * if Torch has none of that name it is a method of the first argument ({@code relu(x)} = {@code x.relu()}).
 * {@code .name(args)} calls a {@link Tensor} method, {@code .name} a method without arguments. {@code [..]} after a
 * value is {@link Tensor#index(String)} ({@code x[1:, ::2]}); a bracketed list elsewhere is a tensor literal (INT64 if
 * all elements are integers, else FLOAT32). Names: dtypes ({@code float64}, {@code long}, ...), {@code true},
 * {@code false}, {@code pi}, {@code inf}, {@code nan}. Overloads are chosen by how well the arguments fit.
 */
final class Expr {
    private final String src;
    private int pos;

    private Expr(String src) { this.src = src; }

    /** Evaluates {@code source}; errors in the expression are {@link IllegalArgumentException}s naming the position. */
    static Object eval(String source) {
        Expr p = new Expr(source);
        Object v = p.expr();
        p.skipBlanks();
        if (p.pos < p.src.length()) throw p.error("unexpected '" + p.src.charAt(p.pos) + "'");
        return v instanceof ListValue ? ((ListValue) v).toTensor() : v;
    }

    /** Evaluates and formats the result as the shell prints it. */
    static String evalToString(String source) { return render(eval(source)); }

    static String render(Object v) {
        if (v == null) return "null";
        if (v instanceof ListValue) return render(((ListValue) v).toTensor());
        if (v.getClass().isArray()) {
            List<String> parts = new ArrayList<>();
            for (int i = 0; i < Array.getLength(v); i++) parts.add(render(Array.get(v, i)));
            return "[" + String.join(", ", parts) + "]";
        }
        if (v instanceof List) {
            List<String> parts = new ArrayList<>();
            for (Object o : (List<?>) v) parts.add(render(o));
            return "[" + String.join(",\n ", parts) + "]";
        }
        return String.valueOf(v);
    }

    // ---------------------------------------------------------------- parser

    private Object expr() {
        Object v = term();
        while (true) {
            if (eat("+")) v = binary('+', v, term());
            else if (peekMinus()) { pos++; v = binary('-', v, term()); }
            else return v;
        }
    }

    private boolean peekMinus() {
        skipBlanks();
        return pos < src.length() && src.charAt(pos) == '-';
    }

    private Object term() {
        Object v = unary();
        while (true) {
            if (eat("*")) v = binary('*', v, unary());
            else if (eat("/")) v = binary('/', v, unary());
            else if (eat("@")) v = binary('@', v, unary());
            else return v;
        }
    }

    private Object unary() {
        if (eat("-")) {
            Object v = unary();
            if (v instanceof Long) return -(Long) v;
            if (v instanceof Double) return -(Double) v;
            return asTensor(v, "-").neg();
        }
        if (eat("+")) return unary();
        return power();
    }

    private Object power() {
        Object base = postfix();
        if (eat("**")) {
            Object exp = unary();
            if (base instanceof Number && exp instanceof Number) {
                double r = Math.pow(((Number) base).doubleValue(), ((Number) exp).doubleValue());
                return base instanceof Long && exp instanceof Long && (Long) exp >= 0 ? (Object) (long) r : (Object) r;
            }
            if (exp instanceof Long) return asTensor(base, "**").pow((long) (Long) exp);
            if (exp instanceof Number) return asTensor(base, "**").pow(((Number) exp).doubleValue());
            return asTensor(base, "**").pow(asTensor(exp, "**"));
        }
        return base;
    }

    private Object postfix() {
        Object v = primary();
        while (true) {
            if (eat(".")) {
                String name = name();
                List<Object> args = eat("(") ? args(")") : List.of();
                v = invokeMethod(v, name, args);
            } else if (eat("[")) {
                int end = matching(pos - 1);
                String spec = src.substring(pos, end);
                pos = end + 1;
                v = asTensor(v, "[]").index(spec);
            } else {
                return v;
            }
        }
    }

    private Object primary() {
        skipBlanks();
        if (pos >= src.length()) throw error("unexpected end of expression");
        char c = src.charAt(pos);
        if (c == '(') {
            pos++;
            Object v = expr();
            expect(")");
            return v;
        }
        if (c == '[') {
            pos++;
            return new ListValue(args("]"));
        }
        if (c == '\'' || c == '"') {
            int end = src.indexOf(c, pos + 1);
            if (end < 0) throw error("unterminated string");
            String s = src.substring(pos + 1, end);
            pos = end + 1;
            return s;
        }
        if (Character.isDigit(c) || c == '.') return number();
        if (Character.isJavaIdentifierStart(c)) {
            String name = name();
            if (eat("(")) return call(name, args(")"));
            return constant(name);
        }
        throw error("unexpected '" + c + "'");
    }

    private List<Object> args(String close) {
        List<Object> out = new ArrayList<>();
        if (eat(close)) return out;
        do {
            out.add(expr());
        } while (eat(","));
        expect(close);
        return out;
    }

    private Object number() {
        int start = pos;
        boolean floating = false;
        while (pos < src.length()) {
            char c = src.charAt(pos);
            if (Character.isDigit(c) || c == '_') pos++;
            else if (c == '.' && !floating && !(pos + 1 < src.length() && Character.isJavaIdentifierStart(src.charAt(pos + 1)))) {
                floating = true;
                pos++;
            } else if ((c == 'e' || c == 'E') && pos > start) {
                floating = true;
                pos++;
                if (pos < src.length() && (src.charAt(pos) == '+' || src.charAt(pos) == '-')) pos++;
            } else break;
        }
        String text = src.substring(start, pos).replace("_", "");
        try {
            return floating ? (Object) Double.parseDouble(text) : (Object) Long.parseLong(text);
        } catch (NumberFormatException e) {
            pos = start;
            throw error("bad number '" + text + "'");
        }
    }

    private String name() {
        skipBlanks();
        int start = pos;
        if (pos >= src.length() || !Character.isJavaIdentifierStart(src.charAt(pos))) throw error("expected a name");
        while (pos < src.length() && Character.isJavaIdentifierPart(src.charAt(pos))) pos++;
        return src.substring(start, pos);
    }

    private static Object constant(String name) {
        switch (name) {
            case "true": return Boolean.TRUE;
            case "false": return Boolean.FALSE;
            case "pi": return Math.PI;
            case "inf": return Double.POSITIVE_INFINITY;
            case "nan": return Double.NaN;
            default:
                try {
                    return DType.of(name);
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("unknown name '" + name + "' (names are dtypes such as float64, "
                            + "true, false, pi, inf, nan; functions need parentheses, e.g. " + name + "())");
                }
        }
    }

    /** Index of the bracket that closes the one at {@code open}. */
    private int matching(int open) {
        int depth = 0;
        for (int i = open; i < src.length(); i++) {
            char c = src.charAt(i);
            if (c == '[') depth++;
            else if (c == ']' && --depth == 0) return i;
        }
        pos = open;
        throw error("unclosed '['");
    }

    private void skipBlanks() {
        while (pos < src.length() && Character.isWhitespace(src.charAt(pos))) pos++;
    }

    private boolean peek(String token) {
        skipBlanks();
        return src.startsWith(token, pos);
    }

    private boolean eat(String token) {
        if (!peek(token)) return false;
        if (token.equals("*") && src.startsWith("**", pos)) return false;
        pos += token.length();
        return true;
    }

    private void expect(String token) {
        if (!eat(token)) {
            throw error(pos >= src.length() ? "expected '" + token + "' at the end" : "expected '" + token + "'");
        }
    }

    private IllegalArgumentException error(String msg) {
        return new IllegalArgumentException(msg + " at position " + (pos + 1) + " in: " + src);
    }

    // ---------------------------------------------------------------- operators

    private static Object binary(char op, Object a, Object b) {
        if (a instanceof Number && b instanceof Number) return scalar(op, (Number) a, (Number) b);
        String sym = op == '@' ? "@" : String.valueOf(op);
        if (op == '@') return asTensor(a, sym).matmul(asTensor(b, sym));
        if (a instanceof Number) { // scalar op tensor
            Tensor t = asTensor(b, sym);
            double s = ((Number) a).doubleValue();
            switch (op) {
                case '+': return a instanceof Long ? t.add((long) (Long) a) : t.add(s);
                case '*': return a instanceof Long ? t.mul((long) (Long) a) : t.mul(s);
                case '-': return a instanceof Long ? t.neg().add((long) (Long) a) : t.neg().add(s);
                default: return t.reciprocal().mul(s);
            }
        }
        Tensor t = asTensor(a, sym);
        if (b instanceof Long) {
            long s = (Long) b;
            switch (op) {
                case '+': return t.add(s);
                case '-': return t.sub(s);
                case '*': return t.mul(s);
                default: return t.div(s);
            }
        }
        if (b instanceof Number) {
            double s = ((Number) b).doubleValue();
            switch (op) {
                case '+': return t.add(s);
                case '-': return t.sub(s);
                case '*': return t.mul(s);
                default: return t.div(s);
            }
        }
        Tensor u = asTensor(b, sym);
        switch (op) {
            case '+': return t.add(u);
            case '-': return t.sub(u);
            case '*': return t.mul(u);
            default: return t.div(u);
        }
    }

    private static Object scalar(char op, Number a, Number b) {
        if (a instanceof Long && b instanceof Long && op != '/' && op != '@') {
            long x = (Long) a, y = (Long) b;
            return op == '+' ? x + y : op == '-' ? x - y : x * y;
        }
        double x = a.doubleValue(), y = b.doubleValue();
        switch (op) {
            case '+': return x + y;
            case '-': return x - y;
            case '*': return x * y;
            case '/': return x / y;
            default: throw new IllegalArgumentException("'@' needs tensors, got numbers " + a + " and " + b);
        }
    }

    private static Tensor asTensor(Object v, String op) {
        if (v instanceof Tensor) return (Tensor) v;
        if (v instanceof ListValue) return ((ListValue) v).toTensor();
        if (v instanceof Long) return Torch.tensor((long) (Long) v);
        if (v instanceof Number) return Torch.tensor(((Number) v).doubleValue());
        throw new IllegalArgumentException("'" + op + "' needs a tensor or a number, got " + describe(v));
    }

    private static String describe(Object v) {
        return v == null ? "null" : v.getClass().getSimpleName() + " " + render(v);
    }

    // ---------------------------------------------------------------- calls

    private static Object call(String name, List<Object> args) {
        if (name.equals("tensor") && !args.isEmpty() && args.get(0) instanceof ListValue) {
            ListValue list = (ListValue) args.get(0);
            if (args.size() == 1) return list.toTensor();
            if (args.size() == 2 && args.get(1) instanceof DType) return list.toTensor((DType) args.get(1));
        }
        List<Method> statics = methods(Torch.class, name, true);
        if (!statics.isEmpty()) return invoke(null, statics, name, args);
        if (!args.isEmpty() && (args.get(0) instanceof Tensor || args.get(0) instanceof ListValue)) {
            return invokeMethod(asTensor(args.get(0), name), name, args.subList(1, args.size()));
        }
        throw new IllegalArgumentException("unknown function '" + name + "'");
    }

    private static Object invokeMethod(Object target, String name, List<Object> args) {
        if (target instanceof ListValue) target = ((ListValue) target).toTensor();
        if (target == null) throw new IllegalArgumentException("cannot call ." + name + "() on null");
        Class<?> type = target instanceof Tensor ? Tensor.class : target instanceof List ? List.class : target.getClass();
        if (!Modifier.isPublic(type.getModifiers())) {
            throw new IllegalArgumentException("cannot call ." + name + "() on " + describe(target));
        }
        List<Method> candidates = methods(type, name, false);
        if (candidates.isEmpty()) {
            throw new IllegalArgumentException(type.getSimpleName() + " has no method '" + name + "'");
        }
        return invoke(target, candidates, name, args);
    }

    private static List<Method> methods(Class<?> type, String name, boolean statics) {
        List<Method> out = new ArrayList<>();
        for (Method m : type.getMethods()) {
            if (m.getName().equals(name) && Modifier.isStatic(m.getModifiers()) == statics) out.add(m);
        }
        out.sort(Comparator.comparing(Method::toString)); // deterministic among equal scores
        return out;
    }

    private static Object invoke(Object target, List<Method> candidates, String name, List<Object> args) {
        Method best = null;
        Object[] bestArgs = null;
        int bestScore = -1;
        for (Method m : candidates) {
            Object[] converted = new Object[m.getParameterCount()];
            int score = match(m, args, converted);
            if (score > bestScore) {
                best = m;
                bestArgs = converted;
                bestScore = score;
            }
        }
        if (best == null) {
            StringBuilder sb = new StringBuilder("no overload of '" + name + "' takes (");
            for (int i = 0; i < args.size(); i++) sb.append(i > 0 ? ", " : "").append(describe(args.get(i)));
            sb.append("); candidates:");
            for (Method m : candidates) sb.append("\n  ").append(signature(m));
            throw new IllegalArgumentException(sb.toString());
        }
        try {
            return best.invoke(target, bestArgs);
        } catch (InvocationTargetException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException) throw (RuntimeException) cause;
            if (cause instanceof Error) throw (Error) cause;
            throw new IllegalStateException(cause);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String signature(Method m) {
        StringBuilder sb = new StringBuilder(m.getName()).append('(');
        Class<?>[] p = m.getParameterTypes();
        for (int i = 0; i < p.length; i++) {
            if (i > 0) sb.append(", ");
            sb.append(m.isVarArgs() && i == p.length - 1 ? p[i].getComponentType().getSimpleName() + "..." : p[i].getSimpleName());
        }
        return sb.append(')').toString();
    }

    /** Fills {@code out} and returns a score (higher fits better), or -1 when the arguments do not fit. */
    private static int match(Method m, List<Object> args, Object[] out) {
        Class<?>[] p = m.getParameterTypes();
        int fixed = m.isVarArgs() ? p.length - 1 : p.length;
        int score = 0;
        if (args.size() == p.length) { // direct, also a varargs method given an array
            boolean ok = true;
            for (int i = 0; i < p.length && ok; i++) {
                int s = convert(args.get(i), p[i], out, i);
                if (s < 0) ok = false;
                else score += s;
            }
            if (ok) return 1 + score * 4 + (m.isVarArgs() ? 0 : 2);
        }
        if (!m.isVarArgs() || args.size() < fixed) return -1;
        score = 0;
        for (int i = 0; i < fixed; i++) {
            int s = convert(args.get(i), p[i], out, i);
            if (s < 0) return -1;
            score += s;
        }
        Class<?> component = p[fixed].getComponentType();
        Object rest = Array.newInstance(component, args.size() - fixed);
        Object[] one = new Object[1];
        for (int i = fixed; i < args.size(); i++) {
            int s = convert(args.get(i), component, one, 0);
            if (s < 0) return -1;
            score += s;
            Array.set(rest, i - fixed, one[0]);
        }
        out[fixed] = rest;
        return score * 4;
    }

    /** Converts {@code v} to {@code type} into {@code out[i]}; returns 3 (exact) .. 1 (loose) or -1. */
    private static int convert(Object v, Class<?> type, Object[] out, int i) {
        if (type == Tensor.class) {
            if (v instanceof Tensor) { out[i] = v; return 3; }
            if (v instanceof ListValue || v instanceof Number) { out[i] = asTensor(v, "argument"); return 1; }
            return -1;
        }
        if (v instanceof Number) {
            Number n = (Number) v;
            boolean integral = v instanceof Long;
            if (type == long.class || type == Long.class) { if (!integral) return -1; out[i] = n.longValue(); return 3; }
            if (type == int.class || type == Integer.class) {
                if (!integral || n.longValue() != n.intValue()) return -1;
                out[i] = n.intValue();
                return 2;
            }
            if (type == double.class || type == Double.class) { out[i] = n.doubleValue(); return integral ? 2 : 3; }
            if (type == float.class || type == Float.class) { out[i] = n.floatValue(); return 1; }
            if (type == Object.class || type == Number.class) { out[i] = v; return 1; }
            return -1;
        }
        if (v instanceof ListValue && type.isArray()) {
            Object arr = ((ListValue) v).toArray(type.getComponentType());
            if (arr == null) return -1;
            out[i] = arr;
            return 3;
        }
        if (v instanceof String && type == Device.class) {
            out[i] = Device.of((String) v);
            return 2;
        }
        if (v != null && type.isInstance(v)) { out[i] = v; return 3; }
        if (v instanceof Boolean && type == boolean.class) { out[i] = v; return 3; }
        return -1;
    }

    /** A bracketed list literal; becomes a tensor or a Java array depending on where it is used. */
    static final class ListValue {
        final List<Object> items;

        ListValue(List<Object> items) { this.items = items; }

        Tensor toTensor() { return toTensor(null); }

        Tensor toTensor(DType dtype) {
            List<Long> shape = new ArrayList<>();
            List<Object> flat = new ArrayList<>();
            flatten(this, 0, shape, flat);
            long[] dims = shape.stream().mapToLong(Long::longValue).toArray();
            boolean allLong = flat.stream().allMatch(o -> o instanceof Long);
            boolean allBool = !flat.isEmpty() && flat.stream().allMatch(o -> o instanceof Boolean);
            if (allBool) {
                boolean[] data = new boolean[flat.size()];
                for (int i = 0; i < data.length; i++) data[i] = (Boolean) flat.get(i);
                return Torch.tensor(data, dtype == null ? DType.BOOL : dtype, dims);
            }
            if (allLong && !flat.isEmpty()) {
                long[] data = flat.stream().mapToLong(o -> (Long) o).toArray();
                return Torch.tensor(data, dtype == null ? DType.INT64 : dtype, dims);
            }
            double[] data = new double[flat.size()];
            for (int i = 0; i < data.length; i++) {
                Object o = flat.get(i);
                if (!(o instanceof Number)) throw new IllegalArgumentException("a tensor literal holds numbers, got " + describe(o));
                data[i] = ((Number) o).doubleValue();
            }
            return Torch.tensor(data, dtype == null ? DType.FLOAT32 : dtype, dims);
        }

        private static void flatten(Object v, int depth, List<Long> shape, List<Object> flat) {
            if (v instanceof ListValue) {
                List<Object> items = ((ListValue) v).items;
                if (shape.size() == depth) shape.add((long) items.size());
                else if (shape.get(depth) != items.size()) {
                    throw new IllegalArgumentException("ragged tensor literal: expected " + shape.get(depth)
                            + " elements at depth " + depth + ", got " + items.size());
                }
                for (Object o : items) flatten(o, depth + 1, shape, flat);
            } else {
                if (depth != shape.size()) throw new IllegalArgumentException("ragged tensor literal at depth " + depth);
                flat.add(v);
            }
        }

        /** A flat Java array of {@code component}, or null where the items do not fit. */
        Object toArray(Class<?> component) {
            Object arr = Array.newInstance(component, items.size());
            Object[] one = new Object[1];
            for (int i = 0; i < items.size(); i++) {
                if (convert(items.get(i), component, one, 0) < 0) return null;
                Array.set(arr, i, one[0]);
            }
            return arr;
        }

        @Override
        public String toString() { return items.toString(); }
    }
}
