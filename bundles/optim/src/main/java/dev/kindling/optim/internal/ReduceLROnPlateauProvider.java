package dev.kindling.optim.internal;

import dev.kindling.kernel.spi.ParameterSpec;
import dev.kindling.kernel.spi.SchedulerProvider;
import dev.kindling.optim.lr.LRScheduler;
import dev.kindling.optim.lr.ReduceLROnPlateau;
import org.osgi.service.component.annotations.Component;

/** The {@code reducelronplateau} scheduler by name. */
@Component(service = SchedulerProvider.class)
public class ReduceLROnPlateauProvider extends SchedulerProviderSupport implements SchedulerProvider<LRScheduler> {
    public ReduceLROnPlateauProvider() {
        super("reducelronplateau", "reduces the lr when a metric stops improving; step(metric) (torch.optim.lr_scheduler.ReduceLROnPlateau)",
                ParameterSpec.optional("mode", "string", "min", "min or max: whether the metric should decrease or increase"),
                ParameterSpec.optional("factor", "double", 0.1, "new lr = lr * factor"),
                ParameterSpec.optional("patience", "int", 10, "epochs without improvement before reducing"),
                ParameterSpec.optional("threshold", "double", 1e-4, "least change that counts as improvement"),
                ParameterSpec.optional("thresholdMode", "string", "rel", "rel or abs"),
                ParameterSpec.optional("cooldown", "int", 0, "epochs to wait after a reduction"),
                ParameterSpec.optional("minLr", "double|double[]", 0.0, "lower bound of the lr (or one per group)"),
                ParameterSpec.optional("eps", "double", 1e-8, "smallest change of the lr that is applied"));
    }

    @Override
    LRScheduler build(Args a) {
        ReduceLROnPlateau.Builder b = ReduceLROnPlateau.builder(optimizer(a)).mode(a.str("mode")).factor(a.dbl("factor"))
                .patience(a.integer("patience")).threshold(a.dbl("threshold")).thresholdMode(a.str("thresholdMode"))
                .cooldown(a.integer("cooldown")).eps(a.dbl("eps"));
        Object minLr = a.raw("minLr");
        if (minLr instanceof Iterable<?> || minLr instanceof double[]) b.minLrs(a.doubles("minLr"));
        else b.minLr(a.dbl("minLr"));
        return b.build();
    }
}
