package dev.kindling.kernel.ops;

import dev.kindling.kernel.spi.FusedOptimizerKernels;
import dev.kindling.kernel.tensor.Shapes;

import java.util.Arrays;

/** The forwards of the optimizers' fused steps ({@code _fused_sgd_}). */
final class OptimizerKernels {
    private OptimizerKernels() {}

    /**
     * {@code _fused_sgd_}: the backend's one pass where it has one ({@link FusedOptimizerKernels}), else the mul_ and the
     * two add_s it stands for, which round alike.
     */
    static DenseTensor sgd(DenseTensor param, DenseTensor buffer, DenseTensor grad, double lr, double momentum, double dampening) {
        String op = "_fused_sgd_";
        for (DenseTensor t : new DenseTensor[] {buffer, grad}) {
            if (!Arrays.equals(t.shapeRef(), param.shapeRef())) {
                throw new IllegalArgumentException(op + ": the parameter is " + Shapes.str(param.shapeRef()) + " but its momentum buffer is "
                        + Shapes.str(buffer.shapeRef()) + " and its gradient " + Shapes.str(grad.shapeRef()));
            }
            if (t.dtype() != param.dtype()) {
                throw new IllegalArgumentException(op + ": the parameter is " + param.dtype().torchName() + " but its momentum buffer is "
                        + buffer.dtype().torchName() + " and its gradient " + grad.dtype().torchName());
            }
            if (!t.device().equals(param.device())) {
                throw new IllegalArgumentException(op + ": the parameter is on " + param.device() + " but its momentum buffer is on "
                        + buffer.device() + " and its gradient on " + grad.device());
            }
        }
        if (!param.dtype().isFloatingPoint()) throw new IllegalArgumentException(op + ": a " + param.dtype().torchName() + " parameter has no gradient step");
        if (param.backend() instanceof FusedOptimizerKernels k && buffer.backend() == param.backend() && grad.backend() == param.backend()
                && k.sgd(param.view(), buffer.view(), grad.view(), lr, momentum, dampening)) {
            param.versionCounter().bump();
            buffer.versionCounter().bump();
            return param;
        }
        buffer.mul_(momentum).add_(grad, 1 - dampening);
        param.add_(buffer, -lr);
        return param;
    }
}
