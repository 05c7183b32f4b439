package dev.kindling.optim.internal;

import dev.kindling.kernel.spi.OptimizerProvider;
import dev.kindling.kernel.spi.ParameterSpec;
import dev.kindling.optim.Optimizer;
import dev.kindling.optim.SGD;
import org.osgi.service.component.annotations.Component;

/** {@code {"type":"sgd","lr":0.1,"momentum":0.9}}. */
@Component(service = OptimizerProvider.class)
public class SgdProvider extends OptimizerProviderSupport implements OptimizerProvider<Optimizer> {
    public SgdProvider() {
        super("sgd", "stochastic gradient descent with momentum, dampening, Nesterov and weight decay (torch.optim.SGD)",
                ParameterSpec.required("lr", "double", "learning rate"),
                ParameterSpec.optional("momentum", "double", 0.0, "momentum factor"),
                ParameterSpec.optional("dampening", "double", 0.0, "dampening for momentum"),
                weightDecay(0.0),
                ParameterSpec.optional("nesterov", "boolean", false, "Nesterov momentum"),
                MAXIMIZE);
    }

    @Override
    Optimizer build(Args a) {
        return SGD.builder(params(a)).lr(a.dbl("lr")).momentum(a.dbl("momentum")).dampening(a.dbl("dampening"))
                .weightDecay(a.dbl("weightDecay")).nesterov(a.bool("nesterov")).maximize(a.bool("maximize")).build();
    }
}
