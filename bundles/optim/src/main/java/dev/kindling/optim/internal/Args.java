package dev.kindling.optim.internal;

import dev.kindling.kernel.spi.ParameterSpec;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A provider's parameter map checked against its {@link ParameterSpec}s: names match ignoring case and underscores
 * ({@code weight_decay} = {@code weightDecay}); unknown names and missing required ones are an
 * {@link IllegalArgumentException} that names them and lists what is accepted.
 */
public final class Args {
    private final String what;
    private final Map<String, ParameterSpec> specs = new LinkedHashMap<>();
    private final Map<String, Object> values = new HashMap<>();

    /** @param what e.g. {@code optimizer 'adam'}, for messages */
    public Args(String what, List<ParameterSpec> specList, Map<String, ?> parameters) {
        this.what = what;
        for (ParameterSpec s : specList) specs.put(Values.normalize(s.name()), s);
        Map<String, ?> given = parameters == null ? Map.of() : parameters;
        for (Map.Entry<String, ?> e : given.entrySet()) {
            String key = e.getKey();
            if (key == null) throw new IllegalArgumentException(what + ": parameter names must not be null");
            String n = Values.normalize(key);
            if (n.equals("type")) continue; // the provider's name in a spec such as {"type":"adam","lr":0.001}
            ParameterSpec spec = specs.get(n);
            if (spec == null) {
                throw new IllegalArgumentException("unknown parameter '" + key + "' for " + what + "; it accepts: "
                        + specList.stream().map(ParameterSpec::name).collect(Collectors.joining(", ")));
            }
            if (values.containsKey(spec.name())) {
                throw new IllegalArgumentException(what + ": parameter '" + spec.name() + "' given twice");
            }
            values.put(spec.name(), e.getValue());
        }
        for (ParameterSpec s : specList) {
            if (s.required() && values.get(s.name()) == null) {
                throw new IllegalArgumentException(what + " needs parameter '" + s.name() + "' (" + s.type() + "): "
                        + s.description());
            }
        }
    }

    private ParameterSpec spec(String name) {
        ParameterSpec s = specs.get(Values.normalize(name));
        if (s == null) throw new IllegalStateException("no spec for " + name);
        return s;
    }

    /** Whether the caller gave this parameter (not null). */
    public boolean given(String name) {
        return values.get(spec(name).name()) != null;
    }

    /** The given value, or the spec's default. */
    public Object raw(String name) {
        ParameterSpec s = spec(name);
        Object v = values.get(s.name());
        return v != null ? v : s.defaultValue();
    }

    private String label(String name) {
        return "parameter '" + spec(name).name() + "' of " + what;
    }

    public double dbl(String name) { return Values.toDouble(raw(name), label(name)); }

    public int integer(String name) { return Values.toInt(raw(name), label(name)); }

    public boolean bool(String name) { return Values.toBoolean(raw(name), label(name)); }

    public String str(String name) { return Values.toStr(raw(name), label(name)); }

    public double[] doubles(String name) { return Values.toDoubles(raw(name), label(name)); }

    public int[] ints(String name) { return Values.toInts(raw(name), label(name)); }

    /** The value as an instance of {@code type}, or an error naming the expected type. */
    public <T> T object(String name, Class<T> type) {
        Object v = raw(name);
        if (!type.isInstance(v)) {
            throw new IllegalArgumentException(label(name) + " must be " + article(type.getSimpleName()) + " ("
                    + type.getName() + "), but got " + Values.describe(v));
        }
        return type.cast(v);
    }

    private static String article(String noun) {
        return ("AEIOU".indexOf(Character.toUpperCase(noun.charAt(0))) >= 0 ? "an " : "a ") + noun;
    }
}
