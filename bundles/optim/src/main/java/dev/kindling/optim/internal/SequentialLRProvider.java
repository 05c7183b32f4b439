package dev.kindling.optim.internal;

import dev.kindling.kernel.spi.ParameterSpec;
import dev.kindling.kernel.spi.SchedulerProvider;
import dev.kindling.optim.lr.LRScheduler;
import dev.kindling.optim.lr.SequentialLR;
import org.osgi.service.component.annotations.Component;

/** The {@code sequentiallr} scheduler by name. */
@Component(service = SchedulerProvider.class)
public class SequentialLRProvider extends SchedulerProviderSupport implements SchedulerProvider<LRScheduler> {
    public SequentialLRProvider() {
        super("sequentiallr", "runs schedulers one after another, switching at milestones (torch.optim.lr_scheduler.SequentialLR)",
                ParameterSpec.required("schedulers", "List<LRScheduler|spec>",
                        "the schedulers, or their specs such as {\"type\":\"linearlr\",\"startFactor\":0.1}, on this optimizer"),
                ParameterSpec.required("milestones", "int[]", "epochs at which the next scheduler takes over"));
    }

    @Override
    LRScheduler build(Args a) {
        return new SequentialLR(optimizer(a), SchedulerFunctions.schedulers(a, "schedulers"), a.ints("milestones"));
    }
}
