package dev.kindling.optim;

import dev.kindling.api.GradMode;
import dev.kindling.api.Tensor;
import dev.kindling.api.Torch;
import dev.kindling.kernel.ops.Ops;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Stochastic gradient descent (optionally with momentum, dampening, Nesterov momentum and weight decay), as PyTorch
 * 1.13's {@code torch.optim.SGD}:
 * <pre>
 * g = grad (+ weight_decay * p);  buf = g on the first step, else momentum * buf + (1 - dampening) * g
 * g = nesterov ? g + momentum * buf : buf;  p -= lr * g
 * </pre>
 * State per parameter: {@code momentum_buffer} (only with momentum).
 */
@SuppressWarnings("try") // try-with-resources for grad mode: the resource is not referenced in the body
public class SGD extends Optimizer {

    /** {@code SGD(params, lr)} with PyTorch's defaults for the rest. */
    public SGD(Iterable<? extends Tensor> params, double lr) {
        this(params, lr, 0, 0, 0, false);
    }

    public SGD(Iterable<? extends Tensor> params, double lr, double momentum) {
        this(params, lr, momentum, 0, 0, false);
    }

    public SGD(Iterable<? extends Tensor> params, double lr, double momentum, double dampening) {
        this(params, lr, momentum, dampening, 0, false);
    }

    public SGD(Iterable<? extends Tensor> params, double lr, double momentum, double dampening, double weightDecay) {
        this(params, lr, momentum, dampening, weightDecay, false);
    }

    public SGD(Iterable<? extends Tensor> params, double lr, double momentum, double dampening, double weightDecay, boolean nesterov) {
        this((Iterable<?>) params, (Object) lr, momentum, dampening, weightDecay, nesterov, false);
    }

    private SGD(Iterable<?> params, Object lr, double momentum, double dampening, double weightDecay, boolean nesterov,
                boolean maximize) {
        super(params, defaults(lr, momentum, dampening, weightDecay, nesterov, maximize));
    }

    private static Map<String, Object> defaults(Object lr, double momentum, double dampening, double weightDecay,
                                                boolean nesterov, boolean maximize) {
        if (lr != REQUIRED) checkArgument(((Double) lr) >= 0.0, "Invalid learning rate", (Double) lr);
        checkArgument(momentum >= 0.0, "Invalid momentum value", momentum);
        checkArgument(weightDecay >= 0.0, "Invalid weight_decay value", weightDecay);
        if (nesterov && (momentum <= 0 || dampening != 0)) {
            throw new IllegalArgumentException("Nesterov momentum requires a momentum and zero dampening");
        }
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("lr", lr);
        d.put("momentum", momentum);
        d.put("dampening", dampening);
        d.put("weight_decay", weightDecay);
        d.put("nesterov", nesterov);
        d.put("maximize", maximize);
        return d;
    }

    public static Builder builder(Iterable<? extends Tensor> params) {
        return new Builder(params);
    }

    /** Several groups, each with its own hyper-parameters; the builder's values are the defaults. */
    public static Builder builder(ParamGroup... groups) {
        return new Builder(Arrays.asList(groups));
    }

    /** Options in PyTorch's names; {@code lr} has no default (PyTorch's {@code required}). */
    public static final class Builder {
        private final Iterable<?> params;
        private Object lr = REQUIRED;
        private double momentum, dampening, weightDecay;
        private boolean nesterov, maximize;

        private Builder(Iterable<?> params) { this.params = params; }

        public Builder lr(double lr) { this.lr = lr; return this; }
        public Builder momentum(double momentum) { this.momentum = momentum; return this; }
        public Builder dampening(double dampening) { this.dampening = dampening; return this; }
        public Builder weightDecay(double weightDecay) { this.weightDecay = weightDecay; return this; }
        public Builder nesterov(boolean nesterov) { this.nesterov = nesterov; return this; }
        /** Maximize the objective instead of minimizing it. */
        public Builder maximize(boolean maximize) { this.maximize = maximize; return this; }

        public SGD build() {
            return new SGD(params, lr, momentum, dampening, weightDecay, nesterov, maximize);
        }
    }

    @Override
    public Tensor step(Supplier<Tensor> closure) {
        Tensor loss = evaluate(closure);
        try (GradMode g = Torch.noGrad()) {
            for (ParamGroup group : paramGroups()) {
                double weightDecay = group.getDouble("weight_decay");
                double momentum = group.getDouble("momentum");
                double dampening = group.getDouble("dampening");
                boolean nesterov = group.getBoolean("nesterov");
                boolean maximize = group.getBoolean("maximize");
                double lr = group.lr();
                for (Tensor p : group.params()) {
                    Tensor dp = p.grad();
                    if (dp == null) continue;
                    if (maximize) dp = dp.neg();
                    if (weightDecay != 0) dp = dp.add(p, weightDecay);
                    if (momentum != 0) {
                        Map<String, Object> st = state(p);
                        Tensor buf = (Tensor) st.get("momentum_buffer");
                        if (buf == null) {
                            buf = dp.detach().clone();
                            st.put("momentum_buffer", buf);
                        } else if (!nesterov) {
                            // the buffer's update and the parameter's in one pass, rounded as the three ops would be
                            Ops.fusedSgd_(p, buf, dp, lr, momentum, dampening);
                            continue;
                        } else {
                            buf.mul_(momentum).add_(dp, 1 - dampening);
                        }
                        dp = nesterov ? dp.add(buf, momentum) : buf;
                    }
                    p.add_(dp, -lr);
                }
            }
        }
        return loss;
    }

    @Override
    protected Set<String> paramShapedStateKeys() {
        return Set.of("momentum_buffer");
    }
}
