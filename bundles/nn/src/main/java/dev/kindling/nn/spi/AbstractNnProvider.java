package dev.kindling.nn.spi;

import dev.kindling.kernel.spi.ParameterSpec;
import dev.kindling.kernel.spi.Provider;
import dev.kindling.nn.Module;

import java.util.List;
import java.util.Map;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * What layer and loss providers share: a name, the Module class created, a description, the parameter specs, and
 * {@link #create(Map)} checking the parameters ({@link Params}) before {@link #create(Params)}.
 *
 * @param <M> the module class it creates
 */
@ConsumerType
public abstract class AbstractNnProvider<M extends Module> implements Provider<Module> {
    private final String kind;
    private final String name;
    private final Class<M> type;
    private final String description;
    private final List<ParameterSpec> parameters;

    AbstractNnProvider(String kind, String name, Class<M> type, String description, ParameterSpec... parameters) {
        this.kind = kind;
        this.name = name;
        this.type = type;
        this.description = description;
        this.parameters = List.of(parameters);
    }

    @Override
    public final String name() { return name; }

    @Override
    public final String description() { return description; }

    @Override
    public final List<ParameterSpec> parameters() { return parameters; }

    /** The class of the modules it creates. */
    public final Class<M> type() { return type; }

    /** Creates the module; unknown and missing parameters are an IllegalArgumentException naming them. */
    @Override
    public final Module create(Map<String, Object> parameters) { return create(Params.check(kind + " '" + name + "'", this.parameters, parameters)); }

    /** Creates the module from checked parameters (defaults filled in). */
    protected abstract M create(Params p);

    @Override
    public String toString() { return kind + " '" + name + "' (" + type.getName() + ")"; }
}
