package dev.kindling.optim.internal;

import dev.kindling.kernel.spi.ParameterSpec;
import dev.kindling.kernel.spi.SchedulerProvider;
import dev.kindling.optim.lr.LRScheduler;
import dev.kindling.optim.lr.ChainedScheduler;
import org.osgi.service.component.annotations.Component;

/** The {@code chainedscheduler} scheduler by name. */
@Component(service = SchedulerProvider.class)
public class ChainedSchedulerProvider extends SchedulerProviderSupport implements SchedulerProvider<LRScheduler> {
    public ChainedSchedulerProvider() {
        super("chainedscheduler", "steps several schedulers together (torch.optim.lr_scheduler.ChainedScheduler)",
                ParameterSpec.required("schedulers", "List<LRScheduler|spec>",
                        "the schedulers, or their specs such as {\"type\":\"exponentiallr\",\"gamma\":0.9}, on this optimizer"));
    }

    @Override
    LRScheduler build(Args a) {
        return new ChainedScheduler(SchedulerFunctions.schedulers(a, "schedulers"));
    }
}
