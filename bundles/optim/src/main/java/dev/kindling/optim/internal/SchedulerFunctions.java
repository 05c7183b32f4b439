package dev.kindling.optim.internal;

import dev.kindling.optim.Optimizer;
import dev.kindling.optim.lr.LRScheduler;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntToDoubleFunction;

/** Helpers of the scheduler providers: lists of functions, and nested schedulers given as instances or specs. */
final class SchedulerFunctions {
    private SchedulerFunctions() {}

    static List<IntToDoubleFunction> list(List<?> fns, String name) {
        List<IntToDoubleFunction> r = new ArrayList<>();
        for (int i = 0; i < fns.size(); i++) {
            if (!(fns.get(i) instanceof IntToDoubleFunction f)) {
                throw new IllegalArgumentException("parameter '" + name + "'[" + i + "] must be an IntToDoubleFunction, "
                        + "but got " + Values.describe(fns.get(i)));
            }
            r.add(f);
        }
        return r;
    }

    /** The schedulers of a SequentialLR or ChainedScheduler: instances, or specs with a "type" built on the same optimizer. */
    static List<LRScheduler> schedulers(Args a, String name) {
        Optimizer optimizer = SchedulerProviderSupport.optimizer(a);
        Object raw = a.raw(name);
        if (!(raw instanceof List<?> items)) {
            throw new IllegalArgumentException("parameter '" + name + "' must be a list of schedulers or scheduler specs, "
                    + "but got " + Values.describe(raw));
        }
        List<LRScheduler> r = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            Object o = items.get(i);
            if (o instanceof LRScheduler s) {
                r.add(s);
            } else if (o instanceof Map<?, ?> spec) {
                Object type = spec.get("type");
                if (!(type instanceof String t)) {
                    throw new IllegalArgumentException("scheduler spec " + i + " of '" + name + "' needs a \"type\"");
                }
                Map<String, Object> params = new LinkedHashMap<>();
                spec.forEach((k, v) -> {
                    if (!"type".equals(k)) params.put(String.valueOf(k), v);
                });
                params.putIfAbsent("optimizer", optimizer);
                r.add(find(t).create(params));
            } else {
                throw new IllegalArgumentException("parameter '" + name + "'[" + i + "] must be an LRScheduler or a spec "
                        + "map with a \"type\", but got " + Values.describe(o));
            }
        }
        return r;
    }

    private static AbstractProvider<LRScheduler> find(String type) {
        String n = Values.normalize(type);
        List<AbstractProvider<LRScheduler>> all = List.of(new StepLRProvider(), new MultiStepLRProvider(),
                new ExponentialLRProvider(), new CosineAnnealingLRProvider(), new LinearLRProvider(),
                new ConstantLRProvider(), new PolynomialLRProvider(), new LambdaLRProvider(), new MultiplicativeLRProvider(),
                new OneCycleLRProvider());
        for (AbstractProvider<LRScheduler> p : all) {
            if (Values.normalize(p.name()).equals(n)) return p;
        }
        throw new IllegalArgumentException("unknown scheduler type '" + type + "' in a nested spec; known: "
                + all.stream().map(AbstractProvider::name).toList());
    }
}
