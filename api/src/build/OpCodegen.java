import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Generates the API forms of the op table from {@code native_functions.schema} (run by the api module's build, as a
 * single-file program: {@code java OpCodegen.java SCHEMA OUTPUT_DIR}):
 * <ul>
 *   <li>{@code dev/kindling/api/schema/NativeFunctions.java}: every op's {@code FunctionSchema}, in-place variants
 *       included;</li>
 *   <li>{@code dev/kindling/api/TensorMethods.java}: a default method per op tagged {@code method};</li>
 *   <li>{@code dev/kindling/api/TorchFunctions.java}: a static function per op tagged {@code function}.</li>
 * </ul>
 * The forms call {@code Tensor.callOp}, so the kernel's dispatcher (and autograd) see them as any other op. A malformed
 * line fails the build with its file and line number.
 */
public final class OpCodegen {
    private static final Set<String> ATTRIBUTE_TYPES =
            Set.of("int", "long", "double", "boolean", "int[]", "long[]", "str", "DType", "Device", "Window2d");
    private static final Set<String> TAGS =
            Set.of("differentiable", "composite", "functional", "nondifferentiable", "view", "inplace", "method", "function");
    private static final Pattern LINE = Pattern.compile("([a-z_][a-z0-9_]*)\\((.*)\\)\\s*->\\s*(Tensor|\\(([^)]*)\\))\\s*(?:\\|(.*))?");
    private static final Pattern ARG = Pattern.compile("(Tensor\\[\\]|Tensor|[A-Za-z0-9]+(?:\\[\\])?)(\\?)?\\s+([a-z_][a-z0-9_]*)(?:\\s*=\\s*(\\S+))?");

    record Arg(String name, String type, boolean nullable, String def) {
        boolean tensor() { return type.startsWith("Tensor"); }
    }

    record Op(String name, List<Arg> args, List<String> returns, String kind, boolean view, boolean inPlace,
              boolean hasInPlaceVariant, boolean method, boolean function, List<String> doc) {}

    public static void main(String[] argv) throws IOException {
        if (argv.length != 4) {
            throw new IllegalArgumentException("usage: java OpCodegen.java SCHEMA TORCH_FUNCTIONS TENSOR_JAVA OUTPUT_DIR");
        }
        Path schema = Path.of(argv[0]);
        Path out = Path.of(argv[3]);
        List<Op> ops = parse(schema);
        List<String> methodForms = methodForms(Path.of(argv[1]), Path.of(argv[2]));
        write(out.resolve("dev/kindling/api/schema/NativeFunctions.java"), nativeFunctions(ops, schema));
        write(out.resolve("dev/kindling/api/TensorMethods.java"), tensorMethods(ops));
        write(out.resolve("dev/kindling/api/TorchFunctions.java"), torchFunctions(ops, methodForms));
    }

    // ------------------------------------------------------------------ parsing
    static List<Op> parse(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file);
        Map<String, Op> ops = new LinkedHashMap<>();
        List<String> doc = new ArrayList<>();
        for (int n = 0; n < lines.size(); n++) {
            String line = lines.get(n).strip();
            if (line.isEmpty()) { doc.clear(); continue; }
            if (line.startsWith("#")) {
                if (!line.startsWith("# ----")) doc.add(line.substring(1).strip());
                continue;
            }
            String where = file + ":" + (n + 1);
            Op op = parseLine(line, where, List.copyOf(doc));
            doc.clear();
            if (ops.put(op.name(), op) != null) throw new IllegalArgumentException(where + ": op '" + op.name() + "' declared twice");
            if (op.hasInPlaceVariant()) {
                String v = op.name() + "_";
                Op variant = new Op(v, op.args(), List.of(op.returns().get(0)), op.kind(), false, true, false, false, false, List.of());
                if (ops.put(v, variant) != null) throw new IllegalArgumentException(where + ": op '" + v + "' declared twice");
            }
        }
        return new ArrayList<>(ops.values());
    }

    static Op parseLine(String line, String where, List<String> doc) {
        Matcher m = LINE.matcher(line);
        if (!m.matches()) throw new IllegalArgumentException(where + ": expected `name(arguments) -> returns [| tags]`, got: " + line);
        String name = m.group(1);
        List<Arg> args = new ArrayList<>();
        for (String a : m.group(2).isBlank() ? new String[0] : m.group(2).split(",")) {
            Matcher am = ARG.matcher(a.strip());
            if (!am.matches()) throw new IllegalArgumentException(where + ": bad argument '" + a.strip() + "' of " + name);
            String type = am.group(1);
            if (!type.startsWith("Tensor") && !ATTRIBUTE_TYPES.contains(type)) {
                throw new IllegalArgumentException(where + ": unknown type '" + type + "' of argument " + am.group(3) + " (known: Tensor, Tensor[], " + ATTRIBUTE_TYPES + ")");
            }
            args.add(new Arg(am.group(3), type, am.group(2) != null, am.group(4)));
        }
        if (args.isEmpty() || !args.get(0).tensor()) throw new IllegalArgumentException(where + ": " + name + " needs a tensor as its first argument");
        List<String> returns = new ArrayList<>();
        if (m.group(4) == null) {
            returns.add("result");
        } else {
            for (String r : m.group(4).split(",")) {
                String[] parts = r.strip().split("\\s+");
                if (parts.length != 2 || !parts[0].equals("Tensor")) throw new IllegalArgumentException(where + ": bad result '" + r.strip() + "'");
                returns.add(parts[1]);
            }
        }
        String kind = "DIFFERENTIABLE";
        boolean view = false, inplaceVariant = false, method = false, function = false;
        for (String tag : m.group(5) == null ? new String[0] : m.group(5).strip().split("\\s+")) {
            if (!TAGS.contains(tag)) throw new IllegalArgumentException(where + ": unknown tag '" + tag + "' (known: " + TAGS + ")");
            switch (tag) {
                case "composite": kind = "COMPOSITE"; break;
                case "functional": kind = "FUNCTIONAL"; break;
                case "nondifferentiable": kind = "NON_DIFFERENTIABLE"; break;
                case "view": view = true; break;
                case "inplace": inplaceVariant = true; break;
                case "method": method = true; break;
                case "function": function = true; break;
                default: break;
            }
        }
        return new Op(name, args, returns, kind, view, name.endsWith("_"), inplaceVariant, method, function, doc);
    }

    // ------------------------------------------------------------------ NativeFunctions
    static String nativeFunctions(List<Op> ops, Path schema) {
        StringBuilder sb = new StringBuilder();
        sb.append("package dev.kindling.api.schema;\n\n")
          .append("import java.util.LinkedHashMap;\nimport java.util.List;\nimport java.util.Map;\n\n")
          .append("/** Every op of the table with its typed signature. Generated from ").append(schema.getFileName())
          .append(" by OpCodegen: do not edit. */\n")
          .append("public final class NativeFunctions {\n    private NativeFunctions() {}\n\n")
          .append("    private static final List<FunctionSchema> ALL = List.of(\n");
        List<Op> table = ops.stream().filter(o -> !o.kind().equals("FUNCTIONAL")).collect(java.util.stream.Collectors.toList());
        List<Op> functionals = ops.stream().filter(o -> o.kind().equals("FUNCTIONAL")).collect(java.util.stream.Collectors.toList());
        schemaList(sb, table);
        sb.append("    private static final List<FunctionSchema> FUNCTIONALS = List.of(\n");
        schemaList(sb, functionals);
        sb.append("    private static final Map<String, FunctionSchema> BY_NAME = new LinkedHashMap<>();\n\n")
          .append("    private static final Map<String, FunctionSchema> FUNCTIONAL_BY_NAME = new LinkedHashMap<>();\n\n")
          .append("    static {\n        for (FunctionSchema s : ALL) BY_NAME.put(s.name(), s);\n")
          .append("        for (FunctionSchema s : FUNCTIONALS) FUNCTIONAL_BY_NAME.put(s.name(), s);\n    }\n\n")
          .append("    /** All ops, in declaration order; {@code x_} follows {@code x}. */\n")
          .append("    public static List<FunctionSchema> all() { return ALL; }\n\n")
          .append("    /** The op's schema, or null when no op has that name. */\n")
          .append("    public static FunctionSchema find(String name) { return BY_NAME.get(name); }\n\n")
          .append("    /**\n     * The ops tagged {@code functional}: composites whose forward a bundle above the kernel binds (nn's\n")
          .append("     * functionals: linear, conv2d, layer_norm, ...), so that dispatch layers see them as one op.\n     */\n")
          .append("    public static List<FunctionSchema> functionals() { return FUNCTIONALS; }\n\n")
          .append("    /** The functional's schema, or null when no functional has that name. */\n")
          .append("    public static FunctionSchema findFunctional(String name) { return FUNCTIONAL_BY_NAME.get(name); }\n}\n");
        return sb.toString();
    }


    private static void schemaList(StringBuilder sb, List<Op> ops) {
        if (ops.isEmpty()) { sb.append("    );\n\n"); return; }
        for (int i = 0; i < ops.size(); i++) {
            Op op = ops.get(i);
            sb.append("            new FunctionSchema(").append(str(op.name())).append(", List.of(");
            for (int j = 0; j < op.args().size(); j++) {
                Arg a = op.args().get(j);
                if (j > 0) sb.append(", ");
                sb.append("new Argument(").append(str(a.name())).append(", ").append(str(a.type())).append(", ")
                  .append(a.nullable()).append(", ").append(a.def() == null ? "null" : str(a.def())).append(")");
            }
            sb.append("), List.of(");
            for (int j = 0; j < op.returns().size(); j++) sb.append(j > 0 ? ", " : "").append(str(op.returns().get(j)));
            sb.append("), FunctionSchema.Kind.").append(op.kind().equals("FUNCTIONAL") ? "COMPOSITE" : op.kind()).append(", ").append(op.view()).append(", ")
              .append(op.inPlace()).append(", ").append(op.method()).append(", ").append(op.function()).append(")")
              .append(i + 1 < ops.size() ? ",\n" : ");\n\n");
        }
    }

    // ------------------------------------------------------------------ Tensor methods and Torch functions
    static String tensorMethods(List<Op> ops) {
        StringBuilder sb = new StringBuilder();
        sb.append("package dev.kindling.api;\n\n")
          .append("/**\n * The {@link Tensor} methods of the ops tagged {@code method} in native_functions.schema. Generated by OpCodegen:\n")
          .append(" * do not edit; declare the op in the schema instead.\n */\n")
          .append("@org.osgi.annotation.versioning.ProviderType\n")
          .append("public interface TensorMethods {\n")
          .append("    /**\n     * Runs op {@code name} of the op table (as {@code torch.ops.aten.<name>}) through the dispatcher: {@code inputs} are\n")
          .append("     * its tensor arguments and {@code attributes} the others, each in schema order\n")
          .append("     * ({@link dev.kindling.api.schema.NativeFunctions}). Returns the op's results.\n     */\n")
          .append("    Tensor[] callOp(String name, Tensor[] inputs, Object... attributes);\n");
        for (Op op : ops) {
            if (!op.method()) continue;
            for (List<Arg> params : overloads(op.args().subList(1, op.args().size()))) {
                sb.append("\n").append(javadoc(op, "    "));
                sb.append("    default ").append(returnType(op)).append(" ").append(camel(op.name())).append("(")
                  .append(parameters(params)).append(") {\n")
                  .append("        ").append(body(op, params, "(Tensor) this", "")).append("\n    }\n");
            }
        }
        return sb.append("}\n").toString();
    }

    // ------------------------------------------------------------------ Torch forms of Tensor methods
    private static final Pattern METHOD = Pattern.compile("^    ([A-Za-z][\\w.<>\\[\\]]*) ([a-z][A-Za-z0-9]*)\\(([^)]*)\\);\\s*$");

    /**
     * {@code public static} forms of every overload of the Tensor methods named in {@code list}, read from the
     * interface's one-line abstract declarations ({@code Tensor sum(int dim);}).
     */
    static List<String> methodForms(Path list, Path tensorJava) throws IOException {
        List<String> names = new ArrayList<>();
        for (String line : Files.readAllLines(list)) {
            if (line.strip().startsWith("#")) continue;
            for (String n : line.strip().split("\\s+")) if (!n.isEmpty()) names.add(n);
        }
        Map<String, List<String>> forms = new LinkedHashMap<>();
        for (String n : names) forms.put(n, new ArrayList<>());
        for (String line : Files.readAllLines(tensorJava)) {
            Matcher m = METHOD.matcher(line);
            if (!m.matches() || !forms.containsKey(m.group(2))) continue;
            String ret = m.group(1).equals("ValuesIndices") ? "Tensor.ValuesIndices" : m.group(1);
            List<String> params = new ArrayList<>();
            List<String> args = new ArrayList<>();
            for (String p : m.group(3).isBlank() ? new String[0] : m.group(3).split(",")) {
                String[] parts = p.strip().split("\\s+");
                params.add(p.strip());
                args.add(parts[parts.length - 1]);
            }
            String all = params.isEmpty() ? "Tensor input" : "Tensor input, " + String.join(", ", params);
            forms.get(m.group(2)).add("    /** {@code torch." + m.group(2) + "}: {@link Tensor#" + m.group(2) + "}. */\n"
                    + "    public static " + ret + " " + m.group(2) + "(" + all + ") { return input." + m.group(2) + "("
                    + String.join(", ", args) + "); }\n");
        }
        List<String> out = new ArrayList<>();
        for (Map.Entry<String, List<String>> e : forms.entrySet()) {
            if (e.getValue().isEmpty()) {
                throw new IllegalArgumentException(list + ": '" + e.getKey() + "' is not a method declared on one line in " + tensorJava);
            }
            out.addAll(e.getValue());
        }
        return out;
    }

    static String torchFunctions(List<Op> ops, List<String> methodForms) {
        StringBuilder sb = new StringBuilder();
        sb.append("package dev.kindling.api;\n\nimport java.util.List;\n\n")
          .append("/**\n * The {@link Torch} functions of the ops tagged {@code function} in native_functions.schema (call them as\n")
          .append(" * {@code Torch.name(...)}). Generated by OpCodegen: do not edit; declare the op in the schema instead.\n */\n")
          .append("public class TorchFunctions {\n    TorchFunctions() {}\n");
        for (String form : methodForms) sb.append("\n").append(form);
        for (Op op : ops) {
            if (!op.function()) continue;
            for (List<Arg> params : overloads(op.args())) {
                Arg first = params.get(0);
                String receiver = first.type().equals("Tensor[]") ? first.name() + "[0]" : first.name();
                sb.append("\n").append(javadoc(op, "    "));
                sb.append("    public static ").append(returnType(op)).append(" ").append(camel(op.name())).append("(")
                  .append(parameters(params)).append(") {\n")
                  .append("        ").append(body(op, params, receiver, receiver + ".")).append("\n    }\n");
            }
        }
        return sb.append("}\n").toString();
    }

    /**
     * The full parameter list, then one shorter list per trailing argument with a default; each list that takes an
     * {@code int[]} of dims before its last parameter also gets a form taking one {@code int} (t.amax(1)).
     */
    /** The type of an {@code int[]} argument given as one int. */
    static final String ONE_DIM = "int as int[]";

    static List<List<Arg>> overloads(List<Arg> params) {
        List<List<Arg>> lists = new ArrayList<>();
        lists.add(params);
        for (int n = params.size(); n > 0 && params.get(n - 1).def() != null; n--) lists.add(params.subList(0, n - 1));
        List<List<Arg>> out = new ArrayList<>();
        for (List<Arg> l : lists) {
            out.add(l);
            List<Arg> single = new ArrayList<>();
            boolean changed = false;
            for (int i = 0; i < l.size(); i++) {
                Arg a = l.get(i);
                boolean varargs = i == l.size() - 1 && !a.nullable();
                if (a.type().equals("int[]") && !varargs && !changed) {
                    single.add(new Arg(a.name(), ONE_DIM, false, null));
                    changed = true;
                } else {
                    single.add(a);
                }
            }
            if (changed) out.add(single);
        }
        return out;
    }

    /** The call of {@code callOp}: {@code self} stands for the first argument when the form does not take it. */
    static String body(Op op, List<Arg> params, String self, String qualifier) {
        List<String> inputs = new ArrayList<>();
        List<String> attrs = new ArrayList<>();
        boolean first = true;
        for (Arg a : op.args()) {
            Arg param = params.stream().filter(p -> p.name().equals(a.name())).findFirst().orElse(null);
            boolean given = param != null;
            String value = first && !given ? self : !given ? literal(a)
                    : param.type().equals(ONE_DIM) ? "new int[] {" + camel(a.name()) + "}" : camel(a.name());
            first = false;
            if (a.tensor()) inputs.add(value);
            else attrs.add(a.type().endsWith("[]") && !value.startsWith("new ") ? "(Object) " + value : value);
        }
        String tensors = inputs.size() == 1 && op.args().get(0).type().equals("Tensor[]") ? inputs.get(0)
                : "new Tensor[] {" + String.join(", ", inputs) + "}";
        String call = qualifier + "callOp(\"" + op.name() + "\", " + tensors + (attrs.isEmpty() ? "" : ", " + String.join(", ", attrs)) + ")";
        if (valuesIndices(op)) return "Tensor[] r = " + call + ";\n        return new Tensor.ValuesIndices(r[0], r[1]);";
        if (op.returns().size() > 1) return "return " + call + ";";
        return "return " + call + "[0];";
    }

    static String literal(Arg a) {
        String d = a.def();
        if (d.equals("None")) return "null";
        switch (a.type()) {
            case "double": return d.contains(".") || d.contains("e") ? d : d + ".0";
            case "long": return d + "L";
            case "str": return str(d.substring(1, d.length() - 1));
            default: return d;
        }
    }

    static String parameters(List<Arg> params) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < params.size(); i++) {
            Arg a = params.get(i);
            boolean last = i == params.size() - 1;
            out.add(javaType(a, last) + " " + camel(a.name()));
        }
        return String.join(", ", out);
    }

    static String javaType(Arg a, boolean last) {
        String t = a.type();
        if (t.equals(ONE_DIM)) return "int";
        if (t.equals("str")) return "String";
        if (a.nullable()) {
            switch (t) {
                case "int": return "Integer";
                case "long": return "Long";
                case "double": return "Double";
                case "boolean": return "Boolean";
                default: return t;
            }
        }
        if (last && t.endsWith("[]")) return t.substring(0, t.length() - 2) + "...";
        return t;
    }

    /** One result: Tensor; (values, indices): ValuesIndices (as max(dim) returns); others: the results in schema order. */
    static String returnType(Op op) {
        return op.returns().size() == 1 ? "Tensor" : valuesIndices(op) ? "Tensor.ValuesIndices" : "Tensor[]";
    }

    static boolean valuesIndices(Op op) { return op.returns().equals(List.of("values", "indices")); }

    static String javadoc(Op op, String indent) {
        StringBuilder sb = new StringBuilder(indent + "/**\n");
        for (String d : op.doc()) sb.append(indent).append(" * ").append(d.replace("*/", "*&#47;")).append("\n");
        if (!op.doc().isEmpty()) sb.append(indent).append(" *\n");
        sb.append(indent).append(" * <p>Schema: {@code ").append(signature(op)).append("}.\n").append(indent).append(" */\n");
        return sb.toString();
    }

    static String signature(Op op) {
        List<String> args = new ArrayList<>();
        for (Arg a : op.args()) args.add(a.type() + (a.nullable() ? "?" : "") + " " + a.name() + (a.def() != null ? " = " + a.def() : ""));
        return op.name() + "(" + String.join(", ", args) + ") -> " + (op.returns().size() == 1 ? "Tensor"
                : "(" + String.join(", ", op.returns().stream().map(r -> "Tensor " + r).toList()) + ")");
    }

    static String camel(String snake) {
        StringBuilder sb = new StringBuilder();
        boolean up = false;
        for (char c : snake.toCharArray()) {
            if (c == '_') { up = sb.length() > 0; continue; }
            sb.append(up ? Character.toUpperCase(c) : c);
            up = false;
        }
        return sb.toString();
    }

    static String str(String s) { return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\""; }

    static void write(Path file, String content) throws IOException {
        Files.createDirectories(file.getParent());
        if (Files.exists(file) && Files.readString(file).equals(content)) return; // keep the timestamp: no needless recompiles
        Files.writeString(file, content);
    }
}
