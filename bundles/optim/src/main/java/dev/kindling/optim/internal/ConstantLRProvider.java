package dev.kindling.optim.internal;

import dev.kindling.kernel.spi.ParameterSpec;
import dev.kindling.kernel.spi.SchedulerProvider;
import dev.kindling.optim.lr.LRScheduler;
import dev.kindling.optim.lr.ConstantLR;
import org.osgi.service.component.annotations.Component;

/** The {@code constantlr} scheduler by name. */
@Component(service = SchedulerProvider.class)
public class ConstantLRProvider extends SchedulerProviderSupport implements SchedulerProvider<LRScheduler> {
    public ConstantLRProvider() {
        super("constantlr", "scales the lr by factor until totalIters (torch.optim.lr_scheduler.ConstantLR)",
                ParameterSpec.optional("factor", "double", 1.0 / 3, "factor until totalIters"),
                ParameterSpec.optional("totalIters", "int", 5, "epochs with the factor"));
    }

    @Override
    LRScheduler build(Args a) {
        return new ConstantLR(optimizer(a), a.dbl("factor"), a.integer("totalIters"));
    }
}
