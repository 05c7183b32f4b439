package dev.kindling.optim.internal;

import dev.kindling.kernel.spi.ParameterSpec;
import dev.kindling.kernel.spi.SchedulerProvider;
import dev.kindling.optim.lr.LRScheduler;
import dev.kindling.optim.lr.CosineAnnealingLR;
import org.osgi.service.component.annotations.Component;

/** The {@code cosineannealinglr} scheduler by name. */
@Component(service = SchedulerProvider.class)
public class CosineAnnealingLRProvider extends SchedulerProviderSupport implements SchedulerProvider<LRScheduler> {
    public CosineAnnealingLRProvider() {
        super("cosineannealinglr", "cosine annealing to etaMin over tMax epochs (torch.optim.lr_scheduler.CosineAnnealingLR)",
                ParameterSpec.required("tMax", "int", "number of epochs of a half cosine period"),
                ParameterSpec.optional("etaMin", "double", 0.0, "minimum learning rate"));
    }

    @Override
    LRScheduler build(Args a) {
        return new CosineAnnealingLR(optimizer(a), a.integer("tMax"), a.dbl("etaMin"));
    }
}
