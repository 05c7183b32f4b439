package dev.kindling.optim.internal;

import dev.kindling.kernel.spi.ParameterSpec;
import dev.kindling.kernel.spi.SchedulerProvider;
import dev.kindling.optim.lr.LRScheduler;
import dev.kindling.optim.lr.PolynomialLR;
import org.osgi.service.component.annotations.Component;

/** The {@code polynomiallr} scheduler by name. */
@Component(service = SchedulerProvider.class)
public class PolynomialLRProvider extends SchedulerProviderSupport implements SchedulerProvider<LRScheduler> {
    public PolynomialLRProvider() {
        super("polynomiallr", "polynomial decay to 0 over totalIters epochs (torch.optim.lr_scheduler.PolynomialLR)",
                ParameterSpec.optional("totalIters", "int", 5, "epochs of the decay"),
                ParameterSpec.optional("power", "double", 1.0, "power of the polynomial"));
    }

    @Override
    LRScheduler build(Args a) {
        return new PolynomialLR(optimizer(a), a.integer("totalIters"), a.dbl("power"));
    }
}
