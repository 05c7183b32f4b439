package dev.kindling.optim;

import dev.kindling.api.GradMode;
import dev.kindling.api.Tensor;
import dev.kindling.api.Torch;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * RMSprop, as PyTorch 1.13's {@code torch.optim.RMSprop}, optionally centered and with momentum:
 * <pre>
 * g = grad (+ weight_decay * p);  v = alpha * v + (1 - alpha) * g * g
 * avg = sqrt(v - g_avg^2) (centered, g_avg = alpha * g_avg + (1 - alpha) * g) or sqrt(v);  avg += eps
 * momentum > 0: buf = momentum * buf + g / avg, p -= lr * buf;  else p -= lr * g / avg
 * </pre>
 * State per parameter: {@code step}, {@code square_avg} (and {@code momentum_buffer}, {@code grad_avg}).
 * Defaults: lr 0.01, alpha 0.99, eps 1e-8, weight decay 0, momentum 0, centered false.
 */
@SuppressWarnings("try") // try-with-resources for grad mode: the resource is not referenced in the body
public class RMSprop extends Optimizer {

    public RMSprop(Iterable<? extends Tensor> params) { this(params, 1e-2); }

    public RMSprop(Iterable<? extends Tensor> params, double lr) { this(params, lr, 0.99); }

    public RMSprop(Iterable<? extends Tensor> params, double lr, double alpha) { this(params, lr, alpha, 1e-8); }

    public RMSprop(Iterable<? extends Tensor> params, double lr, double alpha, double eps) { this(params, lr, alpha, eps, 0); }

    public RMSprop(Iterable<? extends Tensor> params, double lr, double alpha, double eps, double weightDecay) {
        this(params, lr, alpha, eps, weightDecay, 0);
    }

    public RMSprop(Iterable<? extends Tensor> params, double lr, double alpha, double eps, double weightDecay, double momentum) {
        this(params, lr, alpha, eps, weightDecay, momentum, false);
    }

    public RMSprop(Iterable<? extends Tensor> params, double lr, double alpha, double eps, double weightDecay, double momentum,
                   boolean centered) {
        this((Iterable<?>) params, lr, alpha, eps, weightDecay, momentum, centered, false);
    }

    private RMSprop(Iterable<?> params, double lr, double alpha, double eps, double weightDecay, double momentum,
                    boolean centered, boolean maximize) {
        super(params, defaults(lr, alpha, eps, weightDecay, momentum, centered, maximize));
    }

    private static Map<String, Object> defaults(double lr, double alpha, double eps, double weightDecay, double momentum,
                                                boolean centered, boolean maximize) {
        checkArgument(0.0 <= lr, "Invalid learning rate", lr);
        checkArgument(0.0 <= eps, "Invalid epsilon value", eps);
        checkArgument(0.0 <= momentum, "Invalid momentum value", momentum);
        checkArgument(0.0 <= weightDecay, "Invalid weight_decay value", weightDecay);
        checkArgument(0.0 <= alpha, "Invalid alpha value", alpha);
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("lr", lr);
        d.put("momentum", momentum);
        d.put("alpha", alpha);
        d.put("eps", eps);
        d.put("centered", centered);
        d.put("weight_decay", weightDecay);
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

    public static final class Builder {
        private final Iterable<?> params;
        private double lr = 1e-2, alpha = 0.99, eps = 1e-8, weightDecay, momentum;
        private boolean centered, maximize;

        private Builder(Iterable<?> params) { this.params = params; }

        public Builder lr(double lr) { this.lr = lr; return this; }
        public Builder alpha(double alpha) { this.alpha = alpha; return this; }
        public Builder eps(double eps) { this.eps = eps; return this; }
        public Builder weightDecay(double weightDecay) { this.weightDecay = weightDecay; return this; }
        public Builder momentum(double momentum) { this.momentum = momentum; return this; }
        public Builder centered(boolean centered) { this.centered = centered; return this; }
        /** Maximize the objective instead of minimizing it. */
        public Builder maximize(boolean maximize) { this.maximize = maximize; return this; }

        public RMSprop build() {
            return new RMSprop(params, lr, alpha, eps, weightDecay, momentum, centered, maximize);
        }
    }

    @Override
    public Tensor step(Supplier<Tensor> closure) {
        Tensor loss = evaluate(closure);
        try (GradMode g = Torch.noGrad()) {
            for (ParamGroup group : paramGroups()) {
                double lr = group.lr();
                double alpha = group.getDouble("alpha");
                double eps = group.getDouble("eps");
                double weightDecay = group.getDouble("weight_decay");
                double momentum = group.getDouble("momentum");
                boolean centered = group.getBoolean("centered");
                boolean maximize = group.getBoolean("maximize");
                for (Tensor p : group.params()) {
                    Tensor grad = p.grad();
                    if (grad == null) continue;
                    Map<String, Object> st = state(p);
                    if (st.isEmpty()) {
                        st.put("step", 0L);
                        st.put("square_avg", Torch.zerosLike(p));
                        if (momentum > 0) st.put("momentum_buffer", Torch.zerosLike(p));
                        if (centered) st.put("grad_avg", Torch.zerosLike(p));
                    }
                    st.put("step", stepOf(st) + 1);
                    if (maximize) grad = grad.neg();
                    if (weightDecay != 0) grad = grad.add(p, weightDecay);
                    Tensor squareAvg = (Tensor) st.get("square_avg");
                    squareAvg.mul_(alpha).addcmul_(grad, grad, 1 - alpha);
                    Tensor avg;
                    if (centered) {
                        Tensor gradAvg = (Tensor) st.computeIfAbsent("grad_avg", k -> Torch.zerosLike(p));
                        gradAvg.mul_(alpha).add_(grad, 1 - alpha);
                        avg = squareAvg.clone().addcmul_(gradAvg, gradAvg, -1).sqrt_();
                    } else {
                        avg = squareAvg.sqrt();
                    }
                    avg.add_(eps);
                    if (momentum > 0) {
                        Tensor buf = (Tensor) st.computeIfAbsent("momentum_buffer", k -> Torch.zerosLike(p));
                        buf.mul_(momentum).addcdiv_(grad, avg, 1);
                        p.add_(buf, -lr);
                    } else {
                        p.addcdiv_(grad, avg, -lr);
                    }
                }
            }
        }
        return loss;
    }

    @Override
    protected Set<String> paramShapedStateKeys() {
        return Set.of("square_avg", "momentum_buffer", "grad_avg");
    }
}
