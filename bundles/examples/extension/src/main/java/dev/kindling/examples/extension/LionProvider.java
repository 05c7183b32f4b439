package dev.kindling.examples.extension;

import dev.kindling.api.Tensor;
import dev.kindling.kernel.spi.OptimizerProvider;
import dev.kindling.kernel.spi.ParameterSpec;
import dev.kindling.nn.spi.Params;
import dev.kindling.optim.Optimizer;
import org.osgi.service.component.annotations.Component;

import java.util.List;
import java.util.Map;

/** Makes {@code {"type":"lion","lr":1e-4}} creatable by name while this bundle is active. */
@Component(service = OptimizerProvider.class)
public class LionProvider implements OptimizerProvider<Optimizer> {
    private static final List<ParameterSpec> PARAMS = List.of(
            ParameterSpec.required("params", "Iterable<Tensor>", "the parameters to optimize"),
            ParameterSpec.optional("lr", "double", 1e-4, "learning rate"),
            ParameterSpec.optional("beta1", "double", 0.9, "interpolation for the update direction"),
            ParameterSpec.optional("beta2", "double", 0.99, "decay of the momentum"),
            ParameterSpec.optional("weightDecay", "double", 0.0, "decoupled weight decay"));

    @Override public String name() { return "lion"; }

    @Override public String description() { return "Lion: sign of interpolated momentum (an example third-party optimizer)"; }

    @Override public List<ParameterSpec> parameters() { return PARAMS; }

    @Override
    @SuppressWarnings("unchecked")
    public Optimizer create(Map<String, Object> parameters) {
        Params p = Params.check("optimizer 'lion'", PARAMS, parameters);
        Object params = p.raw("params");
        if (!(params instanceof Iterable)) {
            throw new IllegalArgumentException("optimizer 'lion': 'params' must be an Iterable<Tensor>, got "
                    + (params == null ? "null" : params.getClass().getName()));
        }
        return new Lion((Iterable<Tensor>) params, p.number("lr"), p.number("beta1"), p.number("beta2"), p.number("weightDecay"));
    }
}
