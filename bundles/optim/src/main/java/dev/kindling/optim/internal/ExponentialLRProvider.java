package dev.kindling.optim.internal;

import dev.kindling.kernel.spi.ParameterSpec;
import dev.kindling.kernel.spi.SchedulerProvider;
import dev.kindling.optim.lr.LRScheduler;
import dev.kindling.optim.lr.ExponentialLR;
import org.osgi.service.component.annotations.Component;

/** The {@code exponentiallr} scheduler by name. */
@Component(service = SchedulerProvider.class)
public class ExponentialLRProvider extends SchedulerProviderSupport implements SchedulerProvider<LRScheduler> {
    public ExponentialLRProvider() {
        super("exponentiallr", "multiplies the lr by gamma every epoch (torch.optim.lr_scheduler.ExponentialLR)",
                ParameterSpec.required("gamma", "double", "multiplicative factor"));
    }

    @Override
    LRScheduler build(Args a) {
        return new ExponentialLR(optimizer(a), a.dbl("gamma"));
    }
}
