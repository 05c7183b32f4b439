package dev.kindling.optim;

import dev.kindling.api.GradMode;
import dev.kindling.api.Tensor;
import dev.kindling.api.Torch;
import dev.kindling.kernel.ops.Ops;
import dev.kindling.optim.internal.Values;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/** The update shared by {@link Adam} and {@link AdamW} (PyTorch 1.13's single-tensor implementations). */
@SuppressWarnings("try") // try-with-resources for grad mode: the resource is not referenced in the body
final class AdamAlgorithm {
    private AdamAlgorithm() {}

    static final Set<String> PARAM_SHAPED = Set.of("exp_avg", "exp_avg_sq", "max_exp_avg_sq");

    static Map<String, Object> defaults(double lr, double[] betas, double eps, double weightDecay, boolean amsgrad,
                                        boolean maximize) {
        Optimizer.checkArgument(0.0 <= lr, "Invalid learning rate", lr);
        Optimizer.checkArgument(0.0 <= eps, "Invalid epsilon value", eps);
        if (betas == null || betas.length != 2) {
            throw new IllegalArgumentException("betas must be two numbers (beta1, beta2), but got "
                    + (betas == null ? "null" : betas.length + " numbers"));
        }
        Optimizer.checkArgument(0.0 <= betas[0] && betas[0] < 1.0, "Invalid beta parameter at index 0", betas[0]);
        Optimizer.checkArgument(0.0 <= betas[1] && betas[1] < 1.0, "Invalid beta parameter at index 1", betas[1]);
        Optimizer.checkArgument(0.0 <= weightDecay, "Invalid weight_decay value", weightDecay);
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("lr", lr);
        d.put("betas", Values.list(betas));
        d.put("eps", eps);
        d.put("weight_decay", weightDecay);
        d.put("amsgrad", amsgrad);
        d.put("maximize", maximize);
        return d;
    }

    /** One step over all groups; {@code decoupled}: AdamW's {@code p *= 1 - lr * weight_decay} instead of L2 in the gradient. */
    static void step(Optimizer opt, boolean decoupled) {
        try (GradMode g = Torch.noGrad()) {
            for (ParamGroup group : opt.paramGroups()) {
                double[] betas = group.getDoubles("betas");
                double beta1 = betas[0], beta2 = betas[1];
                double lr = group.lr();
                double weightDecay = group.getDouble("weight_decay");
                double eps = group.getDouble("eps");
                boolean amsgrad = group.getBoolean("amsgrad");
                boolean maximize = group.getBoolean("maximize");
                for (Tensor p : group.params()) {
                    Tensor grad = p.grad();
                    if (grad == null) continue;
                    Map<String, Object> st = opt.state(p);
                    if (st.isEmpty()) {
                        st.put("step", 0L);
                        st.put("exp_avg", Torch.zerosLike(p));
                        st.put("exp_avg_sq", Torch.zerosLike(p));
                        if (amsgrad) st.put("max_exp_avg_sq", Torch.zerosLike(p));
                    }
                    if (maximize) grad = grad.neg();
                    Tensor expAvg = (Tensor) st.get("exp_avg");
                    Tensor expAvgSq = (Tensor) st.get("exp_avg_sq");
                    long step = Optimizer.stepOf(st) + 1;
                    st.put("step", step);

                    if (decoupled) {
                        p.mul_(1 - lr * weightDecay);
                    } else if (weightDecay != 0) {
                        grad = grad.add(p, weightDecay);
                    }
                    double biasCorrection1 = 1 - Math.pow(beta1, step);
                    double biasCorrection2 = 1 - Math.pow(beta2, step);
                    double stepSize = lr / biasCorrection1;
                    double biasCorrection2Sqrt = Math.sqrt(biasCorrection2);
                    if (!amsgrad) {
                        // both moments and the parameter in one pass, rounded as the ops below would be
                        Ops.fusedAdam_(p, expAvg, expAvgSq, grad, beta1, beta2, stepSize, biasCorrection2Sqrt, eps);
                        continue;
                    }
                    expAvg.mul_(beta1).add_(grad, 1 - beta1);
                    expAvgSq.mul_(beta2).addcmul_(grad, grad, 1 - beta2);
                    Tensor maxSq = (Tensor) st.get("max_exp_avg_sq");
                    if (maxSq == null) { // amsgrad switched on after the first step
                        maxSq = Torch.zerosLike(p);
                        st.put("max_exp_avg_sq", maxSq);
                    }
                    maxSq.copy_(maxSq.maximum(expAvgSq));
                    p.addcdiv_(expAvg, maxSq.sqrt().div(biasCorrection2Sqrt).add_(eps), -stepSize);
                }
            }
        }
    }
}
