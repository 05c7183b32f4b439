package dev.kindling.optim.internal;

import dev.kindling.kernel.spi.ParameterSpec;
import dev.kindling.kernel.spi.SchedulerProvider;
import dev.kindling.optim.lr.LRScheduler;
import dev.kindling.optim.lr.MultiplicativeLR;
import java.util.function.IntToDoubleFunction;
import org.osgi.service.component.annotations.Component;

/** The {@code multiplicativelr} scheduler by name. */
@Component(service = SchedulerProvider.class)
public class MultiplicativeLRProvider extends SchedulerProviderSupport implements SchedulerProvider<LRScheduler> {
    public MultiplicativeLRProvider() {
        super("multiplicativelr", "multiplies the lr by a function of the epoch, every epoch (torch.optim.lr_scheduler.MultiplicativeLR)",
                ParameterSpec.required("lrLambda", "IntToDoubleFunction", "factor for an epoch (or a list, one per group)"));
    }

    @Override
    LRScheduler build(Args a) {
        Object f = a.raw("lrLambda");
        if (f instanceof java.util.List<?> l) return new MultiplicativeLR(optimizer(a), SchedulerFunctions.list(l, "lrLambda"));
        return new MultiplicativeLR(optimizer(a), a.object("lrLambda", IntToDoubleFunction.class));
    }
}
