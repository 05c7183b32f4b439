package dev.kindling.optim.internal;

import dev.kindling.api.Tensor;
import dev.kindling.kernel.spi.ParameterSpec;
import dev.kindling.optim.Optimizer;

import java.util.ArrayList;
import java.util.List;

/** What the optimizer providers share: the {@code params} entry and the specs common to several optimizers. */
abstract class OptimizerProviderSupport extends AbstractProvider<Optimizer> {

    static final ParameterSpec PARAMS = ParameterSpec.required("params", "Iterable<Tensor>",
            "the parameters to optimize (e.g. Module.parameters()), or an Iterable of ParamGroups");

    OptimizerProviderSupport(String name, String description, ParameterSpec... specs) {
        super("optimizer", name, description, withParams(specs));
    }

    private static List<ParameterSpec> withParams(ParameterSpec... specs) {
        List<ParameterSpec> l = new ArrayList<>();
        l.add(PARAMS);
        l.addAll(List.of(specs));
        return l;
    }

    /**
     * The {@code params} entry for an optimizer's builder: it must be an Iterable; its elements (Tensors, or
     * ParamGroups) are checked by the optimizer, with PyTorch's messages.
     */
    @SuppressWarnings("unchecked")
    static Iterable<? extends Tensor> params(Args a) {
        Object p = a.raw("params");
        if (!(p instanceof Iterable<?>) || p instanceof Tensor) {
            throw new IllegalArgumentException("params argument given to the optimizer should be an iterable of Tensors "
                    + "or ParamGroups, but got " + Py.typeName(p));
        }
        return (Iterable<Tensor>) p;
    }

    static ParameterSpec lr(double dflt) {
        return ParameterSpec.optional("lr", "double", dflt, "learning rate");
    }

    static ParameterSpec weightDecay(double dflt) {
        return ParameterSpec.optional("weightDecay", "double", dflt, "weight decay (L2 penalty)");
    }

    static final ParameterSpec MAXIMIZE = ParameterSpec.optional("maximize", "boolean", false,
            "maximize the objective instead of minimizing it");
}
