package dev.kindling.optim.internal;

import dev.kindling.kernel.spi.ParameterSpec;
import dev.kindling.optim.Optimizer;
import dev.kindling.optim.lr.LRScheduler;

import java.util.ArrayList;
import java.util.List;

/** What the scheduler providers share: the {@code optimizer} entry. */
abstract class SchedulerProviderSupport extends AbstractProvider<LRScheduler> {

    static final ParameterSpec OPTIMIZER = ParameterSpec.required("optimizer", "Optimizer",
            "the optimizer whose learning rates are scheduled");

    SchedulerProviderSupport(String name, String description, ParameterSpec... specs) {
        super("scheduler", name, description, withOptimizer(specs));
    }

    private static List<ParameterSpec> withOptimizer(ParameterSpec... specs) {
        List<ParameterSpec> l = new ArrayList<>();
        l.add(OPTIMIZER);
        l.addAll(List.of(specs));
        return l;
    }

    static Optimizer optimizer(Args a) {
        return a.object("optimizer", Optimizer.class);
    }
}
