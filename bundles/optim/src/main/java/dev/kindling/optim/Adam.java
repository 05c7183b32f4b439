package dev.kindling.optim;

import dev.kindling.api.Tensor;

import java.util.Arrays;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Adam, as PyTorch 1.13's {@code torch.optim.Adam} (L2 weight decay added to the gradient), optionally AMSGrad:
 * <pre>
 * g = grad (+ weight_decay * p);  m = beta1 * m + (1 - beta1) * g;  v = beta2 * v + (1 - beta2) * g * g
 * v_max = max(v_max, v) (amsgrad);  p -= lr / (1 - beta1^t) * m / (sqrt(v or v_max) / sqrt(1 - beta2^t) + eps)
 * </pre>
 * State per parameter: {@code step}, {@code exp_avg}, {@code exp_avg_sq} (and {@code max_exp_avg_sq} with AMSGrad).
 * Defaults: lr 0.001, betas (0.9, 0.999), eps 1e-8, weight decay 0, amsgrad false.
 */
public class Adam extends Optimizer {

    public Adam(Iterable<? extends Tensor> params) {
        this(params, 1e-3);
    }

    public Adam(Iterable<? extends Tensor> params, double lr) {
        this(params, lr, new double[] {0.9, 0.999});
    }

    public Adam(Iterable<? extends Tensor> params, double lr, double[] betas) {
        this(params, lr, betas, 1e-8);
    }

    public Adam(Iterable<? extends Tensor> params, double lr, double[] betas, double eps) {
        this(params, lr, betas, eps, 0);
    }

    public Adam(Iterable<? extends Tensor> params, double lr, double[] betas, double eps, double weightDecay) {
        this(params, lr, betas, eps, weightDecay, false);
    }

    public Adam(Iterable<? extends Tensor> params, double lr, double[] betas, double eps, double weightDecay, boolean amsgrad) {
        this((Iterable<?>) params, lr, betas, eps, weightDecay, amsgrad, false);
    }

    private Adam(Iterable<?> params, double lr, double[] betas, double eps, double weightDecay, boolean amsgrad,
                 boolean maximize) {
        super(params, AdamAlgorithm.defaults(lr, betas, eps, weightDecay, amsgrad, maximize));
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
        private double lr = 1e-3, eps = 1e-8, weightDecay = 0;
        private double[] betas = {0.9, 0.999};
        private boolean amsgrad, maximize;

        private Builder(Iterable<?> params) { this.params = params; }

        public Builder lr(double lr) { this.lr = lr; return this; }
        public Builder betas(double beta1, double beta2) { this.betas = new double[] {beta1, beta2}; return this; }
        public Builder betas(double[] betas) { this.betas = betas == null ? null : betas.clone(); return this; }
        public Builder eps(double eps) { this.eps = eps; return this; }
        public Builder weightDecay(double weightDecay) { this.weightDecay = weightDecay; return this; }
        public Builder amsgrad(boolean amsgrad) { this.amsgrad = amsgrad; return this; }
        /** Maximize the objective instead of minimizing it. */
        public Builder maximize(boolean maximize) { this.maximize = maximize; return this; }

        public Adam build() {
            return new Adam(params, lr, betas, eps, weightDecay, amsgrad, maximize);
        }
    }

    @Override
    public Tensor step(Supplier<Tensor> closure) {
        Tensor loss = evaluate(closure);
        AdamAlgorithm.step(this, false);
        return loss;
    }

    @Override
    protected Set<String> paramShapedStateKeys() {
        return AdamAlgorithm.PARAM_SHAPED;
    }
}
