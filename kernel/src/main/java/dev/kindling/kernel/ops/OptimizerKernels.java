package dev.kindling.kernel.ops;

import dev.kindling.kernel.spi.FusedOptimizerKernels;
import dev.kindling.kernel.tensor.Shapes;

import java.util.Arrays;

/** The forwards of the optimizers' fused steps ({@code _fused_sgd_}, {@code _fused_adam_}). */
final class OptimizerKernels {
    private OptimizerKernels() {}

    /**
     * {@code _fused_sgd_}: the backend's one pass where it has one ({@link FusedOptimizerKernels}), else the mul_ and the
     * two add_s it stands for, which round alike.
     */
    static DenseTensor sgd(DenseTensor param, DenseTensor buffer, DenseTensor grad, double lr, double momentum, double dampening) {
        String op = "_fused_sgd_";
        check(op, param, new String[] {"momentum buffer", "gradient"}, buffer, grad);
        if (param.backend() instanceof FusedOptimizerKernels k && sameBackend(param, buffer, grad)
                && k.sgd(param.view(), buffer.view(), grad.view(), lr, momentum, dampening)) {
            param.versionCounter().bump();
            buffer.versionCounter().bump();
            return param;
        }
        buffer.mul_(momentum).add_(grad, 1 - dampening);
        param.add_(buffer, -lr);
        return param;
    }

    /** {@code _fused_adam_}: the backend's one pass where it has one, else the ops it stands for. */
    static DenseTensor adam(DenseTensor param, DenseTensor expAvg, DenseTensor expAvgSq, DenseTensor grad, double beta1, double beta2, double stepSize,
                            double biasCorrection2Sqrt, double eps) {
        check("_fused_adam_", param, new String[] {"exp_avg", "exp_avg_sq", "gradient"}, expAvg, expAvgSq, grad);
        if (param.backend() instanceof FusedOptimizerKernels k && sameBackend(param, expAvg, expAvgSq, grad)
                && k.adam(param.view(), expAvg.view(), expAvgSq.view(), grad.view(), beta1, beta2, stepSize, biasCorrection2Sqrt, eps)) {
            param.versionCounter().bump();
            expAvg.versionCounter().bump();
            expAvgSq.versionCounter().bump();
            return param;
        }
        expAvg.mul_(beta1).add_(grad, 1 - beta1);
        expAvgSq.mul_(beta2).addcmul_(grad, grad, 1 - beta2);
        param.addcdiv_(expAvg, expAvgSq.sqrt().div(biasCorrection2Sqrt).add_(eps), -stepSize);
        return param;
    }

    /** The parameter's state and gradient have its shape, dtype and device; the parameter is floating. */
    private static void check(String op, DenseTensor param, String[] names, DenseTensor... others) {
        for (int i = 0; i < others.length; i++) {
            DenseTensor t = others[i];
            if (!Arrays.equals(t.shapeRef(), param.shapeRef())) {
                throw new IllegalArgumentException(op + ": the parameter is " + Shapes.str(param.shapeRef()) + " but its " + names[i] + " is " + Shapes.str(t.shapeRef()));
            }
            if (t.dtype() != param.dtype()) {
                throw new IllegalArgumentException(op + ": the parameter is " + param.dtype().torchName() + " but its " + names[i] + " is " + t.dtype().torchName());
            }
            if (!t.device().equals(param.device())) {
                throw new IllegalArgumentException(op + ": the parameter is on " + param.device() + " but its " + names[i] + " is on " + t.device());
            }
        }
        if (!param.dtype().isFloatingPoint()) throw new IllegalArgumentException(op + ": a " + param.dtype().torchName() + " parameter has no gradient step");
    }

    private static boolean sameBackend(DenseTensor param, DenseTensor... others) {
        for (DenseTensor t : others) if (t.backend() != param.backend()) return false;
        return true;
    }
}
