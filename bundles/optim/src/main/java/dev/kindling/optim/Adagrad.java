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
 * Adagrad, as PyTorch 1.13's {@code torch.optim.Adagrad}:
 * <pre>
 * g = grad (+ weight_decay * p);  clr = lr / (1 + (t - 1) * lr_decay);  sum += g * g;  p -= clr * g / (sqrt(sum) + eps)
 * </pre>
 * State per parameter, created when its group is added: {@code step} and {@code sum} (filled with the group's
 * {@code initial_accumulator_value}). Defaults: lr 0.01, lr_decay 0, weight decay 0, initial accumulator 0, eps 1e-10.
 */
@SuppressWarnings("try") // try-with-resources for grad mode: the resource is not referenced in the body
public class Adagrad extends Optimizer {

    public Adagrad(Iterable<? extends Tensor> params) { this(params, 1e-2); }

    public Adagrad(Iterable<? extends Tensor> params, double lr) { this(params, lr, 0); }

    public Adagrad(Iterable<? extends Tensor> params, double lr, double lrDecay) { this(params, lr, lrDecay, 0); }

    public Adagrad(Iterable<? extends Tensor> params, double lr, double lrDecay, double weightDecay) {
        this(params, lr, lrDecay, weightDecay, 0);
    }

    public Adagrad(Iterable<? extends Tensor> params, double lr, double lrDecay, double weightDecay, double initialAccumulatorValue) {
        this(params, lr, lrDecay, weightDecay, initialAccumulatorValue, 1e-10);
    }

    public Adagrad(Iterable<? extends Tensor> params, double lr, double lrDecay, double weightDecay, double initialAccumulatorValue,
                   double eps) {
        this((Iterable<?>) params, lr, lrDecay, weightDecay, initialAccumulatorValue, eps, false);
    }

    private Adagrad(Iterable<?> params, double lr, double lrDecay, double weightDecay, double initialAccumulatorValue,
                    double eps, boolean maximize) {
        super(params, defaults(lr, lrDecay, weightDecay, initialAccumulatorValue, eps, maximize));
    }

    private static Map<String, Object> defaults(double lr, double lrDecay, double weightDecay, double initialAccumulatorValue,
                                                double eps, boolean maximize) {
        checkArgument(0.0 <= lr, "Invalid learning rate", lr);
        checkArgument(0.0 <= lrDecay, "Invalid lr_decay value", lrDecay);
        checkArgument(0.0 <= weightDecay, "Invalid weight_decay value", weightDecay);
        checkArgument(0.0 <= initialAccumulatorValue, "Invalid initial_accumulator_value value", initialAccumulatorValue);
        checkArgument(0.0 <= eps, "Invalid epsilon value", eps);
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("lr", lr);
        d.put("lr_decay", lrDecay);
        d.put("eps", eps);
        d.put("weight_decay", weightDecay);
        d.put("initial_accumulator_value", initialAccumulatorValue);
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
        private double lr = 1e-2, lrDecay, weightDecay, initialAccumulatorValue, eps = 1e-10;
        private boolean maximize;

        private Builder(Iterable<?> params) { this.params = params; }

        public Builder lr(double lr) { this.lr = lr; return this; }
        public Builder lrDecay(double lrDecay) { this.lrDecay = lrDecay; return this; }
        public Builder weightDecay(double weightDecay) { this.weightDecay = weightDecay; return this; }
        public Builder initialAccumulatorValue(double value) { this.initialAccumulatorValue = value; return this; }
        public Builder eps(double eps) { this.eps = eps; return this; }
        /** Maximize the objective instead of minimizing it. */
        public Builder maximize(boolean maximize) { this.maximize = maximize; return this; }

        public Adagrad build() {
            return new Adagrad(params, lr, lrDecay, weightDecay, initialAccumulatorValue, eps, maximize);
        }
    }

    /** Creates {@code step} and {@code sum} for the group's parameters (PyTorch does this in the constructor). */
    @Override
    protected void onParamGroupAdded(ParamGroup group) {
        double init = group.getDouble("initial_accumulator_value");
        try (GradMode g = Torch.noGrad()) {
            for (Tensor p : group.params()) {
                Map<String, Object> st = state(p);
                st.put("step", 0L);
                st.put("sum", Torch.fullLike(p, init));
            }
        }
    }

    @Override
    public Tensor step(Supplier<Tensor> closure) {
        Tensor loss = evaluate(closure);
        try (GradMode g = Torch.noGrad()) {
            for (ParamGroup group : paramGroups()) {
                double lr = group.lr();
                double lrDecay = group.getDouble("lr_decay");
                double weightDecay = group.getDouble("weight_decay");
                double eps = group.getDouble("eps");
                boolean maximize = group.getBoolean("maximize");
                for (Tensor p : group.params()) {
                    Tensor grad = p.grad();
                    if (grad == null) continue;
                    Map<String, Object> st = state(p);
                    Tensor sum = (Tensor) st.get("sum");
                    if (sum == null) { // state dropped (loaded a dict without it)
                        sum = Torch.fullLike(p, group.getDouble("initial_accumulator_value"));
                        st.put("sum", sum);
                    }
                    long step = stepOf(st) + 1;
                    st.put("step", step);
                    if (maximize) grad = grad.neg();
                    if (weightDecay != 0) grad = grad.add(p, weightDecay);
                    double clr = lr / (1 + (step - 1) * lrDecay);
                    sum.addcmul_(grad, grad, 1);
                    Tensor std = sum.sqrt().add_(eps);
                    p.addcdiv_(grad, std, -clr);
                }
            }
        }
        return loss;
    }

    @Override
    protected Set<String> paramShapedStateKeys() {
        return Set.of("sum");
    }
}
