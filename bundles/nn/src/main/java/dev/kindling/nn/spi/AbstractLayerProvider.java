package dev.kindling.nn.spi;

import dev.kindling.kernel.spi.LayerProvider;
import dev.kindling.kernel.spi.ParameterSpec;
import dev.kindling.nn.Module;

import java.util.Map;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * A layer provider for the kernel's registry: creates one Module class by name from parameters (checked by
 * {@link Params}), and describes an instance back as parameters, so that {@link dev.kindling.nn.ModelSpec} can write a
 * built model as JSON. Third-party layer bundles extend it and register the subclass as a {@code LayerProvider}
 * service (Declarative Services in OSGi, {@code META-INF/services} on a plain classpath).
 *
 * @param <M> the module class it creates
 */
@ConsumerType
public abstract class AbstractLayerProvider<M extends Module> extends AbstractNnProvider<M> implements LayerProvider<Module> {

    protected AbstractLayerProvider(String name, Class<M> type, String description, ParameterSpec... parameters) {
        super("layer", name, type, description, parameters);
    }

    /**
     * The parameters that recreate {@code module} with {@link #create(Map)} (values as JSON would hold them: numbers,
     * booleans, strings, lists; null for an absent optional). ModelSpec leaves out those equal to the defaults.
     */
    public abstract Map<String, Object> describe(M module);

    /** {@link #describe(Module)} for a module of this provider's type. */
    public final Map<String, Object> describeModule(Module module) {
        if (module.getClass() != type()) {
            throw new IllegalArgumentException("layer '" + name() + "' describes " + type().getSimpleName() + ", not " + module.getClass().getSimpleName());
        }
        return describe(type().cast(module));
    }
}
