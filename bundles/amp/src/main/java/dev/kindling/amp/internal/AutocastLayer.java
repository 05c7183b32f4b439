package dev.kindling.amp.internal;

import dev.kindling.api.DType;
import dev.kindling.api.GradMode;
import dev.kindling.api.Tensor;
import dev.kindling.api.Torch;
import dev.kindling.kernel.ops.Attrs;
import dev.kindling.kernel.ops.AutocastState;
import dev.kindling.kernel.ops.DenseTensor;
import dev.kindling.kernel.ops.DispatchLayer;
import dev.kindling.kernel.ops.OpDef;
import dev.kindling.kernel.ops.Ops;
import org.osgi.service.component.annotations.Component;

/**
 * Autocast (PyTorch's Autocast dispatch keys): the layer of rank {@link #AUTOCAST}, above autograd, linked into the
 * chain only while an enabled autocast region is open somewhere. For an op in {@link AutocastPolicies} whose first
 * input's device type has autocast on in this thread, it casts the eligible inputs (floating point, not float64, on
 * that device) as the op's policy says and passes the call down; the casts are {@code _to_copy} calls through the
 * whole chain, so autograd records them and weight gradients stay float32. Below itself the layer is excluded, so the
 * ops a listed op is made of run as they are. In-place ops are never autocast. Casts of weights (float32 leaves that
 * require grad) to the lower dtype are cached for the outermost region. A linear over rows with float32 inputs runs as
 * the fused {@code _autocast_linear} instead, which makes no casts (see {@code fusesCasts}).
 */
@Component(service = DispatchLayer.class)
@SuppressWarnings("try") // try-with-resources for grad mode: the resource is not referenced in the body
public class AutocastLayer implements DispatchLayer {
    @Override public int rank() { return AUTOCAST; }

    @Override public String name() { return "autocast"; }

    @Override public Activation activation() { return Activation.WHILE_AUTOCASTING; }

    @Override
    public boolean intercepts(OpDef op) {
        return !op.isInPlace() && (AutocastPolicies.of("cpu", op.name()) != null || AutocastPolicies.of("cuda", op.name()) != null);
    }

    @Override
    public Tensor[] dispatch(OpDef op, Tensor[] inputs, Attrs attrs, Below below) {
        DenseTensor first = (DenseTensor) inputs[0];
        String deviceType = first.device().type();
        AutocastState state = first.kernel().autocastState();
        CastPolicy policy = AutocastPolicies.of(deviceType, op.name());
        if (policy == null || !state.enabled(deviceType)) return below.call(op, inputs, attrs);
        if (policy == CastPolicy.BANNED) {
            throw new IllegalStateException(op.name() + " is unsafe to autocast: torch.nn.functional.binary_cross_entropy and torch.nn.BCELoss are "
                    + "unsafe to autocast. Many models use a sigmoid layer right before the binary cross entropy layer. In this case, combine the two "
                    + "layers using torch.nn.functional.binary_cross_entropy_with_logits or torch.nn.BCEWithLogitsLoss (F.binaryCrossEntropyWithLogits, "
                    + "BCEWithLogitsLoss), which are safe to autocast.");
        }
        DType target = target(policy, state.dtype(deviceType), inputs, deviceType);
        if (target == null) return below.call(op, inputs, attrs);
        if (fusesCasts(op, inputs, target, deviceType, state)) {
            return below.call(Ops.AUTOCAST_LINEAR, inputs.clone(), Ops.AUTOCAST_LINEAR.attrs(target));
        }
        Tensor[] cast = inputs.clone();
        for (int i = 0; i < cast.length; i++) {
            if (eligible(cast[i], deviceType) && cast[i].dtype() != target) cast[i] = cast(state, (DenseTensor) cast[i], target);
        }
        return below.call(op, cast, attrs);
    }

    /** The dtype the policy casts to, or null when no input is eligible (PROMOTE among low-precision ones only). */
    private static DType target(CastPolicy policy, DType lower, Tensor[] inputs, String deviceType) {
        switch (policy) {
            case LOWER_PRECISION: return lower;
            case FP32: case FP32_SET_OPT_DTYPE: return DType.FLOAT32;
            case BANNED: throw new IllegalStateException("banned ops are refused before casting");
            case PROMOTE: {
                DType widest = null;
                for (Tensor t : inputs) {
                    if (!eligible(t, deviceType)) continue;
                    if (t.dtype() == DType.FLOAT32) return DType.FLOAT32;
                    widest = t.dtype();
                }
                return widest;
            }
            default: throw new IllegalStateException("unknown cast policy " + policy);
        }
    }

    /**
     * Whether this call is a linear over rows whose casts {@code _autocast_linear} can fold into the product: a 2-d
     * input, weight and bias each already in {@code target} or a contiguous float32 tensor (what the cast would copy),
     * at least one of them float32, and no cast of the weight cached yet (a weight a region already cast keeps sharing
     * that cast, so its uses' gradients meet in the cast's dtype, as PyTorch's do).
     *
     * <p>The fused op gives the values, gradients and dtypes of the casts and linear bit for bit, without the copies: the
     * weight is rounded while the backend packs it, and its float32 gradient is rounded in place rather than made in
     * the lower precision and copied back (those two copies were 15% of a bfloat16 MLP step on the CPU). One difference remains: a
     * weight a region uses in several such linears (an unrolled recurrent cell) gets each use's gradient rounded to
     * {@code target} and their sum in float32, where PyTorch sums them in {@code target} first.
     */
    private static boolean fusesCasts(OpDef op, Tensor[] inputs, DType target, String deviceType, AutocastState state) {
        if (!op.name().equals("linear") || inputs.length != 3 || inputs[0] == null || inputs[1] == null) return false;
        Tensor x = inputs[0], w = inputs[1], b = inputs[2];
        if (x.dim() != 2 || w.dim() != 2 || (b != null && b.dim() != 1)) return false;
        boolean anyCast = false;
        for (Tensor t : inputs) {
            if (t == null) continue;
            if (!eligible(t, deviceType)) return false;
            if (t.dtype() == target) continue;
            if (t.dtype() != DType.FLOAT32 || !t.isContiguous()) return false;
            anyCast = true;
        }
        return anyCast && state.cachedCast((DenseTensor) w, target) == null;
    }

    /** Floating point, not float64, on the region's device type (PyTorch's is_eligible). */
    private static boolean eligible(Tensor t, String deviceType) {
        return t != null && t.dtype().isFloatingPoint() && t.dtype() != DType.FLOAT64 && t.device().type().equals(deviceType);
    }

    /** A recorded cast; a weight's cast to the lower dtype is made once per outermost region (with grad mode on). */
    private static Tensor cast(AutocastState state, DenseTensor t, DType dtype) {
        boolean weight = dtype != DType.FLOAT32 && t.dtype() == DType.FLOAT32 && t.isLeaf() && t.requiresGrad() && !t.isView();
        if (!weight) return Ops.toCopy(t, dtype, t.device());
        Tensor cached = state.cachedCast(t, dtype);
        if (cached != null) return cached;
        Tensor c;
        // Built with grad mode on (PT#165068): a cast first made under no_grad must not serve a later forward that records.
        try (GradMode ignored = Torch.enableGrad()) {
            c = Ops.toCopy(t, dtype, t.device());
        }
        state.cacheCast(t, dtype, c);
        return c;
    }
}
