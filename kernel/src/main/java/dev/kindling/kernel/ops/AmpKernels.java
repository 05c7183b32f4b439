package dev.kindling.kernel.ops;

import dev.kindling.api.DType;
import dev.kindling.api.Tensor;
import dev.kindling.kernel.spi.GradScalingKernels;
import dev.kindling.kernel.spi.UnaryOp;

import java.util.Arrays;

/** The forward of GradScaler's fused pass, {@code _amp_foreach_non_finite_check_and_unscale_}. */
final class AmpKernels {
    private AmpKernels() {}

    /**
     * {@code in} = the gradients, then found_inf, then inv_scale (PyTorch's arguments, flattened). Each gradient goes
     * through its backend's fused kernel where it has one ({@link GradScalingKernels}), else through elementwise ops that
     * stay on the device (no host read per gradient: the caller reads found_inf once).
     */
    static Tensor nonFiniteCheckAndUnscale(Tensor[] in) {
        String op = "_amp_foreach_non_finite_check_and_unscale_";
        if (in.length < 2) throw new IllegalArgumentException(op + ": takes the gradients, then found_inf and inv_scale; got " + in.length + " tensors");
        DenseTensor found = Ops.d(in[in.length - 2]);
        DenseTensor inv = Ops.d(in[in.length - 1]);
        for (DenseTensor t : new DenseTensor[] {found, inv}) {
            if (t.dtype() != DType.FLOAT32 || t.numel() != 1) {
                throw new IllegalArgumentException(op + ": found_inf and inv_scale must be one-element float32 tensors, got "
                        + t.dtype().torchName() + " " + Arrays.toString(t.shapeRef()));
            }
        }
        if (!inv.device().equals(found.device())) {
            throw new IllegalArgumentException(op + ": found_inf is on " + found.device() + " but inv_scale on " + inv.device());
        }
        for (int i = 0; i < in.length - 2; i++) {
            DenseTensor g = Ops.d(in[i]);
            if (!g.dtype().isFloatingPoint()) {
                throw new IllegalArgumentException(op + ": gradient " + i + " is " + g.dtype().torchName() + ", not a floating type");
            }
            if (!g.device().equals(found.device())) {
                throw new IllegalArgumentException(op + ": gradient " + i + " is on " + g.device() + ", found_inf on " + found.device()
                        + " (one call per device)");
            }
            if (g.backend() instanceof GradScalingKernels k && g.backend() == found.backend() && g.backend() == inv.backend()) {
                k.nonFiniteCheckAndUnscale(g.view(), found.view(), inv.view());
                found.versionCounter().bump();
            } else {
                // found_inf = max(found_inf, any(!isfinite(g))), then g *= inv_scale, as one graph of device ops.
                Tensor bad = Ops.unary(UnaryOp.ISFINITE, g).logicalNot().any().to(DType.FLOAT32).reshape(found.shape());
                found.copy_(found.maximum(bad));
                g.mul_(inv.reshape());
                continue;
            }
            g.versionCounter().bump();
        }
        return found;
    }
}
