package dev.kindling.train.internal;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The words Gogo passes to a command, parsed: positional arguments, {@code --options} (with a value, or flags) and
 * {@code key=value} parameters. A parameter belongs to the thing named just before it: a positional argument that takes
 * parameters (a dataset, a built-in model) or an option that names a provider ({@code --optimizer sgd momentum=0.9});
 * a quoted option value may carry them too ({@code --optimizer 'sgd lr=0.1 momentum=0.9'}). Option names ignore case,
 * dashes and underscores ({@code --batch-size} = {@code --batch_size} = {@code --batchSize}), and {@code --name=value}
 * works as well as {@code --name value}. Every error names the command and the offending word.
 */
final class Words {
    private static final Pattern PARAM = Pattern.compile("[A-Za-z_][A-Za-z0-9_.-]*=.*", Pattern.DOTALL);

    enum Kind {
        /** {@code --name value} */
        VALUE,
        /** {@code --name} */
        FLAG,
        /** {@code --name provider [key=value...]}: a provider name and its parameters */
        NAMED
    }

    /** An option a command accepts. */
    record Option(String name, Kind kind) {}

    /** A positional argument a command accepts; {@code params}: whether key=value words may follow it. */
    record Positional(String name, boolean params) {}

    /** A named thing with its parameters (string values, or lists of strings for comma-separated values). */
    record Named(String name, Map<String, Object> params) {}

    private final String command;
    private final List<Positional> positionalSpecs;
    private final Map<String, Option> options = new LinkedHashMap<>();
    private final List<String> positionals = new ArrayList<>();
    private final List<Map<String, Object>> positionalParams = new ArrayList<>();
    private final Map<String, String> values = new LinkedHashMap<>();
    private final Map<String, Map<String, Object>> namedParams = new LinkedHashMap<>();
    private final Set<String> flags = new LinkedHashSet<>();
    private final int required;

    private Words(String command, int required, List<Positional> positionalSpecs, List<Option> opts) {
        this.command = command;
        this.required = required;
        this.positionalSpecs = positionalSpecs;
        for (Option o : opts) options.put(normalize(o.name()), o);
    }

    /**
     * @param required how many of the positional arguments must be given
     */
    static Words parse(String command, int required, List<Positional> positionals, List<Option> options, String... words) {
        Words w = new Words(command, required, positionals, options);
        w.parse(words == null ? new String[0] : words);
        return w;
    }

    static String normalize(String name) {
        return name.replace("-", "").replace("_", "").toLowerCase(Locale.ROOT);
    }

    private IllegalArgumentException error(String message) {
        return new IllegalArgumentException(command + ": " + message);
    }

    private void parse(String[] words) {
        Map<String, Object> current = null;
        String currentOwner = null;
        for (int i = 0; i < words.length; i++) {
            String w = words[i] == null ? "" : words[i];
            if (w.startsWith("--") && w.length() > 2) {
                String name = w.substring(2);
                String inline = null;
                int eq = name.indexOf('=');
                if (eq >= 0) {
                    inline = name.substring(eq + 1);
                    name = name.substring(0, eq);
                }
                Option o = options.get(normalize(name));
                if (o == null) {
                    throw error("unknown option --" + name + (options.isEmpty() ? " (it takes no options)"
                            : "; options: " + String.join(" ", options.values().stream().map(x -> "--" + x.name()).toList())));
                }
                if (values.containsKey(o.name()) || flags.contains(o.name())) throw error("option --" + o.name() + " is given twice");
                if (o.kind() == Kind.FLAG) {
                    if (inline != null) throw error("option --" + o.name() + " takes no value, got '" + inline + "'");
                    flags.add(o.name());
                    current = null;
                    currentOwner = "--" + o.name();
                    continue;
                }
                String value = inline;
                if (value == null) {
                    if (i + 1 >= words.length) throw error("option --" + o.name() + " needs a value");
                    value = words[++i];
                }
                if (o.kind() == Kind.VALUE) {
                    values.put(o.name(), value.trim());
                    current = null;
                    currentOwner = "--" + o.name();
                } else {
                    String[] tokens = value.trim().split("\\s+");
                    if (tokens[0].isEmpty()) throw error("option --" + o.name() + " needs a name");
                    if (tokens[0].contains("=")) throw error("option --" + o.name() + " needs a name before its parameters, got '" + value + "'");
                    values.put(o.name(), tokens[0]);
                    current = new LinkedHashMap<>();
                    namedParams.put(o.name(), current);
                    currentOwner = "--" + o.name() + " " + tokens[0];
                    for (int t = 1; t < tokens.length; t++) addParam(current, currentOwner, tokens[t]);
                }
            } else if (w.equals("-h")) {
                flags.add("help");
            } else if (PARAM.matcher(w).matches()) {
                if (current == null) {
                    throw error("parameter '" + w + "' " + (currentOwner == null ? "" : "follows " + currentOwner + ", which takes no parameters; ")
                            + "parameters follow " + paramOwners());
                }
                addParam(current, currentOwner, w);
            } else {
                if (positionals.size() >= positionalSpecs.size()) {
                    throw error("unexpected argument '" + w + "'" + (positionalSpecs.isEmpty() ? " (it takes no arguments)"
                            : " (arguments: " + String.join(" ", positionalSpecs.stream().map(p -> "<" + p.name() + ">").toList()) + ")"));
                }
                Positional spec = positionalSpecs.get(positionals.size());
                positionals.add(w);
                Map<String, Object> params = new LinkedHashMap<>();
                positionalParams.add(params);
                current = spec.params() ? params : null;
                currentOwner = spec.name() + " '" + w + "'";
            }
        }
        if (!flags.contains("help") && positionals.size() < required) {
            throw error("missing <" + positionalSpecs.get(positionals.size()).name() + ">");
        }
    }

    private String paramOwners() {
        List<String> owners = new ArrayList<>();
        for (Positional p : positionalSpecs) if (p.params()) owners.add("the " + p.name());
        for (Option o : options.values()) if (o.kind() == Kind.NAMED) owners.add("--" + o.name());
        return owners.isEmpty() ? "nothing here (this command takes no key=value parameters)" : String.join(", ", owners);
    }

    private void addParam(Map<String, Object> target, String owner, String word) {
        int eq = word.indexOf('=');
        if (eq <= 0) throw error("expected key=value after " + owner + ", got '" + word + "'");
        String key = word.substring(0, eq).trim();
        String value = word.substring(eq + 1).trim();
        if (value.isEmpty()) throw error("parameter '" + key + "' of " + owner + " has no value");
        if (target.containsKey(key)) throw error("parameter '" + key + "' of " + owner + " is given twice");
        target.put(key, paramValue(value));
    }

    /** A parameter value: comma-separated values (optionally in brackets) become a list of strings. */
    static Object paramValue(String v) {
        String s = v;
        if (s.startsWith("[") && s.endsWith("]")) s = s.substring(1, s.length() - 1);
        if (s.contains(",")) {
            List<String> parts = new ArrayList<>();
            for (String p : s.split(",")) if (!p.isBlank()) parts.add(p.trim());
            if (!parts.isEmpty()) return parts;
        }
        return v;
    }

    boolean help() { return flags.contains("help"); }

    boolean flag(String name) { return flags.contains(name); }

    int count() { return positionals.size(); }

    String positional(int i) { return i < positionals.size() ? positionals.get(i) : null; }

    Map<String, Object> params(int i) { return i < positionalParams.size() ? positionalParams.get(i) : new LinkedHashMap<>(); }

    /** The option's value, or null. */
    String value(String option) { return values.get(option); }

    boolean has(String option) { return values.containsKey(option) || flags.contains(option); }

    /** A NAMED option's provider and parameters, or null when not given. */
    Named named(String option) {
        String n = values.get(option);
        return n == null ? null : new Named(n, new LinkedHashMap<>(namedParams.getOrDefault(option, Map.of())));
    }

    String string(String option, String dflt) {
        String v = values.get(option);
        return v == null ? dflt : v;
    }

    int integer(String option, int dflt, int min) {
        String v = values.get(option);
        if (v == null) return dflt;
        long x;
        try {
            x = Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw error("--" + option + " must be an integer" + (min > Integer.MIN_VALUE ? " >= " + min : "") + ", got '" + v + "'");
        }
        if (x < min || x > Integer.MAX_VALUE) throw error("--" + option + " must be an integer >= " + min + ", got " + v);
        return (int) x;
    }

    long longValue(String option, long dflt) {
        String v = values.get(option);
        if (v == null) return dflt;
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw error("--" + option + " must be an integer, got '" + v + "'");
        }
    }

    /** A number in [min, max] (inclusive unless open). */
    double number(String option, double dflt, double min, double max, boolean openMin, boolean openMax) {
        String v = values.get(option);
        if (v == null) return dflt;
        double x;
        try {
            x = Double.parseDouble(v);
        } catch (NumberFormatException e) {
            throw error("--" + option + " must be a number, got '" + v + "'");
        }
        boolean ok = !Double.isNaN(x) && (openMin ? x > min : x >= min) && (openMax ? x < max : x <= max);
        if (!ok) {
            throw error("--" + option + " must be in " + (openMin ? "(" : "[") + fmt(min) + ", " + fmt(max) + (openMax ? ")" : "]")
                    + ", got " + v);
        }
        return x;
    }

    private static String fmt(double d) {
        if (Double.isInfinite(d)) return d > 0 ? "inf" : "-inf";
        return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
    }

    /** One of the allowed values (case-insensitive), lower-cased. */
    String choice(String option, String dflt, String... allowed) {
        String v = values.get(option);
        if (v == null) return dflt;
        String l = v.toLowerCase(Locale.ROOT);
        for (String a : allowed) if (a.equals(l)) return a;
        throw error("--" + option + " must be one of " + String.join(", ", allowed) + ", got '" + v + "'");
    }
}
