package dev.kindling.amp;

import dev.kindling.api.DType;
import dev.kindling.api.Device;
import dev.kindling.api.GradMode;
import dev.kindling.api.Tensor;
import dev.kindling.api.Torch;
import dev.kindling.optim.Optimizer;
import dev.kindling.optim.ParamGroup;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Dynamic loss scaling for float16 training (PyTorch's {@code torch.amp.GradScaler}): {@link #scale} multiplies the
 * loss so small gradients survive float16, {@link #unscale_} divides the gradients back (in place) and checks them for
 * inf/NaN, {@link #step} runs the optimizer only when every gradient is finite, and {@link #update} halves the scale
 * after a skipped step and doubles it after {@code growthInterval} clean ones.
 * <pre>{@code
 * GradScaler scaler = new GradScaler();
 * try (var ac = Torch.autocast(Device.CUDA)) { loss = lossFn.forward(model.forward(x), y); }
 * scaler.scale(loss).backward();
 * scaler.step(optimizer);
 * scaler.update();
 * }</pre>
 * The scale is a float32 value, updated with float32 arithmetic as PyTorch's kernels do, so a scripted run gives
 * PyTorch's sequence of scales. bfloat16 has float32's range and needs no scaler.
 */
public final class GradScaler {
    private enum Stage { READY, UNSCALED, STEPPED }

    /** Per optimizer since the last update: where it is and whether its gradients held an inf or NaN. */
    private static final class OptimizerState {
        Stage stage = Stage.READY;
        boolean foundInf;
    }

    private final boolean enabled;
    /** The op table's fused unscale-and-check pass (PyTorch's kernel of the same name). */
    static final String UNSCALE_OP = "_amp_foreach_non_finite_check_and_unscale_";
    private float scale;
    private float growthFactor;
    private float backoffFactor;
    private int growthInterval;
    private int growthTracker;
    private final Map<Optimizer, OptimizerState> perOptimizer = new IdentityHashMap<>();

    /** PyTorch's defaults: init scale 2^16, growth 2, backoff 0.5, growth interval 2000, enabled. */
    public GradScaler() { this(builder()); }

    private GradScaler(Builder b) {
        if (b.growthFactor <= 1.0) throw new IllegalArgumentException("The growth factor must be > 1.0.");
        if (b.backoffFactor >= 1.0) throw new IllegalArgumentException("The backoff factor must be < 1.0.");
        if (b.growthInterval <= 0) throw new IllegalArgumentException("The growth interval must be positive, got " + b.growthInterval);
        this.enabled = b.enabled;
        this.scale = (float) b.initScale;
        this.growthFactor = (float) b.growthFactor;
        this.backoffFactor = (float) b.backoffFactor;
        this.growthInterval = b.growthInterval;
    }

    public static Builder builder() { return new Builder(); }

    public boolean isEnabled() { return enabled; }

    /** {@code loss} times the scale (unchanged when disabled). */
    public Tensor scale(Tensor loss) {
        if (!enabled) return loss;
        return loss.mul(Torch.tensor(new float[] {scale}, new long[0]).to(loss.device()));
    }

    /**
     * Divides {@code optimizer}'s gradients by the scale, in place, and records whether any is inf or NaN (they are
     * unscaled even then, as PyTorch does). Once per optimizer between updates, and before {@link #step}.
     */
    public void unscale_(Optimizer optimizer) {
        if (!enabled) return;
        OptimizerState st = perOptimizer.computeIfAbsent(optimizer, o -> new OptimizerState());
        if (st.stage == Stage.UNSCALED) throw new IllegalStateException("unscale_() has already been called on this optimizer since the last update().");
        if (st.stage == Stage.STEPPED) throw new IllegalStateException("unscale_() is being called after step().");
        // 1/scale in double, then float32, as PyTorch computes inv_scale.
        float invScale = (float) (1.0 / (double) scale);
        // One fused pass per gradient and one read of found_inf per device, as PyTorch's unscale_ (no sync per gradient).
        Map<Device, List<Tensor>> byDevice = new LinkedHashMap<>();
        for (ParamGroup g : optimizer.paramGroups()) {
            for (Tensor p : g.params()) {
                Tensor grad = p.grad();
                if (grad == null) continue;
                if (grad.dtype() == DType.FLOAT16) throw new IllegalArgumentException("Attempting to unscale FP16 gradients.");
                byDevice.computeIfAbsent(grad.device(), d -> new ArrayList<>()).add(grad);
            }
        }
        boolean found = false;
        try (GradMode ignored = Torch.noGrad()) {
            for (Map.Entry<Device, List<Tensor>> e : byDevice.entrySet()) {
                List<Tensor> grads = e.getValue();
                Tensor[] args = grads.toArray(new Tensor[grads.size() + 2]);
                args[grads.size()] = Torch.zeros(new long[] {1}, DType.FLOAT32, e.getKey());
                args[grads.size() + 1] = Torch.full(new long[] {1}, invScale, DType.FLOAT32, e.getKey());
                Tensor foundInf = grads.get(0).callOp(UNSCALE_OP, args)[0];
                if (foundInf.item() != 0) found = true;
            }
        }
        st.foundInf = found;
        st.stage = Stage.UNSCALED;
    }

    /**
     * Unscales {@code optimizer}'s gradients if {@link #unscale_} was not called, then runs its step unless a gradient
     * was inf or NaN. Returns the step's result, or null when the step was skipped.
     */
    public Tensor step(Optimizer optimizer) {
        if (!enabled) return optimizer.step();
        OptimizerState st = perOptimizer.computeIfAbsent(optimizer, o -> new OptimizerState());
        if (st.stage == Stage.STEPPED) throw new IllegalStateException("step() has already been called since the last update().");
        if (st.stage == Stage.READY) unscale_(optimizer);
        Tensor result = st.foundInf ? null : optimizer.step();
        st.stage = Stage.STEPPED;
        return result;
    }

    /** Whether the last {@link #step} of {@code optimizer} since the last update was skipped for an inf or NaN. */
    public boolean stepSkipped(Optimizer optimizer) {
        OptimizerState st = perOptimizer.get(optimizer);
        return st != null && st.stage == Stage.STEPPED && st.foundInf;
    }

    /**
     * Adjusts the scale from this iteration's checks: times the backoff factor if any optimizer's gradients held an
     * inf or NaN (and the growth count restarts), else one more clean step, and times the growth factor after
     * {@code growthInterval} of them (when the result is finite). Then every optimizer is ready again.
     */
    public void update() {
        if (!enabled) return;
        if (perOptimizer.isEmpty()) throw new IllegalStateException("No inf checks were recorded prior to update.");
        boolean found = false;
        for (OptimizerState st : perOptimizer.values()) found |= st.foundInf;
        if (found) {
            scale = scale * backoffFactor;
            growthTracker = 0;
        } else if (++growthTracker == growthInterval) {
            float grown = scale * growthFactor;
            if (Float.isFinite(grown)) scale = grown;
            growthTracker = 0;
        }
        perOptimizer.clear();
    }

    /** Sets the scale directly ({@code update(new_scale)}) and readies every optimizer. */
    public void update(double newScale) {
        if (!enabled) return;
        scale = (float) newScale;
        perOptimizer.clear();
    }

    /** The current scale (1 when disabled). */
    public double getScale() { return enabled ? scale : 1.0; }

    public double getGrowthFactor() { return growthFactor; }

    public double getBackoffFactor() { return backoffFactor; }

    public int getGrowthInterval() { return growthInterval; }

    /** PyTorch's five keys: scale, growth_factor, backoff_factor, growth_interval, _growth_tracker; empty when disabled. */
    public Map<String, Object> stateDict() {
        Map<String, Object> m = new LinkedHashMap<>();
        if (!enabled) return m;
        m.put("scale", (double) scale);
        m.put("growth_factor", (double) growthFactor);
        m.put("backoff_factor", (double) backoffFactor);
        m.put("growth_interval", growthInterval);
        m.put("_growth_tracker", growthTracker);
        return m;
    }

    public void loadStateDict(Map<String, ?> state) {
        if (!enabled) return;
        if (state.isEmpty()) {
            throw new IllegalArgumentException("The source state dict is empty, possibly because it was saved from a disabled instance of GradScaler.");
        }
        for (String k : new String[] {"scale", "growth_factor", "backoff_factor", "growth_interval", "_growth_tracker"}) {
            if (!(state.get(k) instanceof Number)) throw new IllegalArgumentException("GradScaler state dict: '" + k + "' missing or not a number in " + state.keySet());
        }
        scale = ((Number) state.get("scale")).floatValue();
        growthFactor = ((Number) state.get("growth_factor")).floatValue();
        backoffFactor = ((Number) state.get("backoff_factor")).floatValue();
        growthInterval = ((Number) state.get("growth_interval")).intValue();
        growthTracker = ((Number) state.get("_growth_tracker")).intValue();
    }

    @Override
    public String toString() {
        return "GradScaler(scale=" + getScale() + ", growth_tracker=" + growthTracker + (enabled ? "" : ", enabled=false") + ")";
    }

    public static final class Builder {
        private double initScale = 65536.0;
        private double growthFactor = 2.0;
        private double backoffFactor = 0.5;
        private int growthInterval = 2000;
        private boolean enabled = true;

        private Builder() {}

        public Builder initScale(double v) { initScale = v; return this; }

        public Builder growthFactor(double v) { growthFactor = v; return this; }

        public Builder backoffFactor(double v) { backoffFactor = v; return this; }

        public Builder growthInterval(int v) { growthInterval = v; return this; }

        public Builder enabled(boolean v) { enabled = v; return this; }

        public GradScaler build() { return new GradScaler(this); }
    }
}
