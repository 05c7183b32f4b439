package dev.kindling.optim.internal;

import dev.kindling.kernel.spi.OptimizerProvider;
import dev.kindling.kernel.spi.ParameterSpec;
import dev.kindling.optim.Adagrad;
import dev.kindling.optim.Optimizer;
import org.osgi.service.component.annotations.Component;

/** {@code {"type":"adagrad","lr":0.01,"lrDecay":0.0}}. */
@Component(service = OptimizerProvider.class)
public class AdagradProvider extends OptimizerProviderSupport implements OptimizerProvider<Optimizer> {
    public AdagradProvider() {
        super("adagrad", "Adagrad (torch.optim.Adagrad)",
                lr(1e-2),
                ParameterSpec.optional("lrDecay", "double", 0.0, "learning-rate decay"),
                weightDecay(0.0),
                ParameterSpec.optional("initialAccumulatorValue", "double", 0.0, "initial value of the sum of squares"),
                ParameterSpec.optional("eps", "double", 1e-10, "term added to the denominator"),
                MAXIMIZE);
    }

    @Override
    Optimizer build(Args a) {
        return Adagrad.builder(params(a)).lr(a.dbl("lr")).lrDecay(a.dbl("lrDecay")).weightDecay(a.dbl("weightDecay"))
                .initialAccumulatorValue(a.dbl("initialAccumulatorValue")).eps(a.dbl("eps")).maximize(a.bool("maximize"))
                .build();
    }
}
