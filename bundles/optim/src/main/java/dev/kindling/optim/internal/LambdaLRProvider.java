package dev.kindling.optim.internal;

import dev.kindling.kernel.spi.ParameterSpec;
import dev.kindling.kernel.spi.SchedulerProvider;
import dev.kindling.optim.lr.LRScheduler;
import dev.kindling.optim.lr.LambdaLR;
import java.util.function.IntToDoubleFunction;
import org.osgi.service.component.annotations.Component;

/** The {@code lambdalr} scheduler by name. */
@Component(service = SchedulerProvider.class)
public class LambdaLRProvider extends SchedulerProviderSupport implements SchedulerProvider<LRScheduler> {
    public LambdaLRProvider() {
        super("lambdalr", "initial lr times a function of the epoch (torch.optim.lr_scheduler.LambdaLR)",
                ParameterSpec.required("lrLambda", "IntToDoubleFunction", "factor of the initial lr for an epoch (or a list, one per group)"));
    }

    @Override
    LRScheduler build(Args a) {
        Object f = a.raw("lrLambda");
        if (f instanceof java.util.List<?> l) return new LambdaLR(optimizer(a), SchedulerFunctions.list(l, "lrLambda"));
        return new LambdaLR(optimizer(a), a.object("lrLambda", IntToDoubleFunction.class));
    }
}
