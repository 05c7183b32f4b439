package dev.kindling.optim.internal;

import dev.kindling.kernel.spi.ParameterSpec;
import dev.kindling.kernel.spi.SchedulerProvider;
import dev.kindling.optim.lr.LRScheduler;
import dev.kindling.optim.lr.LinearLR;
import org.osgi.service.component.annotations.Component;

/** The {@code linearlr} scheduler by name. */
@Component(service = SchedulerProvider.class)
public class LinearLRProvider extends SchedulerProviderSupport implements SchedulerProvider<LRScheduler> {
    public LinearLRProvider() {
        super("linearlr", "scales the lr linearly from startFactor to endFactor over totalIters epochs (torch.optim.lr_scheduler.LinearLR)",
                ParameterSpec.optional("startFactor", "double", 1.0 / 3, "factor at epoch 0"),
                ParameterSpec.optional("endFactor", "double", 1.0, "factor from totalIters on"),
                ParameterSpec.optional("totalIters", "int", 5, "epochs of the linear change"));
    }

    @Override
    LRScheduler build(Args a) {
        return new LinearLR(optimizer(a), a.dbl("startFactor"), a.dbl("endFactor"), a.integer("totalIters"));
    }
}
