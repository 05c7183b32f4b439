package dev.kindling.examples.extension;

import dev.kindling.api.Tensor;
import dev.kindling.api.Torch;
import dev.kindling.optim.Optimizer;
import dev.kindling.optim.ParamGroup;

import java.util.Map;
import java.util.function.Supplier;

/**
 * The Lion optimizer (Chen et al., 2023): {@code p -= lr * (sign(beta1 * m + (1 - beta1) * g) + wd * p)}, then
 * {@code m = beta2 * m + (1 - beta2) * g}. A custom optimizer is this small: hyper-parameters as group defaults,
 * per-parameter state in {@link #state(Tensor)}, the update under no-grad.
 */
public class Lion extends Optimizer {
    public Lion(Iterable<Tensor> params, double lr, double beta1, double beta2, double weightDecay) {
        super(params, Map.of("lr", lr, "beta1", beta1, "beta2", beta2, "weight_decay", weightDecay));
        checkArgument(lr >= 0, "learning rate", lr);
        checkArgument(beta1 >= 0 && beta1 < 1, "beta1", beta1);
        checkArgument(beta2 >= 0 && beta2 < 1, "beta2", beta2);
    }

    @Override
    public Tensor step(Supplier<Tensor> closure) {
        Tensor loss = evaluate(closure);
        try (var g = Torch.noGrad()) {
            for (ParamGroup group : paramGroups()) {
                double lr = group.lr();
                double b1 = group.getDouble("beta1");
                double b2 = group.getDouble("beta2");
                double wd = group.getDouble("weight_decay");
                for (Tensor p : group.params()) {
                    if (p.grad() == null) continue;
                    Map<String, Object> st = state(p);
                    Tensor m = (Tensor) st.computeIfAbsent("exp_avg", k -> Torch.zerosLike(p));
                    if (wd != 0) p.mul_(1 - lr * wd);
                    Tensor update = m.mul(b1).add(p.grad(), 1 - b1).sign();
                    p.add_(update, -lr);
                    m.mul_(b2).add_(p.grad(), 1 - b2);
                }
            }
        }
        return loss;
    }
}
