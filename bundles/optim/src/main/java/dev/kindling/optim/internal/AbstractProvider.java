package dev.kindling.optim.internal;

import dev.kindling.kernel.spi.ParameterSpec;

import java.util.List;
import java.util.Map;

/** A provider described by a name, a description and its parameter specs; {@link #build(Args)} makes the instance. */
abstract class AbstractProvider<T> {
    private final String kind;
    private final String name;
    private final String description;
    private final List<ParameterSpec> parameters;

    AbstractProvider(String kind, String name, String description, List<ParameterSpec> parameters) {
        this.kind = kind;
        this.name = name;
        this.description = description;
        this.parameters = List.copyOf(parameters);
    }

    public String name() { return name; }

    public String description() { return description; }

    public List<ParameterSpec> parameters() { return parameters; }

    public T create(Map<String, Object> parameters) {
        return build(new Args(kind + " '" + name + "'", this.parameters, parameters));
    }

    abstract T build(Args args);

    @Override
    public String toString() {
        return kind + " " + name + parameters;
    }
}
