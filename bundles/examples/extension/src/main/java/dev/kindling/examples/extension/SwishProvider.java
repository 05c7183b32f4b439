package dev.kindling.examples.extension;

import dev.kindling.kernel.spi.LayerProvider;
import dev.kindling.kernel.spi.ParameterSpec;
import dev.kindling.nn.spi.AbstractLayerProvider;
import dev.kindling.nn.spi.Params;
import org.osgi.service.component.annotations.Component;

import java.util.Map;

/** Makes {@code {"type":"swish","beta":1.0}} buildable by name while this bundle is active. */
@Component(service = LayerProvider.class)
public class SwishProvider extends AbstractLayerProvider<Swish> {
    public SwishProvider() {
        super("swish", Swish.class, "x * sigmoid(beta * x) (an example third-party layer)",
                ParameterSpec.optional("beta", "double", 1.0, "slope inside the sigmoid"));
    }

    @Override
    protected Swish create(Params p) { return new Swish(p.number("beta")); }

    @Override
    public Map<String, Object> describe(Swish m) { return Map.of("beta", m.beta()); }
}
