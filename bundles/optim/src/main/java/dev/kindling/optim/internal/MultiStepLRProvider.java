package dev.kindling.optim.internal;

import dev.kindling.kernel.spi.ParameterSpec;
import dev.kindling.kernel.spi.SchedulerProvider;
import dev.kindling.optim.lr.LRScheduler;
import dev.kindling.optim.lr.MultiStepLR;
import org.osgi.service.component.annotations.Component;

/** The {@code multisteplr} scheduler by name. */
@Component(service = SchedulerProvider.class)
public class MultiStepLRProvider extends SchedulerProviderSupport implements SchedulerProvider<LRScheduler> {
    public MultiStepLRProvider() {
        super("multisteplr", "multiplies the lr by gamma at each milestone (torch.optim.lr_scheduler.MultiStepLR)",
                ParameterSpec.required("milestones", "int[]", "epochs at which the lr decays"),
                ParameterSpec.optional("gamma", "double", 0.1, "multiplicative factor"));
    }

    @Override
    LRScheduler build(Args a) {
        return new MultiStepLR(optimizer(a), a.ints("milestones"), a.dbl("gamma"));
    }
}
