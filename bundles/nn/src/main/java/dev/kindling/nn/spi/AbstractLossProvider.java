package dev.kindling.nn.spi;

import dev.kindling.kernel.spi.LossProvider;
import dev.kindling.kernel.spi.ParameterSpec;
import dev.kindling.nn.Module;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * A loss provider for the kernel's registry: creates a loss Module by name from parameters checked by {@link Params}.
 *
 * @param <L> the loss class it creates
 */
@ConsumerType
public abstract class AbstractLossProvider<L extends Module> extends AbstractNnProvider<L> implements LossProvider<Module> {

    protected AbstractLossProvider(String name, Class<L> type, String description, ParameterSpec... parameters) {
        super("loss", name, type, description, parameters);
    }
}
