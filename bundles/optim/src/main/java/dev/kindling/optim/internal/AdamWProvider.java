package dev.kindling.optim.internal;

import dev.kindling.kernel.spi.OptimizerProvider;
import dev.kindling.kernel.spi.ParameterSpec;
import dev.kindling.optim.AdamW;
import dev.kindling.optim.Optimizer;
import org.osgi.service.component.annotations.Component;

import java.util.List;

/** {@code {"type":"adamw","lr":0.001,"betas":[0.9,0.999]}}. */
@Component(service = OptimizerProvider.class)
public class AdamWProvider extends OptimizerProviderSupport implements OptimizerProvider<Optimizer> {
    public AdamWProvider() {
        super("adamw", "Adam with decoupled weight decay (torch.optim.AdamW), optionally AMSGrad",
                lr(1e-3),
                ParameterSpec.optional("betas", "double[2]", List.of(0.9, 0.999),
                        "coefficients of the running averages of the gradient and its square"),
                ParameterSpec.optional("eps", "double", 1e-8, "term added to the denominator"),
                weightDecay(0.01),
                ParameterSpec.optional("amsgrad", "boolean", false, "use the AMSGrad variant"),
                MAXIMIZE);
    }

    @Override
    Optimizer build(Args a) {
        return AdamW.builder(params(a)).lr(a.dbl("lr")).betas(a.doubles("betas")).eps(a.dbl("eps"))
                .weightDecay(a.dbl("weightDecay")).amsgrad(a.bool("amsgrad")).maximize(a.bool("maximize")).build();
    }
}
