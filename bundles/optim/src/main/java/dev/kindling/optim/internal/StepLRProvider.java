package dev.kindling.optim.internal;

import dev.kindling.kernel.spi.ParameterSpec;
import dev.kindling.kernel.spi.SchedulerProvider;
import dev.kindling.optim.lr.LRScheduler;
import dev.kindling.optim.lr.StepLR;
import org.osgi.service.component.annotations.Component;

/** The {@code steplr} scheduler by name. */
@Component(service = SchedulerProvider.class)
public class StepLRProvider extends SchedulerProviderSupport implements SchedulerProvider<LRScheduler> {
    public StepLRProvider() {
        super("steplr", "multiplies the lr by gamma every stepSize epochs (torch.optim.lr_scheduler.StepLR)",
                ParameterSpec.required("stepSize", "int", "period of the decay, in epochs"),
                ParameterSpec.optional("gamma", "double", 0.1, "multiplicative factor"));
    }

    @Override
    LRScheduler build(Args a) {
        return new StepLR(optimizer(a), a.integer("stepSize"), a.dbl("gamma"));
    }
}
