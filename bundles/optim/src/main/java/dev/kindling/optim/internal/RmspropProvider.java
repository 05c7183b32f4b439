package dev.kindling.optim.internal;

import dev.kindling.kernel.spi.OptimizerProvider;
import dev.kindling.kernel.spi.ParameterSpec;
import dev.kindling.optim.Optimizer;
import dev.kindling.optim.RMSprop;
import org.osgi.service.component.annotations.Component;

/** {@code {"type":"rmsprop","lr":0.01,"centered":true}}. */
@Component(service = OptimizerProvider.class)
public class RmspropProvider extends OptimizerProviderSupport implements OptimizerProvider<Optimizer> {
    public RmspropProvider() {
        super("rmsprop", "RMSprop, optionally centered and with momentum (torch.optim.RMSprop)",
                lr(1e-2),
                ParameterSpec.optional("alpha", "double", 0.99, "smoothing constant"),
                ParameterSpec.optional("eps", "double", 1e-8, "term added to the denominator"),
                weightDecay(0.0),
                ParameterSpec.optional("momentum", "double", 0.0, "momentum factor"),
                ParameterSpec.optional("centered", "boolean", false, "normalize by the estimated variance of the gradient"),
                MAXIMIZE);
    }

    @Override
    Optimizer build(Args a) {
        return RMSprop.builder(params(a)).lr(a.dbl("lr")).alpha(a.dbl("alpha")).eps(a.dbl("eps"))
                .weightDecay(a.dbl("weightDecay")).momentum(a.dbl("momentum")).centered(a.bool("centered"))
                .maximize(a.bool("maximize")).build();
    }
}
